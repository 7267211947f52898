// The RollingUpdate strategy (upstream rolling.go): one step per pass. Grow the new ReplicaSet
// into the room maxSurge leaves; if it cannot grow, shrink old ReplicaSets by what
// maxUnavailable allows; write status; the ReplicaSet and Pod events that follow bring the
// next pass.
//
// Worked example: 10 replicas, maxSurge 3, maxUnavailable 2, a new template.
//   - At most 10 + 3 = 13 Pods may exist; at least 10 - 2 = 8 must be available.
//   - Pass 1: old 10, new 0. 13 - 10 = 3 Pods of room: new -> 3 (13 Pods).
//   - Pass 2: the new Pods are not available yet. The new ReplicaSet cannot grow (13 exist).
//     Old ones may lose: all 13 - min available 8 - new unavailable 3 = 2: old -> 8.
//     Available now: 8 old, 0 new = 8 = the minimum.
//   - Pass 3 (after the 3 new Pods become available): room 13 - 11 = 2: new -> 5.
//   - Pass 4: 13 Pods, 11 available (8 old + 3 new), new unavailable 2:
//     13 - 8 - 2 = 3 may go: old -> 5. And so on until new = 10, old = 0.
// With maxUnavailable 0 (and maxSurge 1) an old Pod goes only once a new one is available, so
// a ready Pod is never taken away before its replacement can serve.
// New Pods that never become available (a broken image) stall the rollout: the old
// ReplicaSet is never taken below the minimum, and progressDeadlineSeconds reports it.
import { specReplicas } from '../replicaset/types.js';
import { syncRolloutStatus } from './progress.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.js';
import { desiredReplicas, type Deployment, type DeploymentDeps, type ReplicaSet } from './types.js';
import type { Result } from '../runtime/controller.js';
import { deploymentComplete } from './util/conditions.js';
import { maxUnavailable } from './util/fenceposts.js';
import { byCreationTimestamp, filterActive, newRSNewReplicas, sumAvailableReplicas, sumSpecReplicas } from './util/replicasets.js';

export async function rolloutRolling(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[]): Promise<Result | void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true);
  const rs = newRS!;
  const all = [...oldRSs, rs];
  if (await reconcileNewReplicaSet(deps, all, rs, d)) return syncRolloutStatus(deps, all, rs, d);
  if (await reconcileOldReplicaSets(deps, all, filterActive(oldRSs), rs, d)) return syncRolloutStatus(deps, all, rs, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRSs, d);
  return syncRolloutStatus(deps, all, rs, d);
}

/** The size the new ReplicaSet should have after this step: grown into maxSurge's room, or cut to spec.replicas. */
export function newReplicaSetSize(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  const desired = desiredReplicas(d);
  return specReplicas(newRS) > desired ? desired : newRSNewReplicas(d, all, newRS);
}

async function reconcileNewReplicaSet(deps: DeploymentDeps, all: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (specReplicas(newRS) === desiredReplicas(d)) return false;
  return (await scaleReplicaSetAndRecordEvent(deps, newRS, newReplicaSetSize(d, all, newRS), d)).scaled;
}

export interface ScaleStep {
  rs: ReplicaSet;
  size: number;
}

/**
 * How far old ReplicaSets may shrink in this step without going below minAvailable: all Pods -
 * minAvailable - the new ReplicaSet's unavailable Pods. Counting the new Pods that are not
 * available yet keeps a stalled new ReplicaSet from letting old Pods go, while a rollback
 * (whose "new" ReplicaSet is the healthy old one) frees the broken Pods at once.
 */
export function maxScaledDown(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  return sumSpecReplicas(all) - minAvailable - newUnavailable;
}

/**
 * The old ReplicaSets' sizes for this step, in two phases applied in order: first their
 * unavailable replicas go (costing no availability), oldest ReplicaSet first, at most
 * maxScaledDown; then available ones, while more than minAvailable Pods are available.
 */
export function planOldReplicaSets(d: Deployment, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): { cleanup: ScaleStep[]; scaleDown: ScaleStep[] } {
  const cleanup: ScaleStep[] = [];
  const scaleDown: ScaleStep[] = [];
  const max = maxScaledDown(d, all, newRS);
  if (sumSpecReplicas(oldRSs) === 0 || max <= 0) return { cleanup, scaleDown };
  const sizes = new Map(oldRSs.map((rs) => [rs, specReplicas(rs)]));
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= max) break;
    const size = sizes.get(rs)!;
    const unhealthy = size - (rs.status?.availableReplicas ?? 0);
    if (size === 0 || unhealthy <= 0) continue;
    const count = Math.min(max - cleaned, unhealthy);
    sizes.set(rs, size - count);
    cleanup.push({ rs, size: size - count });
    cleaned += count;
  }
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const availableNow = sumAvailableReplicas([...oldRSs, newRS]);
  if (availableNow <= minAvailable) return { cleanup, scaleDown };
  const toScaleDown = availableNow - minAvailable;
  let total = 0;
  for (const rs of sorted) {
    if (total >= toScaleDown) break;
    const size = sizes.get(rs)!;
    if (size === 0) continue;
    const count = Math.min(size, toScaleDown - total);
    scaleDown.push({ rs, size: size - count });
    total += count;
  }
  return { cleanup, scaleDown };
}

async function reconcileOldReplicaSets(deps: DeploymentDeps, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  const { cleanup, scaleDown } = planOldReplicaSets(d, all, oldRSs, newRS);
  // A ReplicaSet scaled in both phases is written twice; the second write starts from the first's answer.
  const latest = new Map<ReplicaSet, ReplicaSet>();
  for (const step of [...cleanup, ...scaleDown]) {
    const rs = latest.get(step.rs) ?? step.rs;
    latest.set(step.rs, (await scaleReplicaSetAndRecordEvent(deps, rs, step.size, d)).rs);
  }
  return cleanup.length + scaleDown.length > 0;
}
