// Keeping the right number of a Job's Pods running (upstream manageJob): delete surplus Pods
// (and every Pod of a suspended Job), or create missing ones in slow-start batches (1, 2, 4,
// ...) so a Job that cannot create Pods (a quota, say) fails fast instead of flooding the API
// server, and not before the pod failure backoff has passed.
import { ApiError } from '../../api/errors.js';
import { core } from '../../client/client.js';
import { compareForDeletion, isPodReady, type Pod } from '../runtime/pods.js';
import { remainingBackoffMs } from './backoff.js';
import type { Job } from './conditions.js';
import type { JobController } from './controller.js';
import { duplicatedIndexPodsForRemoval, firstPendingIndexes, isIndexed } from './indexed.js';
import { onlyReplaceFailedPods, podFromTemplate } from './pods.js';
import type { SyncContext } from './sync.js';

const maxPodCreateDeletePerSync = 500;

export interface ManageResult {
  active: number;
  error?: unknown;
}

export async function manageJob(jm: JobController, ctx: SyncContext): Promise<ManageResult> {
  const { job, key, activePods } = ctx;
  let active = activePods.length;
  const parallelism: number = job.spec.parallelism ?? 1;
  if (job.spec.suspend === true) {
    const r = await deleteJobPods(jm, ctx, activePodsForRemoval(job, activePods, active));
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }
  let wantActive: number;
  if (job.spec.completions == null) {
    // Work-queue Jobs: once one Pod succeeded, let the rest finish and start no more.
    wantActive = ctx.succeeded > 0 ? active : parallelism;
  } else {
    wantActive = Math.max(0, Math.min(parallelism, job.spec.completions - ctx.succeeded));
  }
  const surplus = activePodsForRemoval(job, activePods, Math.max(0, active - wantActive)).slice(0, maxPodCreateDeletePerSync);
  if (surplus.length > 0) {
    // One kind of change per sync: deletions first.
    const r = await deleteJobPods(jm, ctx, surplus);
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }
  // With podReplacementPolicy Failed, a terminating Pod still holds its place.
  const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
  let diff = Math.min(wantActive - terminating - active, maxPodCreateDeletePerSync);
  if (diff <= 0) return { active };
  const wait = remainingBackoffMs(ctx.backoff, jm.clock.now(), jm.podFailureBackoffMs, jm.maxPodFailureBackoffMs);
  if (wait > 0) {
    jm.controller.enqueueAfter(key, Math.max(wait, jm.batchPeriodMs));
    return { active };
  }
  let indexes: number[] | undefined;
  if (isIndexed(job)) {
    indexes = firstPendingIndexes(activePods, ctx.succeededIndexes, diff, job.spec.completions);
    diff = indexes.length;
  }
  jm.expectations.expectCreations(key, diff);
  active += diff;
  const errors: unknown[] = [];
  for (let batch = Math.min(diff, 1); diff > 0; batch = Math.min(2 * batch, diff)) {
    const before = errors.length;
    const creates: Promise<void>[] = [];
    for (let i = 0; i < batch; i++) {
      const index = indexes?.shift();
      creates.push(
        createPod(jm, job, index).catch((err) => {
          jm.expectations.creationObserved(key);
          active--;
          errors.push(err);
        }),
      );
    }
    await Promise.all(creates);
    const skipped = diff - batch;
    if (errors.length > before && skipped > 0) {
      // Creations are failing: do not try the rest now; the next sync starts slow again.
      active -= skipped;
      for (let i = 0; i < skipped; i++) jm.expectations.creationObserved(key);
      break;
    }
    diff -= batch;
  }
  return { active, error: errors[0] };
}

async function createPod(jm: JobController, job: Job, index: number | undefined): Promise<void> {
  try {
    const pod = await jm.client.create(core('pods', job.metadata.namespace), podFromTemplate(job, index));
    jm.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
  } catch (err) {
    const message = (err as Error).message;
    // A namespace being deleted refuses every create; saying so per Pod helps nobody.
    if (!/because it is being terminated/.test(message)) jm.events.record(job, 'Warning', 'FailedCreate', `Error creating: ${message}`);
    throw err;
  }
}

/**
 * The Pods to delete so at least `atLeast` go, the least valuable first; an Indexed Job also
 * drops Pods with a bad or repeated index.
 */
export function activePodsForRemoval(job: Job, pods: Pod[], atLeast: number): Pod[] {
  let remove: Pod[] = [];
  let left = pods;
  if (isIndexed(job)) ({ remove, keep: left } = duplicatedIndexPodsForRemoval(pods, job.spec.completions));
  if (remove.length < atLeast) remove = [...remove, ...[...left].sort(compareForDeletion).slice(0, atLeast - remove.length)];
  return remove;
}

interface DeleteResult {
  deleted: number;
  deletedReady: number;
  error?: unknown;
}

/** Delete surplus Pods, dropping their finalizer first: a Pod removed this way is not counted. */
async function deleteJobPods(jm: JobController, ctx: SyncContext, pods: Pod[]): Promise<DeleteResult> {
  if (pods.length === 0) return { deleted: 0, deletedReady: 0 };
  jm.expectations.expectDeletions(ctx.key, pods.map((p) => p.metadata.uid!));
  return deletePods(jm, ctx.job, pods, async (pod) => {
    try {
      await jm.removeTrackingFinalizer(pod);
      await deletePod(jm, ctx.job, pod);
    } catch (err) {
      jm.expectations.deletionObserved(ctx.key, pod.metadata.uid!);
      throw err;
    }
  });
}

/** Delete a finished Job's remaining Pods, keeping finalizers so they are still counted. */
export function deleteActivePods(jm: JobController, job: Job, pods: Pod[]): Promise<DeleteResult> {
  return deletePods(jm, job, pods, (pod) => deletePod(jm, job, pod));
}

async function deletePods(jm: JobController, job: Job, pods: Pod[], del: (p: Pod) => Promise<void>): Promise<DeleteResult> {
  const result: DeleteResult = { deleted: 0, deletedReady: 0 };
  await Promise.all(
    pods.map(async (pod) => {
      try {
        await del(pod);
        result.deleted++;
        if (isPodReady(pod)) result.deletedReady++;
      } catch (err) {
        result.error ??= err;
      }
    }),
  );
  return result;
}

async function deletePod(jm: JobController, job: Job, pod: Pod): Promise<void> {
  try {
    await jm.client.delete(core('pods', pod.metadata.namespace), pod.metadata.name!);
    jm.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return;
    jm.events.record(job, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
    throw err;
  }
}
