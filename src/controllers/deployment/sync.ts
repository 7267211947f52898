// The steps every strategy shares (upstream sync.go): finding the new and old ReplicaSets and
// keeping revisions in step, creating the new ReplicaSet, scaling (proportionally while a
// rollout is under way), pruning old ReplicaSets past revisionHistoryLimit, pause conditions,
// and computing status. `d` is the controller's own copy of the Deployment for this pass; every
// write refreshes it from the API server's answer, so later writes carry the latest resourceVersion.
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { controllerOf, controllerRef } from '../runtime/owners.js';
import { replicaSetsRef, specReplicas, type PodTemplateSpec } from '../replicaset/types.js';
import { deploymentObject, deploymentsRef, desiredReplicas, type Deployment, type DeploymentDeps, type DeploymentStatus, type ReplicaSet } from './types.js';
import { available, getCondition, hasProgressDeadline, newCondition, progressing, reasons, setCondition } from './util/conditions.js';
import { isRollingUpdate, maxSurge, maxUnavailable } from './util/fenceposts.js';
import { canonical, computeHash, equalIgnoreHash, podTemplateHashLabel } from './util/hash.js';
import { proportion } from './util/proportion.js';
import { bySizeNewer, bySizeOlder, byRevision, filterActive, findActiveOrLatest, findNewReplicaSet, findOldReplicaSets, isSaturated, newRSNewReplicas, sumAvailableReplicas, sumReadyReplicas, sumSpecReplicas, sumStatusReplicas } from './util/replicasets.js';
import { desiredReplicasOf, maxRevision, replicasAnnotationsNeedUpdate, revisionAnnotation, setNewReplicaSetAnnotations, setReplicasAnnotations } from './util/revision.js';

export interface ReplicaSets {
  newRS?: ReplicaSet;
  oldRSs: ReplicaSet[];
}

// ------------------------------------------------------------------ writes

/** Replace the contents of `d` with what the API server answered. */
function refresh(d: Deployment, fresh: KubeObject): void {
  for (const k of Object.keys(d)) delete (d as Record<string, unknown>)[k];
  Object.assign(d, fresh);
}

export async function updateDeploymentStatus(deps: DeploymentDeps, d: Deployment): Promise<void> {
  refresh(d, await deps.client.update(deploymentsRef(d.metadata.namespace), d, 'status'));
}

/** Write spec and metadata (a rollback), keeping the status computed so far. */
export async function updateDeployment(deps: DeploymentDeps, d: Deployment): Promise<void> {
  refresh(d, await deps.client.update(deploymentsRef(d.metadata.namespace), d));
}

/**
 * Record the revision on the Deployment. Upstream writes it with the status (its Deployment
 * status endpoint accepts annotations); a merge patch of the one annotation works on any server.
 */
async function writeDeploymentRevision(deps: DeploymentDeps, d: Deployment, revision: string): Promise<void> {
  const status = d.status;
  const fresh = await deps.client.patch(deploymentsRef(d.metadata.namespace), d.metadata.name!, { metadata: { annotations: { [revisionAnnotation]: revision } } }, 'merge');
  refresh(d, fresh);
  d.status = status;
}

async function updateReplicaSet(deps: DeploymentDeps, rs: ReplicaSet): Promise<ReplicaSet> {
  return deps.client.update<ReplicaSet>(replicaSetsRef(rs.metadata.namespace), rs);
}

// ------------------------------------------------------------------ new and old ReplicaSets

/**
 * The new ReplicaSet (created if `create` and missing) and the old ones, with revisions synced:
 * the new ReplicaSet's revision becomes one more than the highest old one, and the Deployment
 * carries the new ReplicaSet's revision.
 */
export async function getAllReplicaSetsAndSyncRevision(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<ReplicaSets> {
  const oldRSs = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(deps, d, rsList, oldRSs, create);
  return { newRS, oldRSs };
}

function selectorWithHash(d: Deployment, hash: string) {
  const selector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [podTemplateHashLabel]: hash };
  return selector;
}

async function getNewReplicaSet(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[], oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  d.status ??= {};

  if (existing) {
    const rs = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rs, newRevision, true);
    if (annotationsUpdated || (rs.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
      rs.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
      const updated = await updateReplicaSet(deps, rs);
      // Later steps of this pass start from what was written, not from the cache.
      rsList[rsList.indexOf(existing)] = updated;
      return updated;
    }
    const revision = rs.metadata.annotations?.[revisionAnnotation] ?? '';
    if (d.metadata.annotations?.[revisionAnnotation] !== revision) await writeDeploymentRevision(deps, d, revision);
    // A Deployment that never had a Progressing condition starts measuring progress now.
    if (hasProgressDeadline(d) && !getCondition(d.status, progressing)) {
      setCondition((d.status ??= {}), newCondition(progressing, 'True', reasons.foundNewReplicaSet, `Found new replica set "${rs.metadata.name}"`, deps.clock.now()));
      await updateDeploymentStatus(deps, d);
    }
    return rs;
  }
  if (!create) return undefined;

  const template: PodTemplateSpec = structuredClone(d.spec.template);
  const hash = computeHash(template, d.status.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [podTemplateHashLabel]: hash } };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')],
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector: selectorWithHash(d, hash), template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = replicas;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await deps.client.create<ReplicaSet>(replicaSetsRef(d.metadata.namespace), newRS);
  } catch (err) {
    if (err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists') {
      alreadyExists = true;
      const rs = await deps.client.get<ReplicaSet>(replicaSetsRef(d.metadata.namespace), newRS.metadata.name!);
      if (controllerOf(rs)?.uid !== d.metadata.uid || !equalIgnoreHash(d.spec.template, rs.spec.template)) {
        // A different ReplicaSet has this name: a hash collision. Count it, so the next pass hashes differently.
        d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
        await updateDeploymentStatus(deps, d);
        throw err;
      }
      created = rs;
    } else {
      if (err instanceof ApiError && err.code === 403 && /because it is being terminated/.test(err.message)) throw err;
      const msg = `Failed to create new replica set "${newRS.metadata.name}": ${(err as Error).message}`;
      if (hasProgressDeadline(d)) {
        setCondition(d.status, newCondition(progressing, 'False', reasons.replicaSetCreateError, msg, deps.clock.now()));
        await updateDeploymentStatus(deps, d).catch(() => undefined);
      }
      deps.events.record(deploymentObject(d), 'Warning', reasons.replicaSetCreateError, msg);
      throw err;
    }
  }
  if (!alreadyExists && replicas > 0) {
    deps.events.record(deploymentObject(d), 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
  }
  const revision = String(newRevision);
  if (d.metadata.annotations?.[revisionAnnotation] !== revision) await writeDeploymentRevision(deps, d, revision);
  if (!alreadyExists && hasProgressDeadline(d)) {
    setCondition((d.status ??= {}), newCondition(progressing, 'True', reasons.newReplicaSetCreated, `Created new replica set "${created.metadata.name}"`, deps.clock.now()));
    await updateDeploymentStatus(deps, d);
  }
  return created;
}

// ------------------------------------------------------------------ scaling

export interface ScaleOutcome {
  scaled: boolean;
  rs: ReplicaSet;
}

/** Resize a ReplicaSet (and its replica annotations), with a ScalingReplicaSet event when the size changes. */
export async function scaleReplicaSet(deps: DeploymentDeps, rs: ReplicaSet, newScale: number, d: Deployment, operation?: string): Promise<ScaleOutcome> {
  const oldScale = specReplicas(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  const desired = desiredReplicas(d);
  const max = desired + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const updated = await updateReplicaSet(deps, copy);
  if (!sizeNeedsUpdate) return { scaled: false, rs: updated };
  const op = operation ?? (oldScale < newScale ? 'up' : 'down');
  deps.events.record(deploymentObject(d), 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
  return { scaled: true, rs: updated };
}

export async function scaleReplicaSetAndRecordEvent(deps: DeploymentDeps, rs: ReplicaSet, newScale: number, d: Deployment): Promise<ScaleOutcome> {
  if (specReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(deps, rs, newScale, d);
}

/**
 * Follow a change of spec.replicas. With one active ReplicaSet, resize it. With a saturated
 * new ReplicaSet, retire the old ones. Mid-rollout, spread the change over the active
 * ReplicaSets in proportion to their size (util/proportion.ts), the rounding leftovers going to
 * the largest.
 */
export async function scale(deps: DeploymentDeps, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const one = findActiveOrLatest(newRS, oldRSs);
  if (one) {
    if (specReplicas(one) !== desiredReplicas(d)) await scaleReplicaSetAndRecordEvent(deps, one, desiredReplicas(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) await scaleReplicaSetAndRecordEvent(deps, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = filterActive([...oldRSs, newRS]);
  const allowed = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(all);
  let operation: string | undefined;
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    const p = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0;
    sizes.set(rs.metadata.name!, specReplicas(rs) + p);
    added += p;
  }
  for (const [i, rs] of all.entries()) {
    let size = sizes.get(rs.metadata.name!)!;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    await scaleReplicaSet(deps, rs, size, d, operation);
  }
}

/** Whether spec.replicas changed since the active ReplicaSets were sized (their desired-replicas annotation). */
export async function isScalingEvent(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  for (const rs of filterActive([...oldRSs, newRS])) {
    const desired = desiredReplicasOf(rs);
    if (desired !== undefined && desired !== desiredReplicas(d)) return true;
  }
  return false;
}

// ------------------------------------------------------------------ history and status

/** Delete the oldest old ReplicaSets beyond revisionHistoryLimit, only those fully scaled down. */
export async function cleanupDeployment(deps: DeploymentDeps, oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === undefined || limit === null || limit === 2 ** 31 - 1) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - limit;
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (const rs of cleanable.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await deps.client.delete(replicaSetsRef(rs.metadata.namespace), rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}

function withoutZeros<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== undefined)) as T;
}

/** The Deployment's status from its ReplicaSets, with the Available condition brought up to date. */
export function calculateStatus(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const availableReplicas = sumAvailableReplicas(allRSs);
  const totalReplicas = sumSpecReplicas(allRSs);
  // Zero counts are left out, as upstream's JSON (omitempty) leaves them out.
  const status = withoutZeros<DeploymentStatus>({
    observedGeneration: d.metadata.generation,
    replicas: sumStatusReplicas(allRSs),
    updatedReplicas: sumStatusReplicas([newRS]),
    readyReplicas: sumReadyReplicas(allRSs),
    availableReplicas,
    unavailableReplicas: Math.max(0, totalReplicas - availableReplicas),
  });
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = structuredClone(d.status.conditions);
  if (availableReplicas >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(available, 'True', reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', nowMs));
  } else {
    setCondition(status, newCondition(available, 'False', reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

export const sameStatus = (a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean => JSON.stringify(canonical(a ?? {})) === JSON.stringify(canonical(b ?? {}));

export async function syncDeploymentStatus(deps: DeploymentDeps, allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const status = calculateStatus(allRSs, newRS, d, deps.clock.now());
  if (sameStatus(d.status, status)) return;
  d.status = status;
  await updateDeploymentStatus(deps, d);
}

/** Scaling only, no rollout: a paused Deployment, or a change of spec.replicas. */
export async function sync(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[], rollbackInFlight: boolean): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  await scale(deps, d, newRS, oldRSs);
  if (d.spec.paused && !rollbackInFlight) await cleanupDeployment(deps, oldRSs, d);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d);
}

/** Status only: a Deployment being deleted. */
export async function syncStatusOnly(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d);
}

/**
 * Pausing and resuming show in the Progressing condition (Unknown, DeploymentPaused /
 * DeploymentResumed), so time spent paused never counts against progressDeadlineSeconds.
 */
export async function checkPausedConditions(deps: DeploymentDeps, d: Deployment): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, progressing);
  if (cond?.reason === reasons.progressDeadlineExceeded) return;
  const pausedCondExists = cond?.reason === reasons.deploymentPaused;
  const now = deps.clock.now();
  if (d.spec.paused && !pausedCondExists) {
    setCondition((d.status ??= {}), newCondition(progressing, 'Unknown', reasons.deploymentPaused, 'Deployment is paused', now));
  } else if (!d.spec.paused && pausedCondExists) {
    setCondition((d.status ??= {}), newCondition(progressing, 'Unknown', reasons.deploymentResumed, 'Deployment is resumed', now));
  } else return;
  await updateDeploymentStatus(deps, d);
}
