// Field paths and sets of them, in the encoding of metadata.managedFields[].fieldsV1.
// A path is a list of serialized path elements:
//   f:<name>          a field of a struct or a key of a map       f:spec
//   k:<json>          an item of a list-map, by its key fields    k:{"containerPort":80,"protocol":"TCP"}
//   v:<json>          an item of a set, by its value              v:"example.com/finalizer"
//   i:<index>         an item of a list by position (not produced for built-in types)
// A FieldSet is the trie fieldsV1 spells out: a node is a member when its path itself is in
// the set, written as "." inside the node when it also has children and as {} when it has none.

export type PathElement =
  | { field: string }
  | { key: Array<[string, unknown]> }
  | { value: unknown }
  | { index: number };

/** JSON as Go's encoding/json writes it: object keys sorted, <, > and & escaped. */
export function goJSON(v: unknown): string {
  return JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function fieldPE(name: string): string {
  return 'f:' + name;
}

/** The path element of a list-map item; key fields in name order, as upstream sorts them. */
export function keyPE(fields: Record<string, unknown>): string {
  return 'k:' + goJSON(fields);
}

export function valuePE(value: unknown): string {
  return 'v:' + goJSON(value);
}

export function serializePE(pe: PathElement): string {
  if ('field' in pe) return fieldPE(pe.field);
  if ('key' in pe) return keyPE(Object.fromEntries(pe.key));
  if ('value' in pe) return valuePE(pe.value);
  return 'i:' + pe.index;
}

export function parsePE(s: string): PathElement {
  const kind = s.slice(0, 2);
  const body = s.slice(2);
  switch (kind) {
    case 'f:':
      return { field: body };
    case 'k:': {
      const o = JSON.parse(body) as Record<string, unknown>;
      if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error(`invalid key path element ${s}`);
      return { key: Object.keys(o).sort().map((k) => [k, o[k]] as [string, unknown]) };
    }
    case 'v:':
      return { value: JSON.parse(body) };
    case 'i:': {
      if (!/^\d+$/.test(body)) throw new Error(`invalid index path element ${s}`);
      return { index: Number(body) };
    }
    default:
      throw new Error(`unknown path element type in ${JSON.stringify(s)}`);
  }
}

/** A path as upstream prints it in conflicts: .spec.containers[name="web"].ports[containerPort=80,protocol="TCP"] */
export function pathString(path: readonly string[]): string {
  return path
    .map((s) => {
      const pe = parsePE(s);
      if ('field' in pe) return '.' + pe.field;
      if ('key' in pe) return '[' + pe.key.map(([k, v]) => `${k}=${goJSON(v)}`).join(',') + ']';
      if ('value' in pe) return `[=${goJSON(pe.value)}]`;
      return `[${pe.index}]`;
    })
    .join('');
}

const rank: Record<string, number> = { 'f:': 0, 'k:': 1, 'v:': 2, 'i:': 3 };

/** Upstream's order of path elements: fields, then keys, then values, then indexes. */
export function comparePE(a: string, b: string): number {
  const ra = rank[a.slice(0, 2)] ?? 4;
  const rb = rank[b.slice(0, 2)] ?? 4;
  if (ra !== rb) return ra - rb;
  if (ra === 3) return Number(a.slice(2)) - Number(b.slice(2));
  if (ra === 1 || ra === 2) {
    try {
      return compareValues(JSON.parse(a.slice(2)), JSON.parse(b.slice(2)));
    } catch {
      // fall through to a plain comparison of the text
    }
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareValues(a: unknown, b: unknown): number {
  const ta = typeRank(a);
  const tb = typeRank(b);
  if (ta !== tb) return ta - tb;
  if (typeof a === 'number') return a - (b as number);
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  if (typeof a === 'boolean') return Number(a) - Number(b);
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    for (let i = 0; i < Math.min(a.length, bb.length); i++) {
      const c = compareValues(a[i], bb[i]);
      if (c) return c;
    }
    return a.length - bb.length;
  }
  if (a && typeof a === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b as object).sort();
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
      const c = compareValues((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]]);
      if (c) return c;
    }
    return ka.length - kb.length;
  }
  return 0;
}

function typeRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return 1;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

export class FieldSet {
  /** Whether the path leading to this node is itself in the set. */
  member = false;
  readonly children = new Map<string, FieldSet>();

  static of(...paths: ReadonlyArray<readonly string[]>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Decode fieldsV1; throws on a malformed path element. */
  static fromFieldsV1(fields: unknown): FieldSet {
    const s = new FieldSet();
    s.readV1(fields);
    return s;
  }

  private readV1(fields: unknown): void {
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) throw new Error('fieldsV1 must be an object');
    for (const [k, v] of Object.entries(fields)) {
      if (k === '.') {
        this.member = true;
        continue;
      }
      parsePE(k);
      const child = this.node(k);
      const isLeaf = v && typeof v === 'object' && Object.keys(v).length === 0;
      if (isLeaf) child.member = true;
      else child.readV1(v);
    }
  }

  toFieldsV1(): Record<string, unknown> {
    return this.writeV1(false);
  }

  private writeV1(self: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (self && this.member && this.children.size > 0) out['.'] = {};
    for (const k of [...this.children.keys()].sort(comparePE)) out[k] = this.children.get(k)!.writeV1(true);
    return out;
  }

  private node(pe: string): FieldSet {
    let c = this.children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.children.set(pe, c);
    }
    return c;
  }

  insert(path: readonly string[]): void {
    if (path.length === 0) return;
    let n: FieldSet = this;
    for (const pe of path) n = n.node(pe);
    n.member = true;
  }

  has(path: readonly string[]): boolean {
    const n = this.at(path);
    return n !== undefined && n.member && path.length > 0;
  }

  /** The subtree at `path`, if any path of the set passes through it. */
  at(path: readonly string[]): FieldSet | undefined {
    let n: FieldSet | undefined = this;
    for (const pe of path) {
      n = n.children.get(pe);
      if (!n) return undefined;
    }
    return n;
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    const s = new FieldSet();
    s.member = this.member;
    for (const [k, c] of this.children) s.children.set(k, c.clone());
    return s;
  }

  union(other: FieldSet): FieldSet {
    const s = this.clone();
    s.addAll(other);
    return s;
  }

  private addAll(other: FieldSet): void {
    if (other.member) this.member = true;
    for (const [k, c] of other.children) this.node(k).addAll(c);
  }

  /** Members of this set that are not members of `other`. */
  difference(other: FieldSet): FieldSet {
    return this.filter(other, false);
  }

  /** Members of both sets. */
  intersection(other: FieldSet): FieldSet {
    return this.filter(other, true);
  }

  private filter(other: FieldSet | undefined, keepShared: boolean): FieldSet {
    const s = new FieldSet();
    s.member = this.member && (other?.member ?? false) === keepShared;
    for (const [k, c] of this.children) {
      const o = other?.children.get(k);
      if (keepShared && !o) continue;
      const f = c.filter(o, keepShared);
      if (!f.isEmpty()) s.children.set(k, f);
    }
    return s;
  }

  /** Every member path, in upstream's order. */
  paths(): string[][] {
    const out: string[][] = [];
    const walk = (n: FieldSet, prefix: string[]) => {
      for (const k of [...n.children.keys()].sort(comparePE)) {
        const c = n.children.get(k)!;
        const p = [...prefix, k];
        if (c.member) out.push(p);
        walk(c, p);
      }
    };
    walk(this, []);
    return out;
  }

  /**
   * The set with every field (f:) that leads to a member made a member too, as upstream's
   * EnsureNamedFieldsAreMembers does before pruning: owning .spec.replicas keeps .spec.
   */
  withFieldsAsMembers(): FieldSet {
    const s = this.clone();
    const walk = (n: FieldSet): boolean => {
      let any = n.member;
      for (const [k, c] of n.children) {
        if (walk(c)) {
          any = true;
          if (k.startsWith('f:')) c.member = true;
        }
      }
      return any;
    };
    walk(s);
    return s;
  }

  /** Whether this node, or anything below it, is a member. */
  covers(path: readonly string[]): boolean {
    const n = this.at(path);
    return n !== undefined && !n.isEmpty();
  }
}
