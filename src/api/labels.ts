// Label selectors: the string form of list/watch requests ("app=web,tier!=db,env in (a,b),!x")
// and the structured form of workload specs (matchLabels + matchExpressions), parsed into one
// list of requirements and matched the same way.
import { errors } from './errors.js';

export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values: string[];
}

export type Selector = Requirement[];

const keyPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Parse the string form; throws BadRequest on a malformed selector. */
export function parseLabelSelector(text: string): Selector {
  const reqs: Selector = [];
  let i = 0;
  const s = text;
  const bad = (why: string) => errors.badRequest(`unable to parse requirement: ${why}`);
  const skip = () => {
    while (i < s.length && s[i] === ' ') i++;
  };
  const word = () => {
    skip();
    const start = i;
    while (i < s.length && !' ,=!()'.includes(s[i])) i++;
    return s.slice(start, i);
  };
  while (true) {
    skip();
    if (i >= s.length) break;
    let negated = false;
    if (s[i] === '!') {
      negated = true;
      i++;
    }
    const key = word();
    if (!keyPattern.test(key)) throw bad(`invalid label key "${key}"`);
    skip();
    if (negated) {
      reqs.push({ key, operator: 'DoesNotExist', values: [] });
    } else if (i >= s.length || s[i] === ',') {
      reqs.push({ key, operator: 'Exists', values: [] });
    } else if (s.startsWith('!=', i)) {
      i += 2;
      reqs.push({ key, operator: 'NotIn', values: [checkValue(word())] });
    } else if (s.startsWith('==', i)) {
      i += 2;
      reqs.push({ key, operator: 'In', values: [checkValue(word())] });
    } else if (s[i] === '=') {
      i += 1;
      reqs.push({ key, operator: 'In', values: [checkValue(word())] });
    } else {
      const op = word();
      if (op !== 'in' && op !== 'notin' && op !== 'gt' && op !== 'lt') throw bad(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      if (op === 'gt' || op === 'lt') {
        const v = word();
        if (!/^-?\d+$/.test(v)) throw bad(`for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key, operator: op === 'gt' ? 'Gt' : 'Lt', values: [v] });
      } else {
        skip();
        if (s[i] !== '(') throw bad(`found '${s[i] ?? ''}', expected: '('`);
        i++;
        const values: string[] = [];
        while (true) {
          const v = word();
          values.push(checkValue(v));
          skip();
          if (s[i] === ',') {
            i++;
            continue;
          }
          if (s[i] === ')') {
            i++;
            break;
          }
          throw bad(`found '${s[i] ?? ''}', expected: ',', ')'`);
        }
        reqs.push({ key, operator: op === 'in' ? 'In' : 'NotIn', values });
      }
    }
    skip();
    if (i >= s.length) break;
    if (s[i] !== ',') throw bad(`found '${s[i]}', expected: ','`);
    i++;
  }
  return reqs;
}

function checkValue(v: string): string {
  if (v.length > 63 || !valuePattern.test(v)) throw errors.badRequest(`unable to parse requirement: invalid label value: "${v}"`);
  return v;
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** The structured form as a Selector. An empty selector matches everything. */
export function fromLabelSelector(spec: LabelSelectorSpec | undefined): Selector {
  const reqs: Selector = [];
  for (const [key, value] of Object.entries(spec?.matchLabels ?? {})) reqs.push({ key, operator: 'In', values: [value] });
  for (const e of spec?.matchExpressions ?? []) reqs.push({ key: e.key, operator: e.operator as Requirement['operator'], values: e.values ?? [] });
  return reqs;
}

export function matches(selector: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.includes(v)) return false;
        break;
      case 'NotIn':
        if (has && r.values.includes(v)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      case 'Gt':
      case 'Lt': {
        if (!has || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.operator === 'Gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

/** Render a selector in the string form (for Scale status.selector and messages). */
export function selectorString(selector: Selector): string {
  return selector
    .map((r) => {
      switch (r.operator) {
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${[...r.values].sort().join(',')})`;
        case 'NotIn':
          return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${[...r.values].sort().join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
        case 'Gt':
          return `${r.key}>${r.values[0]}`;
        case 'Lt':
          return `${r.key}<${r.values[0]}`;
      }
    })
    .join(',');
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Field selectors: "metadata.name=x,status.phase!=Running". */
export function parseFieldSelector(text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const part of text.split(',')) {
    const t = part.trim();
    if (t === '') continue;
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(t);
    if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${t}'`);
    out.push({ field: m[1].trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() });
  }
  return out;
}
