// Rollout progress (upstream progress.go): after each step of a rollout, status is written with
// the Progressing condition telling how the new ReplicaSet is doing — progressing (its
// lastUpdateTime moves whenever Pods get updated, ready or available, or old ones go), complete
// (NewReplicaSetAvailable), or stuck for longer than progressDeadlineSeconds
// (ProgressDeadlineExceeded, which `kubectl rollout status` reports as a failure). A rollout
// that makes no progress brings no events, so the controller asks to look again when the
// deadline would pass.
import type { Result } from '../runtime/controller.js';
import { calculateStatus, sameStatus, updateDeploymentStatus } from './sync.js';
import type { Deployment, DeploymentCondition, DeploymentDeps, DeploymentStatus, ReplicaSet } from './types.js';
import {
  deploymentComplete, deploymentProgressing, deploymentTimedOut, fromReplicaSetCondition, getCondition, hasProgressDeadline, newCondition, progressing, reasons,
  removeCondition, replicaFailure, setCondition,
} from './util/conditions.js';

export async function syncRolloutStatus(deps: DeploymentDeps, allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): Promise<Result | void> {
  const now = deps.clock.now();
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, progressing);
  const current = getCondition(d.status, progressing);
  // Only one ReplicaSet at full size and already reported complete: nothing to estimate.
  const alreadyComplete = status.replicas === status.updatedReplicas && current?.reason === reasons.newReplicaSetAvailable;
  if (hasProgressDeadline(d) && !alreadyComplete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition(progressing, 'True', reasons.newReplicaSetAvailable, `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      // Progress moves lastUpdateTime even when the reason stays the same; lastTransitionTime
      // stays while the condition remains True.
      const cond = newCondition(progressing, 'True', reasons.replicaSetUpdated, `${subject} is progressing.`, now);
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, progressing);
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(status, newCondition(progressing, 'False', reasons.progressDeadlineExceeded, `${subject} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailures(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, replicaFailure);

  if (sameStatus(d.status, status)) return requeueStuckDeployment(d, status, now);
  d.status = status;
  await updateDeploymentStatus(deps, d);
}

/** The ReplicaFailure condition of the new ReplicaSet, else of any old one. */
function replicaFailures(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const of = (rs: ReplicaSet | undefined) => rs?.status?.conditions?.find((c) => c.type === replicaFailure);
  const c = of(newRS) ?? allRSs.map(of).find(Boolean);
  return c ? fromReplicaSetCondition(c) : undefined;
}

/**
 * When to look again at a rollout that shows no progress: just after its Progressing
 * condition's lastUpdateTime + progressDeadlineSeconds. Example: updated at 00:00:00, a
 * deadline of 600 s, now 00:03:00 -> look again in 7 min (plus a second, to be past it).
 */
export function requeueStuckDeployment(d: Deployment, status: DeploymentStatus, nowMs: number): Result | void {
  const current = getCondition(d.status, progressing);
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, status) || current.reason === reasons.progressDeadlineExceeded) return;
  const updated = Date.parse(current.lastUpdateTime ?? '');
  if (Number.isNaN(updated)) return;
  const after = updated + d.spec.progressDeadlineSeconds! * 1000 - nowMs;
  return { requeueAfterMs: Math.max(0, after) + 1000 };
}
