// metadata.managedFields: which manager owns which fields. After every create, update and
// patch the fields that changed go to the writing manager (operation Update) and leave every
// other manager, without conflict; server-side apply (apply.ts) records its own way. Field
// sets come from the object's shape: list-map items by key, set items by value, atomic
// values whole — structured-merge-diff's rules, so the entries match a real cluster's.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ManagedFieldsEntry } from '../types.js';
import { PatchError } from './errors.js';
import { FieldSet, fieldPE, keyPE, valuePE } from './fieldpath.js';
import { isPlainObject } from './merge.js';
import { childOf, modelForKind, rootShape, type Shape } from './schema.js';

export type ManagedFieldsOperation = 'Apply' | 'Update';

/** One managedFields entry, decoded. */
export interface FieldManager {
  manager: string;
  operation: ManagedFieldsOperation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Fields no manager ever owns: identity and server-set bookkeeping (upstream's strip set). */
const unowned = FieldSet.of(
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ['f:metadata', 'f:name'],
  ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'],
  ['f:metadata', 'f:selfLink'],
  ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'],
  ['f:metadata', 'f:generation'],
  ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
);

export function stripUnowned(set: FieldSet): FieldSet {
  return set.difference(unowned);
}

/** Upstream keeps at most this many Update entries; older ones fold into "ancient-changes". */
export const maxUpdateManagers = 10;

/** RFC 3339 with whole seconds, as managedFields times are written. */
export function rfc3339Seconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The shape of an object: from `model`, else from its apiVersion and kind, else deduced. */
export function shapeOf(obj: unknown, model?: string): Shape {
  const o = isPlainObject(obj) ? obj : {};
  return rootShape(model ?? modelForKind(o.apiVersion as string, o.kind as string));
}

// ---- path elements of list items ----

/** The path element of each item of a list-map or set, or undefined when they cannot be told apart. */
export function listPathElements(list: unknown[], shape: ListShape): string[] | undefined {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const pe = itemPE(item, shape);
    if (pe === undefined || seen.has(pe)) return undefined;
    seen.add(pe);
    out.push(pe);
  }
  return out;
}

function itemPE(item: unknown, shape: ListShape): string | undefined {
  if (shape.listType === 'set') return item === null || typeof item !== 'object' ? valuePE(item) : undefined;
  if (!isPlainObject(item) || shape.keys.length === 0) return undefined;
  const key: Record<string, unknown> = {};
  for (const k of shape.keys) {
    const v = item[k] ?? shape.keyDefaults[k];
    if (v === undefined || v === null) return undefined;
    key[k] = v;
  }
  return keyPE(key);
}

/** Why an applied list cannot be merged item by item, or undefined when it can. */
export function listProblem(list: unknown[], shape: ListShape): string | undefined {
  const seen = new Set<string>();
  for (const item of list) {
    const pe = itemPE(item, shape);
    if (pe === undefined) {
      if (shape.listType === 'set') return 'a set may hold only scalar values';
      const missing = shape.keys.find((k) => !isPlainObject(item) || (item[k] ?? shape.keyDefaults[k]) == null);
      return `associative list with keys has an element that omits key field ${JSON.stringify(missing)} (and doesn't have default value)`;
    }
    if (seen.has(pe)) return `duplicate entries for key ${pe}`;
    seen.add(pe);
  }
  return undefined;
}

export type ListShape = Extract<Shape, { kind: 'list' }>;

/** The list shape when `v` is a list merged item by item (a list-map or a set). */
export function granularList(v: unknown, shape: Shape): ListShape | undefined {
  return Array.isArray(v) && shape.kind === 'list' && shape.listType !== 'atomic' ? shape : undefined;
}

export function isGranularMap(v: unknown, shape: Shape): v is Record<string, unknown> {
  return isPlainObject(v) && (shape.kind === 'struct' || shape.kind === 'map' || shape.kind === 'deduced');
}

// ---- field sets of values ----

/**
 * The fields a value sets: every scalar and atomic value, every list item, every map key,
 * and struct fields that hold null or {} (a struct field with content is implied by it).
 */
export function toFieldSet(obj: unknown, shape: Shape): FieldSet {
  const set = new FieldSet();
  collect(obj, shape, [], set, true);
  return set;
}

function collect(v: unknown, shape: Shape, path: string[], set: FieldSet, isRoot = false): void {
  if (isGranularMap(v, shape)) {
    for (const [k, cv] of Object.entries(v)) {
      const child = childOf(shape, k, isRoot);
      const p = [...path, fieldPE(k)];
      collect(cv, child.shape, p, set);
      if (cv === null || (isPlainObject(cv) && Object.keys(cv).length === 0) || !child.named) set.insert(p);
    }
    return;
  }
  const ls = granularList(v, shape);
  if (ls) {
    const pes = listPathElements(v as unknown[], ls);
    if (pes) {
      pes.forEach((pe, i) => {
        const p = [...path, pe];
        collect((v as unknown[])[i], ls.items, p, set);
        set.insert(p);
      });
      return;
    }
  }
  set.insert(path);
}

// ---- comparison ----

export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

/** The fields added, removed and modified from `before` to `after`. */
export function compareObjects(before: unknown, after: unknown, shape: Shape): Comparison {
  const c: Comparison = { added: new FieldSet(), removed: new FieldSet(), modified: new FieldSet() };
  compareAt(before, after, shape, [], c, true);
  return c;
}

function isEmptyish(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) ? v.length === 0 : isPlainObject(v) && Object.keys(v).length === 0);
}

function compareAt(l: unknown, r: unknown, shape: Shape, path: string[], c: Comparison, isRoot = false): void {
  const bothEmpty = isEmptyish(l) && isEmptyish(r);
  if (!bothEmpty && (l === undefined || isGranularMap(l, shape)) && (r === undefined || isGranularMap(r, shape))) {
    const lm = l as Record<string, unknown> | undefined;
    const rm = r as Record<string, unknown> | undefined;
    for (const k of new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})])) {
      const child = childOf(shape, k, isRoot);
      let lv = lm?.[k];
      let rv = rm?.[k];
      // Upstream objects carry such a field even unset; an empty one is not an added field.
      if (child.alwaysPresent) {
        if (lm && lv === undefined) lv = emptyLike(rv);
        if (rm && rv === undefined) rv = emptyLike(lv);
      }
      compareAt(lv, rv, child.shape, [...path, fieldPE(k)], c);
    }
    presence(l, r, path, c);
    return;
  }
  if (!bothEmpty && shape.kind === 'list' && (l === undefined || granularList(l, shape)) && (r === undefined || granularList(r, shape))) {
    const lp = l === undefined ? [] : listPathElements(l as unknown[], shape);
    const rp = r === undefined ? [] : listPathElements(r as unknown[], shape);
    if (lp && rp) {
      const li = new Map(lp.map((pe, i) => [pe, (l as unknown[])[i]]));
      const ri = new Map(rp.map((pe, i) => [pe, (r as unknown[])[i]]));
      for (const pe of new Set([...lp, ...rp])) compareAt(li.get(pe), ri.get(pe), shape.items, [...path, pe], c);
      presence(l, r, path, c);
      return;
    }
  }
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!isDeepStrictEqual(l, r)) c.modified.insert(path);
}

function emptyLike(v: unknown): unknown {
  return Array.isArray(v) ? [] : isPlainObject(v) ? {} : undefined;
}

function presence(l: unknown, r: unknown, path: string[], c: Comparison): void {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

// ---- encoding ----

function identity(m: Pick<FieldManager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  // An Apply entry is the same entry whatever apiVersion it was applied at.
  return JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource ?? '']);
}

/** Decode managedFields; throws on an entry upstream would refuse. */
export function decodeManagedFields(entries: unknown): FieldManager[] {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  const byId = new Map<string, FieldManager>();
  entries.forEach((raw: unknown, i) => {
    if (!isPlainObject(raw)) throw new Error(`managedFields[${i}] must be an object`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const m: FieldManager = {
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      subresource: e.subresource || undefined,
      time: e.time,
      set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}),
    };
    byId.set(identity(m), m);
  });
  return [...byId.values()];
}

/** Encode managers as managedFields, in upstream's order: Apply before Update, then oldest first. */
export function encodeManagedFields(managers: FieldManager[]): ManagedFieldsEntry[] {
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  const sorted = managers.slice().sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return sorted.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function findManager(managers: FieldManager[], id: Pick<FieldManager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): FieldManager | undefined {
  const want = identity(id);
  return managers.find((m) => identity(m) === want);
}

/** A copy of the object without metadata.managedFields, for comparing content. */
export function withoutManagedFields(obj: unknown): Record<string, unknown> {
  const o = isPlainObject(obj) ? structuredClone(obj) : {};
  if (isPlainObject(o.metadata)) delete o.metadata.managedFields;
  return o;
}

/** Set metadata.managedFields of `obj` from `managers` (removing it when there are none). */
export function withManagedFields<T extends Record<string, unknown>>(obj: T, managers: FieldManager[]): T {
  const live = managers.filter((m) => !m.set.isEmpty());
  const metadata = { ...(isPlainObject(obj.metadata) ? obj.metadata : {}) } as Record<string, unknown>;
  if (live.length) metadata.managedFields = encodeManagedFields(live);
  else delete metadata.managedFields;
  return { ...obj, metadata };
}

// ---- Update ----

export interface UpdateManagedFieldsOptions {
  /** The stored object; undefined on create. */
  oldObj: KubeObject | undefined;
  /** The object about to be stored; its managedFields, when set, replace the stored ones. */
  newObj: KubeObject;
  manager: string;
  operation: 'Update';
  /** The apiVersion the request used ('apps/v1'). */
  apiVersion: string;
  now: Date;
  subresource?: string;
  /** Client-node model of the kind; found from apiVersion and kind when omitted. */
  model?: string;
}

/**
 * Record a create, update or non-apply patch: the fields it added or changed become the
 * manager's and leave every other manager; removed fields leave everyone. Returns a copy of
 * newObj with metadata.managedFields set.
 */
export function updateManagedFields(opts: UpdateManagedFieldsOptions): KubeObject {
  const { oldObj, newObj, apiVersion, now, subresource } = opts;
  if (opts.operation !== 'Update') throw new PatchError(`managed fields operation ${JSON.stringify(opts.operation)} is not supported here; use serverSideApply`, 400);
  const shape = shapeOf(newObj, opts.model);
  const managers = startingManagers(oldObj, newObj, subresource);

  const before = oldObj ? withoutManagedFields(oldObj) : {};
  const after = withoutManagedFields(newObj);
  const diff = compareObjects(before, after, shape);
  const changed = diff.modified.union(diff.added).union(diff.removed);
  for (const m of managers) m.set = m.set.difference(changed);

  const mine = stripUnowned(diff.modified.union(diff.added));
  if (!mine.isEmpty()) {
    const id = { manager: opts.manager || 'unknown', operation: 'Update' as const, apiVersion, subresource };
    const existing = findManager(managers, id);
    if (existing) {
      existing.set = existing.set.union(mine);
      existing.time = rfc3339Seconds(now);
    } else {
      managers.push({ ...id, time: rfc3339Seconds(now), set: mine });
    }
  }
  return withManagedFields(newObj as Record<string, unknown>, capUpdateManagers(managers.filter((m) => !m.set.isEmpty()))) as KubeObject;
}

/**
 * The entries an update starts from: those the request sent, when it sent valid ones (an
 * empty list, or a single empty entry, resets them); otherwise the stored ones. A subresource
 * update always starts from the stored ones.
 */
function startingManagers(oldObj: KubeObject | undefined, newObj: KubeObject, subresource: string | undefined): FieldManager[] {
  const stored = () => {
    try {
      return decodeManagedFields(oldObj?.metadata?.managedFields);
    } catch {
      return [];
    }
  };
  if (subresource) return stored();
  const sent = newObj.metadata?.managedFields as unknown;
  if (Array.isArray(sent) && (sent.length === 0 || (sent.length === 1 && isPlainObject(sent[0]) && Object.keys(sent[0]).length === 0))) return [];
  try {
    const decoded = decodeManagedFields(sent);
    if (decoded.length) return decoded;
  } catch {
    // invalid entries in the request are ignored, as upstream does
  }
  return stored();
}

/** Fold the oldest Update entries of each apiVersion into "ancient-changes" beyond the cap. */
export function capUpdateManagers(managers: FieldManager[], max = maxUpdateManagers): FieldManager[] {
  const updaters = managers.filter((m) => m.operation === 'Update');
  if (updaters.length <= max) return managers;
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  updaters.sort((a, b) => seconds(a.time) - seconds(b.time) || cmp(identity(a), identity(b)));
  let result = managers.slice();
  let count = updaters.length;
  const firstOfVersion = new Map<string, FieldManager>();
  for (const m of updaters) {
    if (count <= max) break;
    const first = firstOfVersion.get(m.apiVersion);
    if (!first) {
      firstOfVersion.set(m.apiVersion, m);
      continue;
    }
    const bucketId = { manager: 'ancient-changes', operation: 'Update' as const, apiVersion: m.apiVersion };
    let bucket = findManager(result, bucketId);
    if (!bucket) {
      // The first entry of this version becomes the bucket.
      bucket = { ...bucketId, time: first.time, set: first.set };
      result = result.filter((x) => x !== first);
      result.push(bucket);
    }
    bucket.set = bucket.set.union(m.set);
    bucket.time = m.time;
    result = result.filter((x) => x !== m);
    count--;
  }
  return result;
}
