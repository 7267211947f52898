// The pure pieces of garbage collection: object identities, how owner references changed
// between two versions of an object, the deletion states the finalizers express, and the
// bounded cache of owners the API server said are gone. No I/O here.
import type { KubeObject, OwnerReference } from '../../api/types.js';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

/** An object as the collector names it: owner-reference coordinates plus namespace. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
}

/** Upstream's text for an identity in events and logs: "[apps/v1/ReplicaSet, namespace: a, name: b, uid: c]". */
export function identityText(id: ObjectIdentity): string {
  return `[${id.apiVersion}/${id.kind}, namespace: ${id.namespace}, name: ${id.name}, uid: ${id.uid}]`;
}

export function identityOf(obj: KubeObject, apiVersion: string, kind: string): ObjectIdentity {
  return { apiVersion, kind, name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '', namespace: obj.metadata.namespace ?? '' };
}

/** The identity an owner reference claims for its owner, seen from a dependent in `namespace`. */
export function referencedIdentity(ref: OwnerReference, namespace: string): ObjectIdentity {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace };
}

/** Whether a reference names the owner exactly as it is (uid, name, kind and apiVersion). */
export function referenceMatches(ref: OwnerReference, owner: ObjectIdentity): boolean {
  return ref.uid === owner.uid && ref.name === owner.name && ref.kind === owner.kind && ref.apiVersion === owner.apiVersion;
}

export function ownerReferencesOf(obj: KubeObject): OwnerReference[] {
  return obj.metadata.ownerReferences ?? [];
}

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

export function beingDeleted(obj: KubeObject): boolean {
  return Boolean(obj.metadata.deletionTimestamp);
}

/** Deleted in the foreground: it stays until its blocking dependents are gone. */
export function deletingDependents(obj: KubeObject): boolean {
  return beingDeleted(obj) && hasFinalizer(obj, foregroundFinalizer);
}

/** Whether this version of the object starts a deletion that waits on `finalizer` (the previous did not). */
export function deletionStartsWithFinalizer(old: KubeObject | undefined, obj: KubeObject, finalizer: string): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, finalizer)) return false;
  return !old || !beingDeleted(old) || !hasFinalizer(old, finalizer);
}

export interface ReferenceChanges {
  added: OwnerReference[];
  removed: OwnerReference[];
  /** Same uid, something else changed (blockOwnerDeletion, controller, name...). */
  changed: Array<{ old: OwnerReference; new: OwnerReference }>;
}

export function referencesDiff(old: OwnerReference[], next: OwnerReference[]): ReferenceChanges {
  const before = new Map(old.map((r) => [r.uid, r]));
  const changes: ReferenceChanges = { added: [], removed: [], changed: [] };
  for (const ref of next) {
    const prior = before.get(ref.uid);
    if (!prior) changes.added.push(ref);
    else {
      if (!sameReference(prior, ref)) changes.changed.push({ old: prior, new: ref });
      before.delete(ref.uid);
    }
  }
  changes.removed.push(...before.values());
  return changes;
}

function sameReference(a: OwnerReference, b: OwnerReference): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.uid === b.uid && (a.controller ?? null) === (b.controller ?? null) && (a.blockOwnerDeletion ?? null) === (b.blockOwnerDeletion ?? null);
}

/**
 * Owners whose foreground deletion a change may unblock: a blocking reference went away, or
 * its blockOwnerDeletion was turned off.
 */
export function unblockedOwners(changes: ReferenceChanges): string[] {
  const uids = changes.removed.filter((r) => r.blockOwnerDeletion === true).map((r) => r.uid);
  for (const c of changes.changed) if (c.old.blockOwnerDeletion === true && c.new.blockOwnerDeletion !== true) uids.push(c.new.uid);
  return uids;
}

/** The propagation policy the collector deletes an ownerless object with: what its finalizers already ask for. */
export function propagationFor(obj: KubeObject): 'Orphan' | 'Foreground' | 'Background' {
  if (hasFinalizer(obj, orphanFinalizer)) return 'Orphan';
  if (hasFinalizer(obj, foregroundFinalizer)) return 'Foreground';
  return 'Background';
}

/**
 * Owners the API server said do not exist (upstream's absentOwnerCache): a dependent whose
 * owner is known gone is not asked about again. Least recently used entries go first.
 */
export class AbsentOwnerCache {
  private readonly entries = new Map<string, true>();

  constructor(private readonly size = 500) {}

  private static key(id: ObjectIdentity): string {
    return `${id.uid}|${id.apiVersion}|${id.kind}|${id.name}|${id.namespace}`;
  }

  add(id: ObjectIdentity): void {
    const key = AbsentOwnerCache.key(id);
    this.entries.delete(key);
    this.entries.set(key, true);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  has(id: ObjectIdentity): boolean {
    const key = AbsentOwnerCache.key(id);
    if (!this.entries.has(key)) return false;
    this.entries.delete(key);
    this.entries.set(key, true);
    return true;
  }
}
