// Server-side apply (kubectl apply --server-side, Helm 4): the applied configuration is merged
// into the live object and its fields become the manager's (operation Apply). Fields the
// manager applied last time but leaves out now are removed unless another manager owns them.
// Changing a field another manager owns is a conflict unless force moves it. Lists merge by
// their list type: map by key, set by value, atomic whole; maps and structs field by field.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../types.js';
import { ApplyConflictError, PatchError, type ApplyConflict } from './errors.js';
import { FieldSet, fieldPE, pathString } from './fieldpath.js';
import {
  compareObjects,
  decodeManagedFields,
  findManager,
  granularList,
  isGranularMap,
  listPathElements,
  listProblem,
  rfc3339Seconds,
  shapeOf,
  stripUnowned,
  toFieldSet,
  withManagedFields,
  withoutManagedFields,
  type FieldManager,
  type ListShape,
} from './managedfields.js';
import { isPlainObject } from './merge.js';
import { childOf, type Shape } from './schema.js';

export interface ServerSideApplyOptions {
  /** The stored object, or for a create the bare object to apply onto (apiVersion, kind, name). */
  live: KubeObject;
  /** The apply configuration the client sent. */
  applied: KubeObject;
  manager: string;
  force: boolean;
  /** Client-node model of the kind; found from apiVersion and kind when omitted. */
  model?: string;
  /** The apiVersion the request used ('apps/v1'). */
  apiVersion: string;
  now: Date;
  subresource?: string;
}

/** Manager upstream credits with the fields of an object that had no managedFields before its first apply. */
export const beforeFirstApply = 'before-first-apply';

/**
 * The object after applying `applied` as `manager`, with metadata.managedFields updated.
 * Throws ApplyConflictError when fields owned by other managers would change and force is false,
 * PatchError when the configuration cannot be applied.
 */
export function serverSideApply(opts: ServerSideApplyOptions): KubeObject {
  const { applied, manager, force, apiVersion, now, subresource } = opts;
  if (!isPlainObject(applied)) throw new PatchError('an apply configuration must be an object', 400);
  if (isPlainObject(applied.metadata) && applied.metadata.managedFields != null) throw new PatchError('metadata.managedFields must be nil', 400);
  const shape = shapeOf(applied, opts.model);
  checkApplied(applied, shape, [], true);

  const live = withoutManagedFields(opts.live);
  let managers: FieldManager[];
  try {
    managers = decodeManagedFields(opts.live?.metadata?.managedFields);
  } catch (err) {
    throw new PatchError(`failed to decode managed fields: ${(err as Error).message}`, 422);
  }
  if (managers.length === 0) {
    // Fields set before anyone applied belong to someone: upstream names them so.
    const before = stripUnowned(ownedByUpdate({}, live, shape));
    if (!before.isEmpty()) managers.push({ manager: beforeFirstApply, operation: 'Update', apiVersion, time: rfc3339Seconds(now), set: before });
  }

  const id = { manager, operation: 'Apply' as const, apiVersion, subresource };
  const previous = findManager(managers, id);
  const applier: FieldManager = { ...id, time: previous?.time, set: toFieldSet(applied, shape) };
  managers = [...managers.filter((m) => m !== previous), applier];

  const merged = mergeValues(live, applied, shape, true) as Record<string, unknown>;
  const result = prune(merged, managers, previous?.set, shape);

  const diff = compareObjects(live, result, shape);
  const changed = diff.modified.union(diff.added);
  const conflicts: ApplyConflict[] = [];
  for (const m of managers) {
    if (m === applier) continue;
    for (const path of m.set.intersection(changed).paths()) {
      conflicts.push({ manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, subresource: m.subresource, field: pathString(path) });
    }
  }
  if (conflicts.length && !force) {
    conflicts.sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0));
    throw new ApplyConflictError(conflicts);
  }
  for (const m of managers) if (m !== applier) m.set = m.set.difference(changed).difference(diff.removed);
  applier.set = stripUnowned(applier.set);
  if (!applier.time || !isDeepStrictEqual(live, result)) applier.time = rfc3339Seconds(now);

  return withManagedFields(result, managers) as KubeObject;
}

/** The fields an Update from `before` to `after` would take. */
function ownedByUpdate(before: unknown, after: unknown, shape: Shape): FieldSet {
  const diff = compareObjects(before, after, shape);
  return diff.modified.union(diff.added);
}

/** Refuse configurations whose list-map items cannot be told apart. */
function checkApplied(v: unknown, shape: Shape, path: string[], isRoot = false): void {
  if (isGranularMap(v, shape)) {
    for (const [k, cv] of Object.entries(v)) checkApplied(cv, childOf(shape, k, isRoot).shape, [...path, fieldPE(k)]);
  } else {
    const ls = granularList(v, shape);
    if (!ls) return;
    const problem = listProblem(v as unknown[], ls);
    if (problem) throw new PatchError(`${pathString(path)}: ${problem}`, 422);
    for (const item of v as unknown[]) checkApplied(item, ls.items, path);
  }
}

/**
 * Merge the configuration into the live value. A null in the configuration removes the field.
 * List items keep the configuration's order; items only the live list has stay next to the
 * items they followed.
 */
function mergeValues(l: unknown, r: unknown, shape: Shape, isRoot = false): unknown {
  if (r === undefined) return l;
  if (r === null) return undefined;
  if (isGranularMap(r, shape) && (l === undefined || isGranularMap(l, shape))) {
    const out: Record<string, unknown> = { ...((l as Record<string, unknown>) ?? {}) };
    for (const [k, rv] of Object.entries(r)) {
      const v = mergeValues(out[k], rv, childOf(shape, k, isRoot).shape);
      if (v === undefined) delete out[k];
      else out[k] = v;
    }
    return out;
  }
  const ls = granularList(r, shape);
  if (ls && (l === undefined || granularList(l, shape))) {
    const lhs = (l as unknown[] | undefined) ?? [];
    const lp = listPathElements(lhs, ls);
    const rp = listPathElements(r as unknown[], ls);
    if (lp && rp) return mergeLists(lhs, lp, r as unknown[], rp, ls);
  }
  return withoutNulls(r);
}

function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}

/**
 * Walk both lists together. Shared items come out in the configuration's order; a live item
 * the configuration lacks comes out where the live list had it, unless it sits among shared
 * items the configuration reordered, in which case it follows the live item it came after.
 */
function mergeLists(lhs: unknown[], lp: string[], rhs: unknown[], rp: string[], shape: ListShape): unknown[] {
  const lItems = new Map(lp.map((pe, i) => [pe, lhs[i]]));
  const rItems = new Map(rp.map((pe, i) => [pe, rhs[i]]));
  const shared = rp.filter((pe) => lItems.has(pe));
  let nextShared = 0;
  const emitted = new Set<string>();
  const out: unknown[] = [];
  const emit = (pe: string) => {
    emitted.add(pe);
    out.push(mergeValues(lItems.get(pe), rItems.get(pe), shape.items));
    if (shared[nextShared] === pe) nextShared++;
  };
  let li = 0;
  let ri = 0;
  while (li < lp.length || ri < rp.length) {
    if (li < lp.length && ri < rp.length) {
      if (lp[li] === rp[ri]) {
        emit(rp[ri]);
        li++;
        ri++;
        continue;
      }
      // A shared item out of the configuration's order waits until the configuration reaches it.
      if (rItems.has(lp[li]) && nextShared < shared.length && shared[nextShared] !== lp[li]) {
        li++;
        continue;
      }
    }
    if (li < lp.length) {
      if (!rItems.has(lp[li])) {
        out.push(lItems.get(lp[li]));
        li++;
        continue;
      }
      if (emitted.has(lp[li])) li++;
    }
    if (ri < rp.length) {
      if (!emitted.has(rp[ri])) emit(rp[ri]);
      ri++;
    }
  }
  return out;
}

/**
 * Remove what the manager applied last time and no longer does, unless a manager (the applier's
 * new configuration included) owns it or anything inside it.
 */
function prune(merged: Record<string, unknown>, managers: FieldManager[], last: FieldSet | undefined, shape: Shape): Record<string, unknown> {
  if (!last || last.isEmpty()) return merged;
  const lastE = last.withFieldsAsMembers();
  let owned = new FieldSet();
  for (const m of managers) owned = owned.union(m.set);
  const walk = (v: unknown, s: Shape, path: string[], isRoot = false): unknown => {
    const here = lastE.at(path);
    if (!here || here.children.size === 0) return v;
    if (isGranularMap(v, s)) {
      const out: Record<string, unknown> = {};
      for (const [k, cv] of Object.entries(v)) {
        const p = [...path, fieldPE(k)];
        if (lastE.has(p) && !owned.covers(p)) continue;
        out[k] = walk(cv, childOf(s, k, isRoot).shape, p);
      }
      return out;
    }
    const ls = granularList(v, s);
    if (ls) {
      const list = v as unknown[];
      const pes = listPathElements(list, ls);
      if (!pes) return v;
      const out: unknown[] = [];
      pes.forEach((pe, i) => {
        const p = [...path, pe];
        if (lastE.has(p) && !owned.covers(p)) return;
        out.push(walk(list[i], ls.items, p));
      });
      return out;
    }
    return v;
  };
  return walk(merged, shape, [], true) as Record<string, unknown>;
}
