// Strategic merge patch, the patch kubectl apply/edit/patch send for built-in kinds: a JSON
// merge patch in which lists marked patchStrategy=merge merge item by item (by patchMergeKey,
// or as a union for lists of scalars) instead of being replaced, plus the directives
//   $patch: replace | delete | merge      on a map, or as an item of a merge list
//   $retainKeys: [..]                     clear every field of the map not listed
//   $setElementOrder/<list>: [..]         the order the merged list must have
//   $deleteFromPrimitiveList/<list>: [..] scalars to remove from a merge list
// None of the directives is ever stored. Without a model (custom resources) lists are replaced.
import { PatchError } from './errors.js';
import { isPlainObject } from './merge.js';
import { childOf, modelForKind, rootShape, type Child, type Shape } from './schema.js';

type Obj = Record<string, unknown>;

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/**
 * Apply a strategic merge patch to a copy of `doc`. `model` is the client-node model of the
 * object ('V1Deployment'); when omitted it is found from the object's apiVersion and kind.
 */
export function strategicMergePatch(doc: unknown, patch: unknown, model?: string): unknown {
  if (!isPlainObject(patch)) throw new PatchError('a strategic merge patch must be a JSON object', 400);
  const original = isPlainObject(doc) ? structuredClone(doc) : {};
  const shape = rootShape(model ?? modelForKind(original.apiVersion as string, original.kind as string));
  return mergeMap(original, structuredClone(patch), shape, true);
}

function mergeMap(original: Obj, patch: Obj, shape: Shape, isRoot = false): Obj {
  if (PATCH in patch) {
    const directive = patch[PATCH];
    delete patch[PATCH];
    if (directive === 'replace') return mergeMap({}, patch, shape, isRoot);
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw new PatchError(`unknown patch type: ${JSON.stringify(directive)} in map`, 400);
  }
  if (RETAIN_KEYS in patch) retainKeys(original, patch);

  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    setElementOrder(original, patch, key.slice(SET_ORDER.length), order, childOf(shape, key.slice(SET_ORDER.length), isRoot));
  }

  for (const [key, value] of Object.entries(patch)) {
    const isDeleteList = key.startsWith(DELETE_FROM);
    const field = isDeleteList ? key.slice(DELETE_FROM.length) : key;
    if (isDeleteList && !Array.isArray(value)) throw new PatchError(`${key} must be a list`, 400);
    if (value === null) {
      delete original[field];
      continue;
    }
    const child = childOf(shape, field, isRoot);
    const current = original[field];
    if (!(field in original) || kindOf(current) !== kindOf(value)) {
      if (isDeleteList) continue;
      const v = fresh(value, child);
      if (v === undefined) delete original[field];
      else original[field] = v;
      continue;
    }
    if (isPlainObject(current) && isPlainObject(value)) {
      original[field] = child.patchStrategy.includes('replace') ? mergeMap({}, value, child.shape) : mergeMap(current, value, child.shape);
    } else if (Array.isArray(current) && Array.isArray(value)) {
      original[field] = child.patchStrategy.includes('merge') || isDeleteList ? mergeList(current, value, child, isDeleteList) : fresh(value, child);
    } else {
      original[field] = value;
    }
  }
  return original;
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'list' : isPlainObject(v) ? 'map' : typeof v;
}

/** The value a patch gives a field the original lacks: directives applied, never stored. */
function fresh(value: unknown, child: Child): unknown {
  if (isPlainObject(value)) return value[PATCH] === 'delete' ? undefined : mergeMap({}, value, child.shape);
  if (Array.isArray(value)) {
    if (child.patchStrategy.includes('merge')) return mergeList([], value, child, false);
    const items = itemShape(child.shape);
    return value.filter((v) => !(isPlainObject(v) && PATCH in v)).map((v) => (isPlainObject(v) ? mergeMap({}, v, items) : v));
  }
  return value;
}

function itemShape(shape: Shape): Shape {
  return shape.kind === 'list' ? shape.items : { kind: 'deduced' };
}

/** $retainKeys: every key of the patch must be listed; keys of the original not listed go. */
function retainKeys(original: Obj, patch: Obj): void {
  const keys = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keys)) throw new PatchError('invalid patch format of retainKeys: $retainKeys must be a list', 400);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM) || k.startsWith(SET_ORDER) || k === PATCH) continue;
    if (!keys.includes(k)) throw new PatchError(`invalid patch format of retainKeys: ${JSON.stringify(k)} is in the patch but not in $retainKeys`, 400);
  }
  for (const k of Object.keys(original)) if (!keys.includes(k)) delete original[k];
}

function setElementOrder(original: Obj, patch: Obj, field: string, order: unknown, child: Child): void {
  if (!Array.isArray(order)) throw new PatchError(`${SET_ORDER}${field} must be a list`, 400);
  const current = original[field];
  const patchList = patch[field];
  if (current !== undefined && !Array.isArray(current)) throw new PatchError(`${field} is not a list, so ${SET_ORDER}${field} does not apply`, 422);
  // A null or non-list patch value is handled as an ordinary key later.
  if (patchList !== undefined && !Array.isArray(patchList)) return;
  const mergeKey = child.mergeKey;
  if (Array.isArray(patchList)) validateOrder(patchList, order, mergeKey, field);

  let merged: unknown[];
  if (current !== undefined && patchList !== undefined) {
    merged = child.patchStrategy.includes('merge') ? mergeList(current, patchList, child, false) : (fresh(patchList, child) as unknown[]);
  } else if (patchList !== undefined) {
    merged = fresh(patchList, child) as unknown[];
  } else if (current !== undefined) {
    merged = current;
  } else {
    return;
  }
  delete patch[field];
  const isMaps = merged.some(isPlainObject);
  if (isMaps && !mergeKey) {
    original[field] = merged;
    return;
  }
  const id = identity(mergeKey);
  const inOrder = new Set(order.map(id));
  const patchItems = merged.filter((v) => inOrder.has(id(v)));
  const serverOnly = merged.filter((v) => !inOrder.has(id(v)));
  original[field] = arrange(patchItems, serverOnly, order, current ?? [], id);
}

/** The order list must name the patch's items (deletions aside) in the same relative order. */
function validateOrder(patchList: unknown[], order: unknown[], mergeKey: string | undefined, field: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const id = identity(mergeKey);
  const items = patchList.filter((v) => !(isPlainObject(v) && PATCH in v));
  let p = 0;
  for (let o = 0; o < order.length && p < items.length; o++) {
    const item = items[p];
    if (mergeKey !== undefined && isPlainObject(item) && !(mergeKey in item)) throw noMergeKey(item, mergeKey);
    if (id(items[p]) === id(order[o])) p++;
  }
  if (p < items.length) {
    throw new PatchError(`the order in the patch list ${field} (${JSON.stringify(patchList)}) doesn't match ${SET_ORDER}${field} (${JSON.stringify(order)})`, 400);
  }
}

/** How two items of a merge list are the same item: by merge key value, or by value for scalars. */
function identity(mergeKey: string | undefined): (v: unknown) => string {
  return (v) => JSON.stringify(mergeKey !== undefined && isPlainObject(v) ? v[mergeKey] : v) ?? 'undefined';
}

function mergeList(current: unknown[], patch: unknown[], child: Child, isDeleteList: boolean): unknown[] {
  if (current.length === 0 && patch.length === 0) return current;
  const sample = [...current, ...patch][0];
  if (Array.isArray(sample)) throw new PatchError('lists of lists cannot be merged', 422);
  if (!isPlainObject(sample)) {
    const id = identity(undefined);
    if (isDeleteList) {
      const gone = new Set(patch.map(id));
      return current.filter((v) => !gone.has(id(v)));
    }
    const seen = new Set<string>();
    const merged = [...current, ...patch].filter((v) => !seen.has(id(v)) && seen.add(id(v)));
    const inPatch = new Set(patch.map(id));
    return arrange(merged.filter((v) => inPatch.has(id(v))), merged.filter((v) => !inPatch.has(id(v))), patch, current, id);
  }

  const mergeKey = child.mergeKey;
  if (!mergeKey) throw new PatchError('cannot merge lists of objects without a merge key', 422);
  let original = current.slice();
  let items: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    if (!isPlainObject(v)) throw new PatchError(`list items must all be objects to merge by ${mergeKey}`, 422);
    if (!(PATCH in v)) {
      items.push(v);
      continue;
    }
    const directive = v[PATCH];
    if (directive === 'delete') {
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
      original = original.filter((o) => !(isPlainObject(o) && same(o[mergeKey], v[mergeKey])));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new PatchError('merging lists cannot yet be specified in the patch', 400);
    } else {
      throw new PatchError(`unknown patch type: ${JSON.stringify(directive)} in list item ${JSON.stringify(v)}`, 400);
    }
  }
  const shape = itemShape(child.shape);
  if (replace) {
    original = items.map((v) => mergeMap({}, v as Obj, shape));
    items = [];
  }
  const serverOrder = original.slice();
  for (const v of items as Obj[]) {
    if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    const at = original.findIndex((o) => isPlainObject(o) && same(o[mergeKey], v[mergeKey]));
    if (at >= 0) original[at] = mergeMap(original[at] as Obj, v, shape);
    else original.push(mergeMap({}, v, shape));
  }
  const id = identity(mergeKey);
  const inPatch = new Set(items.map(id));
  return arrange(original.filter((v) => inPatch.has(id(v))), original.filter((v) => !inPatch.has(id(v))), items, serverOrder, id);
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (a !== undefined && JSON.stringify(a) === JSON.stringify(b));
}

function noMergeKey(item: unknown, mergeKey: string): PatchError {
  return new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`, 422);
}

/**
 * The order of a merged list. Items the patch names keep the patch's order; items only the
 * server has keep the server's order; the two are interleaved so that a server-only item goes
 * before a patch item when the server already had it before that item. Items new to the server
 * come first: server [a, b] patched with [c] gives [c, a, b], as upstream does.
 */
function arrange(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], id: (v: unknown) => string): unknown[] {
  const rank = (list: unknown[]) => {
    const m = new Map<string, number>();
    list.forEach((v, i) => {
      if (!m.has(id(v))) m.set(id(v), i);
    });
    return m;
  };
  const byOrder = (order: Map<string, number>) => (a: unknown, b: unknown) => {
    const x = order.get(id(a)) ?? order.size;
    const y = order.get(id(b)) ?? order.size;
    return x - y;
  };
  const server = rank(serverOrder);
  const right = patchItems.slice().sort(byOrder(rank(patchOrder)));
  const left = serverOnly.slice().sort(byOrder(server));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = server.get(id(left[i]));
      const ri = server.get(id(right[j]));
      if (li !== undefined && ri !== undefined && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
