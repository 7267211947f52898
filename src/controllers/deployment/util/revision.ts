// Revisions and the annotations a Deployment keeps on its ReplicaSets (upstream
// deployment_util): each ReplicaSet carries the revision it was last rolled out as, the
// revisions it had before (when a rollback reused it), the desired and maximum replica counts it
// was sized for (what proportional scaling divides by), and the Deployment's own annotations
// (e.g. kubernetes.io/change-cause, shown by `kubectl rollout history`).
import type { ReplicaSet } from '../../replicaset/types.js';
import { maxSurge } from './fenceposts.js';
import { desiredReplicas, type Deployment } from '../types.js';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
/** The rollback request of extensions/v1beta1 and apps/v1beta1, kept as an annotation in apps/v1. */
export const rollbackToAnnotation = 'deprecated.deployment.rollback.to';
const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** Upstream's default limit on the length of the revision-history annotation. */
export const maxRevisionHistoryChars = 2000;

/** Annotations that belong to one object and are never copied between Deployment and ReplicaSet. */
const notCopied = new Set([lastAppliedAnnotation, revisionAnnotation, revisionHistoryAnnotation, desiredReplicasAnnotation, maxReplicasAnnotation, rollbackToAnnotation]);

export const skipCopyAnnotation = (key: string): boolean => notCopied.has(key);

const int = (s: string | undefined): number | undefined => (s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : undefined);

/** The revision of a ReplicaSet (or Deployment), or undefined if it has none or it is malformed. */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number | undefined {
  return int(obj.metadata.annotations?.[revisionAnnotation]);
}

export function maxRevision(rss: ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) max = Math.max(max, revisionOf(rs) ?? 0);
  return max;
}

/** The second highest revision: what a rollback without a revision goes back to. */
export function lastRevision(rss: ReplicaSet[]): number {
  let max = 0;
  let second = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v === undefined) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) second = v;
  }
  return second;
}

/** Copy the Deployment's own annotations onto the ReplicaSet; true if any changed. */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  const rsAnnotations = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(k) || rsAnnotations[k] === v) continue;
    rsAnnotations[k] = v;
    changed = true;
  }
  return changed;
}

/** Set desired-replicas and max-replicas; true if either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of [[desiredReplicasAnnotation, String(desired)], [maxReplicasAnnotation, String(max)]]) {
    if (a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
}

export function desiredReplicasOf(rs: ReplicaSet): number | undefined {
  return int(rs.metadata.annotations?.[desiredReplicasAnnotation]);
}

export function maxReplicasOf(rs: ReplicaSet): number | undefined {
  return int(rs.metadata.annotations?.[maxReplicasAnnotation]);
}

/**
 * Bring the new ReplicaSet's annotations up to date (upstream SetNewReplicaSetAnnotations):
 * the Deployment's annotations, and the revision if `newRevision` is higher than the one it
 * has. A ReplicaSet that already had a revision is being rolled back to, so its old revision
 * joins revision-history (dropping the oldest entries beyond `historyLimitChars`). A ReplicaSet
 * about to be created also gets its replica annotations. True if anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, historyLimitChars = maxRevisionHistoryChars): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const a = (rs.metadata.annotations ??= {});
  const oldRevision = a[revisionAnnotation];
  const had = oldRevision !== undefined;
  let oldRevisionInt = 0;
  if (had && oldRevision !== '') {
    const parsed = int(oldRevision);
    if (parsed === undefined) return changed;
    oldRevisionInt = parsed;
  }
  if (oldRevisionInt < newRevision) {
    a[revisionAnnotation] = String(newRevision);
    changed = true;
    if (had) {
      const history = a[revisionHistoryAnnotation] ?? '';
      if (history === '') a[revisionHistoryAnnotation] = oldRevision;
      else {
        const entries = history.split(',');
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > historyLimitChars && start < entries.length) {
          total -= entries[start].length + 1;
          start++;
        }
        if (total <= historyLimitChars) a[revisionHistoryAnnotation] = [...entries.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** On rollback, the Deployment takes the annotations of the ReplicaSet it returns to (its change-cause among them). */
export function setDeploymentAnnotationsTo(d: Deployment, rs: ReplicaSet): void {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (skipCopyAnnotation(k)) kept[k] = v;
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!skipCopyAnnotation(k)) kept[k] = v;
  d.metadata.annotations = kept;
}
