// Which dependents finalizers a DELETE leaves on an object (upstream's
// deletionFinalizersForGarbageCollection): `orphan` asks the garbage collector to release the
// dependents first, `foregroundDeletion` to delete them first. The request's propagation
// policy wins, then the finalizers the object already has, then the kind's default (some
// older kinds orphan by default in the version that introduced them, for compatibility).
import type { ResourceType } from '../api/resources.js';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';
export type GarbageCollectionPolicy = 'OrphanDependents' | 'DeleteDependents' | 'Unsupported';

const orphan = 'orphan';
const foreground = 'foregroundDeletion';

/** The kind's default when a request names no policy (upstream's DefaultGarbageCollectionPolicy, per served version). */
export function defaultGarbageCollectionPolicy(r: Pick<ResourceType, 'group' | 'version' | 'kind'>): GarbageCollectionPolicy {
  // Events are never owners worth waiting for: no dependents finalizers at all.
  if (r.kind === 'Event' && (r.group === '' || r.group === 'events.k8s.io')) return 'Unsupported';
  if (r.group === 'batch' && r.version === 'v1' && r.kind === 'Job') return 'OrphanDependents';
  if (r.group === '' && r.version === 'v1' && r.kind === 'ReplicationController') return 'OrphanDependents';
  return 'DeleteDependents';
}

function firstDependentsFinalizer(finalizers: string[]): string | undefined {
  return finalizers.find((f) => f === orphan || f === foreground);
}

export function shouldOrphanDependents(policy: GarbageCollectionPolicy, requested: PropagationPolicy | undefined, finalizers: string[]): boolean {
  if (policy === 'Unsupported') return false;
  if (requested) return requested === 'Orphan';
  const existing = firstDependentsFinalizer(finalizers);
  if (existing) return existing === orphan;
  return policy === 'OrphanDependents';
}

export function shouldDeleteDependents(policy: GarbageCollectionPolicy, requested: PropagationPolicy | undefined, finalizers: string[]): boolean {
  if (policy === 'Unsupported') return false;
  if (requested) return requested === 'Foreground';
  return firstDependentsFinalizer(finalizers) === foreground;
}

/** The finalizers after a DELETE, and whether they differ (as sets) from the current ones. */
export function deletionFinalizers(policy: GarbageCollectionPolicy, requested: PropagationPolicy | undefined, finalizers: string[]): { changed: boolean; finalizers: string[] } {
  const next = finalizers.filter((f) => f !== orphan && f !== foreground);
  if (shouldOrphanDependents(policy, requested, finalizers)) next.push(orphan);
  if (shouldDeleteDependents(policy, requested, finalizers)) next.push(foreground);
  const before = new Set(finalizers);
  const after = new Set(next);
  const changed = before.size !== after.size || [...after].some((f) => !before.has(f));
  return { changed, finalizers: changed ? next : finalizers };
}

/**
 * A namespace's first DELETE (upstream's namespace REST): orphan and foregroundDeletion as
 * the request asks, else as they are; namespaces have no default policy.
 */
export function namespaceDeletionFinalizers(requested: PropagationPolicy | undefined, finalizers: string[]): string[] {
  const has = (f: string) => finalizers.includes(f);
  const wantOrphan = requested ? requested === 'Orphan' : has(orphan);
  const wantForeground = requested ? requested === 'Foreground' : has(foreground);
  if (wantOrphan === has(orphan) && wantForeground === has(foreground)) return finalizers;
  const next = finalizers.filter((f) => f !== orphan && f !== foreground);
  if (wantOrphan) next.push(orphan);
  if (wantForeground) next.push(foreground);
  return next;
}
