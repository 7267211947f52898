// A Deployment's ReplicaSets: which one is new (its template is the Deployment's), which are
// old, how many replicas they add up to, and the orders upstream sorts them in.
import { specReplicas, type ReplicaSet } from '../../replicaset/types.js';
import { maxSurge } from './fenceposts.js';
import { equalIgnoreHash } from './hash.js';
import { desiredReplicasOf, revisionOf } from './revision.js';
import { desiredReplicas, type Deployment } from '../types.js';

const created = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** Oldest first; the same second breaks by name (upstream ReplicaSetsByCreationTimestamp). */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);
}

/** Largest first, newer first among equals: where scaling up puts leftovers (ReplicaSetsBySizeNewer). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || -byCreationTimestamp(a, b);
}

/** Largest first, older first among equals: where scaling down takes leftovers (ReplicaSetsBySizeOlder). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreationTimestamp(a, b);
}

/** Lowest revision first, then oldest (upstream ReplicaSetsByRevision): the order old ReplicaSets are pruned in. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra === undefined || rb === undefined || ra === rb) return byCreationTimestamp(a, b);
  return ra - rb;
}

/** The oldest ReplicaSet whose template is the Deployment's, if any (upstream FindNewReplicaSet). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(d: Deployment, rss: ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rss);
  return rss.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/** ReplicaSets asked to run Pods. */
export function filterActive(rss: Array<ReplicaSet | undefined>): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);
}

export const sumSpecReplicas = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
export const sumStatusReplicas = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const sumReadyReplicas = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailableReplicas = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

/**
 * The one ReplicaSet to scale when only one is (or none is) active: the active one, or the
 * newest if none is; undefined if several are active (upstream FindActiveOrLatest).
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const sorted = [...oldRSs].sort(byCreationTimestamp).reverse();
  const active = filterActive([newRS, ...sorted]);
  if (active.length === 0) return newRS ?? sorted[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new ReplicaSet runs every desired Pod, all of them available (upstream IsSaturated). */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = desiredReplicas(d);
  return desiredReplicasOf(rs) === want && specReplicas(rs) === want && (rs.status?.availableReplicas ?? 0) === want;
}

/**
 * The size of the new ReplicaSet after one scale-up step (upstream NewRSNewReplicas): for
 * RollingUpdate, grow it into whatever room maxSurge leaves above spec.replicas, never past
 * spec.replicas; for Recreate, straight to spec.replicas.
 */
export function newRSNewReplicas(d: Deployment, all: Array<ReplicaSet | undefined>, newRS: ReplicaSet): number {
  const desired = desiredReplicas(d);
  if (d.spec.strategy?.type !== 'RollingUpdate') return desired;
  const current = sumSpecReplicas(all);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, desired - specReplicas(newRS));
}
