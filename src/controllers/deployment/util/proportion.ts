// Proportional scaling (upstream GetProportion): when a Deployment is scaled in the middle of a
// rollout, every active ReplicaSet grows or shrinks in proportion to its share of the Pods, so
// neither the old nor the new template suddenly dominates. Example: 10 replicas, maxSurge 25%
// (3 of 10), rolling out with the old ReplicaSet at 8 and the new at 5 (both annotated max-replicas 13);
// scaled to 15, the limit becomes 15 + 4 (25% of 15, rounded up) = 19, six Pods to add:
// old 8 x 19/13 = 11.7 -> 12 (+4), new 5 x 19/13 = 7.3 -> 7 (+2). Leftovers from rounding go to
// the largest ReplicaSet (sync.ts).
import { specReplicas, type ReplicaSet } from '../../replicaset/types.js';
import { maxSurge } from './fenceposts.js';
import { maxReplicasOf } from './revision.js';
import { desiredReplicas, type Deployment } from '../types.js';

/** Go's math.Round for the non-negative sizes here: halves away from zero. */
const round = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/** How many replicas the ReplicaSet would gain (or lose, negative) to keep its share at the new size. */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const size = specReplicas(rs);
  // Scaling to zero takes everything away.
  if (desiredReplicas(d) === 0) return -size;
  const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
  // Without the annotation the Deployment's current size is the best guess; the min/max in
  // proportion() keeps the result within bounds.
  const annotated = maxReplicasOf(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return round((size * deploymentReplicas) / annotated) - size;
}

/**
 * The replicas to add to (or remove from, negative) this ReplicaSet, given `toAdd` for the
 * whole Deployment of which `added` are already handed out.
 */
export function proportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
