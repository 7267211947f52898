// The JSONPath subset custom resource printer columns use: ".spec.replicas",
// ".status.conditions[?(@.type==\"Ready\")].status", "['key.with.dots']", "[0]", "[-1]",
// "[1:3]", "[*]", ".*" and "..name". Missing keys yield no result rather than an error,
// as kubectl's JSONPath does with missing keys allowed.

type Step =
  | { op: 'field'; name: string }
  | { op: 'wildcard' }
  | { op: 'recursive'; name: string | '*' }
  | { op: 'index'; index: number }
  | { op: 'slice'; start?: number; end?: number; step?: number }
  | { op: 'filter'; left: Step[]; cmp?: Comparison; right?: Operand };

type Comparison = '==' | '!=' | '<' | '>' | '<=' | '>=';
type Operand = { kind: 'path'; steps: Step[] } | { kind: 'literal'; value: string | number | boolean };

export class JSONPathError extends Error {}

/** Parses a path such as ".status.phase" or "{.status.phase}" into steps. */
export function parseJSONPath(source: string): Step[] {
  let text = source.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.startsWith('$')) text = text.slice(1);
  const parser = new Parser(text);
  const steps = parser.steps();
  if (!parser.done()) throw new JSONPathError(`unexpected ${JSON.stringify(parser.rest())} in ${JSON.stringify(source)}`);
  return steps;
}

/** Every value the path selects, in document order. */
export function evaluateJSONPath(steps: Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) current = current.flatMap((value) => apply(step, value));
  return current;
}

const IDENT = /^[^.[\]()=!<>\s,'"*@]+/;

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  rest(): string {
    return this.text.slice(this.pos);
  }

  /** Steps until the end of the text or a character that cannot continue a path. */
  steps(): Step[] {
    const steps: Step[] = [];
    for (;;) {
      const c = this.text[this.pos];
      if (c === '.') {
        if (this.text[this.pos + 1] === '.') {
          this.pos += 2;
          if (this.text[this.pos] === '*') {
            this.pos++;
            steps.push({ op: 'recursive', name: '*' });
          } else {
            steps.push({ op: 'recursive', name: this.identifier() });
          }
          continue;
        }
        this.pos++;
        if (this.text[this.pos] === '*') {
          this.pos++;
          steps.push({ op: 'wildcard' });
        } else if (this.done() || this.text[this.pos] === '[') {
          // A bare "." selects the current value.
        } else {
          steps.push({ op: 'field', name: this.identifier() });
        }
      } else if (c === '[') {
        steps.push(this.bracket());
      } else {
        return steps;
      }
    }
  }

  private identifier(): string {
    const m = IDENT.exec(this.rest());
    if (!m) throw new JSONPathError(`expected a field name at ${JSON.stringify(this.rest())}`);
    this.pos += m[0].length;
    return m[0];
  }

  private expect(s: string): void {
    if (!this.text.startsWith(s, this.pos)) throw new JSONPathError(`expected ${JSON.stringify(s)} at ${JSON.stringify(this.rest())}`);
    this.pos += s.length;
  }

  private skipSpace(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  private bracket(): Step {
    this.expect('[');
    this.skipSpace();
    let step: Step;
    const c = this.text[this.pos];
    if (c === '*') {
      this.pos++;
      step = { op: 'wildcard' };
    } else if (c === "'" || c === '"') {
      step = { op: 'field', name: this.quoted() };
    } else if (c === '?') {
      this.pos++;
      this.expect('(');
      step = this.filter();
      this.expect(')');
    } else {
      step = this.indexOrSlice();
    }
    this.skipSpace();
    this.expect(']');
    return step;
  }

  private quoted(): string {
    const quote = this.text[this.pos++];
    let out = '';
    while (!this.done() && this.text[this.pos] !== quote) {
      if (this.text[this.pos] === '\\' && this.pos + 1 < this.text.length) this.pos++;
      out += this.text[this.pos++];
    }
    this.expect(quote);
    return out;
  }

  private integer(): number | undefined {
    const m = /^-?\d+/.exec(this.rest());
    if (!m) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private indexOrSlice(): Step {
    const start = this.integer();
    if (this.text[this.pos] !== ':') {
      if (start === undefined) throw new JSONPathError(`expected an index at ${JSON.stringify(this.rest())}`);
      return { op: 'index', index: start };
    }
    this.pos++;
    const end = this.integer();
    let step: number | undefined;
    if (this.text[this.pos] === ':') {
      this.pos++;
      step = this.integer();
    }
    return { op: 'slice', start, end, step };
  }

  private filter(): Step {
    this.skipSpace();
    const left = this.operand();
    if (left.kind !== 'path') throw new JSONPathError('a filter must start with @');
    this.skipSpace();
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.rest());
    if (!m) return { op: 'filter', left: left.steps };
    this.pos += m[0].length;
    this.skipSpace();
    const right = this.operand();
    this.skipSpace();
    return { op: 'filter', left: left.steps, cmp: m[0] as Comparison, right };
  }

  private operand(): Operand {
    const c = this.text[this.pos];
    if (c === '@') {
      this.pos++;
      return { kind: 'path', steps: this.steps() };
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.quoted() };
    const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false)/.exec(this.rest());
    if (!m) throw new JSONPathError(`expected a value at ${JSON.stringify(this.rest())}`);
    this.pos += m[0].length;
    return { kind: 'literal', value: m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0]) };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Children of a value: an array's items, an object's values in key order. */
function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isRecord(value)) return Object.keys(value).sort().map((k) => value[k]);
  return [];
}

function apply(step: Step, value: unknown): unknown[] {
  switch (step.op) {
    case 'field':
      return isRecord(value) && Object.hasOwn(value, step.name) ? [value[step.name]] : [];
    case 'wildcard':
      return children(value);
    case 'recursive': {
      const out: unknown[] = [];
      const visit = (v: unknown) => {
        if (isRecord(v)) {
          if (step.name === '*') out.push(...children(v));
          else if (Object.hasOwn(v, step.name)) out.push(v[step.name]);
        }
        for (const child of children(v)) visit(child);
      };
      visit(value);
      return out;
    }
    case 'index': {
      if (!Array.isArray(value)) return [];
      const i = step.index < 0 ? value.length + step.index : step.index;
      return i >= 0 && i < value.length ? [value[i]] : [];
    }
    case 'slice': {
      if (!Array.isArray(value)) return [];
      const norm = (n: number | undefined, fallback: number) => {
        if (n === undefined) return fallback;
        const i = n < 0 ? value.length + n : n;
        return Math.min(Math.max(i, 0), value.length);
      };
      const by = step.step && step.step > 0 ? step.step : 1;
      const out: unknown[] = [];
      for (let i = norm(step.start, 0); i < norm(step.end, value.length); i += by) out.push(value[i]);
      return out;
    }
    case 'filter':
      return Array.isArray(value) ? value.filter((item) => matches(step, item)) : [];
  }
}

function matches(step: Extract<Step, { op: 'filter' }>, item: unknown): boolean {
  const lefts = evaluateJSONPath(step.left, item);
  if (!step.cmp || !step.right) return lefts.length > 0;
  if (lefts.length !== 1) return false;
  const rights = step.right.kind === 'literal' ? [step.right.value] : evaluateJSONPath(step.right.steps, item);
  if (rights.length !== 1) return false;
  return compareValues(lefts[0], step.cmp, rights[0]);
}

function compareValues(left: unknown, cmp: Comparison, right: unknown): boolean {
  if (cmp === '==' || cmp === '!=') {
    const equal = typeof left === typeof right && left === right;
    return cmp === '==' ? equal : !equal;
  }
  if (typeof left !== 'number' || typeof right !== 'number') return false;
  switch (cmp) {
    case '<':
      return left < right;
    case '>':
      return left > right;
    case '<=':
      return left <= right;
    case '>=':
      return left >= right;
  }
}
