// The Recreate strategy (upstream recreate.go): scale every old ReplicaSet to zero, wait until
// none of their Pods is still running, then create the new ReplicaSet at full size. Never
// two templates at once, at the price of a gap in service.
import type { Result } from '../runtime/controller.js';
import type { Pod } from '../runtime/pods.js';
import { syncRolloutStatus } from './progress.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.js';
import { desiredReplicas, type Deployment, type DeploymentDeps, type ReplicaSet } from './types.js';
import { deploymentComplete } from './util/conditions.js';
import { filterActive, sumStatusReplicas } from './util/replicasets.js';

/** Pods by the uid of the ReplicaSet controlling them. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): Promise<Result | void> {
  // Do not create the new ReplicaSet yet: nothing may scale up before the old Pods are gone.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  let all = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) if ((await scaleReplicaSetAndRecordEvent(deps, rs, 0, d)).scaled) scaledDown = true;
  if (scaledDown) return syncRolloutStatus(deps, all, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(deps, all, newRS, d);
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true));
    all = [...oldRSs, newRS];
  }
  await scaleReplicaSetAndRecordEvent(deps, newRS!, desiredReplicas(d), d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRSs, d);
  return syncRolloutStatus(deps, all, newRS, d);
}

/** Whether any Pod of an old ReplicaSet may still be running (anything not Succeeded or Failed counts). */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: PodMap): boolean {
  if (sumStatusReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
