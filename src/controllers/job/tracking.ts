// Counting finished Pods exactly once (upstream trackJobStatusAndRemoveFinalizers). A finished
// Pod keeps the batch.kubernetes.io/job-tracking finalizer until the Job has counted it:
//   1. its UID goes into status.uncountedTerminatedPods, and that status is written;
//   2. the finalizer is removed from the Pod;
//   3. UIDs whose Pod no longer has the finalizer move from the uncounted lists into
//      status.succeeded / status.failed.
// A crash between any two steps leaves enough in the status to finish the count without
// counting a Pod twice. Only then may the Job get its terminal condition.
import { isDeepStrictEqual } from 'node:util';
import type { Pod } from '../runtime/pods.js';
import { ensureCondition, newCondition, type Job } from './conditions.js';
import { jobsRef, type JobController } from './controller.js';
import { completionIndex, isIndexed } from './indexed.js';
import { matchPodFailurePolicy } from './podfailurepolicy.js';
import { hasTrackingFinalizer, isPodFailed } from './pods.js';
import type { SyncContext } from './sync.js';

/** Keeps the uncounted lists (and so the status object) well under upstream's 20 KB budget. */
const maxUncountedPods = 500;

export async function trackStatus(jm: JobController, ctx: SyncContext): Promise<void> {
  const { job } = ctx;
  const now = jm.clock.now();
  const indexed = isIndexed(job);
  const uncounted = job.status.uncountedTerminatedPods;
  uncounted.succeeded = [...(uncounted.succeeded ?? [])];
  uncounted.failed = [...(uncounted.failed ?? [])];
  const pods = indexed ? [...ctx.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : ctx.pods;
  const withFinalizer = new Set(pods.filter((p) => hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(p.metadata.uid!)).map((p) => p.metadata.uid!));
  countUncounted(job, withFinalizer);

  const toRemove: Pod[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMax = false;
  for (const pod of pods) {
    const uid = pod.metadata.uid!;
    if (!hasTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) continue;
    const failed = isPodFailed(pod, job);
    if (!canRemoveFinalizer(ctx, pod, failed)) continue;
    toRemove.push(pod);
    const ix = completionIndex(pod);
    const validIndex = ix >= 0 && ix < job.spec.completions;
    if (pod.status?.phase === 'Succeeded' && !ctx.uncounted.failed.has(uid)) {
      if (indexed) {
        if (validIndex && !ctx.prevSucceededIndexes.has(ix)) newSucceededIndexes.push(ix);
      } else if (!ctx.uncounted.succeeded.has(uid)) uncounted.succeeded.push(uid);
    } else if (failed || (ctx.finished && ctx.finished.type !== 'SuccessCriteriaMet')) {
      // Once the Job has failed, every Pod that did not succeed counts as failed.
      if (!ctx.uncounted.failed.has(uid) && (!indexed || validIndex) && matchPodFailurePolicy(job.spec.podFailurePolicy, pod).countFailed) {
        uncounted.failed.push(uid);
      }
    }
    if (newSucceededIndexes.length + uncounted.succeeded.length + uncounted.failed.length >= maxUncountedPods) {
      reachedMax = true;
      break;
    }
  }
  if (indexed) {
    ctx.succeededIndexes = ctx.succeededIndexes.with(newSucceededIndexes);
    job.status.succeeded = ctx.succeededIndexes.total();
    job.status.completedIndexes = ctx.succeededIndexes.toString();
  }
  // The interim condition is written before any finalizer goes; the terminal one follows.
  if (ctx.finished?.type === 'FailureTarget') {
    job.status.conditions = [...(job.status.conditions ?? []), ctx.finished];
    ctx.finished = newCondition('Failed', ctx.finished.reason ?? '', ctx.finished.message ?? '', now);
  }
  if (ctx.finished?.type === 'SuccessCriteriaMet') {
    if (!(job.status.conditions ?? []).some((c: any) => c.type === 'SuccessCriteriaMet' && c.status === 'True')) job.status.conditions = [...(job.status.conditions ?? []), ctx.finished];
    ctx.finished = newCondition('Complete', ctx.finished.reason ?? '', ctx.finished.message ?? '', now);
  }

  if (statusChanged(ctx)) {
    await writeStatus(jm, ctx);
    jm.backoff.update(ctx.backoff);
  }
  let removeError: unknown;
  if (toRemove.length > 0) {
    jm.finalizerExpectations.expectRemoved(ctx.key, toRemove.map((p) => p.metadata.uid!));
    await Promise.all(
      toRemove.map(async (pod) => {
        try {
          await jm.removeTrackingFinalizer(pod);
          withFinalizer.delete(pod.metadata.uid!);
        } catch (err) {
          jm.finalizerExpectations.observed(ctx.key, pod.metadata.uid!);
          removeError ??= err;
        }
      }),
    );
  }
  countUncounted(job, withFinalizer);
  if (removeError) {
    if (statusChanged(ctx)) await writeStatus(jm, ctx);
    throw removeError;
  }
  const finished = !reachedMax && enactJobFinished(ctx, now);
  if (statusChanged(ctx)) {
    await writeStatus(jm, ctx);
    if (finished) recordJobFinished(jm, job, ctx.finished!.type, ctx.finished!.reason ?? '', ctx.finished!.message ?? '');
  }
}

/** Pods whose finalizer is gone are counted: their UIDs leave the uncounted lists. */
function countUncounted(job: Job, withFinalizer: Set<string>): void {
  const u = job.status.uncountedTerminatedPods;
  const keepS = (u.succeeded ?? []).filter((uid: string) => withFinalizer.has(uid));
  const keepF = (u.failed ?? []).filter((uid: string) => withFinalizer.has(uid));
  job.status.succeeded = (job.status.succeeded ?? 0) + (u.succeeded ?? []).length - keepS.length;
  job.status.failed = (job.status.failed ?? 0) + (u.failed ?? []).length - keepF.length;
  u.succeeded = keepS;
  u.failed = keepF;
}

/** A finished Pod may lose its finalizer; so may every Pod of a Job that is done or deleted. */
function canRemoveFinalizer(ctx: SyncContext, pod: Pod, failed: boolean): boolean {
  if (ctx.job.metadata.deletionTimestamp || ctx.finished || pod.status?.phase === 'Succeeded') return true;
  return failed;
}

/** The terminal condition, once every finished Pod is counted and no Pod is terminating. */
function enactJobFinished(ctx: SyncContext, now: number): boolean {
  const f = ctx.finished;
  if (!f) return false;
  const u = ctx.job.status.uncountedTerminatedPods;
  if ((u.succeeded?.length ?? 0) + (u.failed?.length ?? 0) > 0) return false;
  if (ctx.terminating > 0) return false;
  ensureCondition(ctx.job, f.type, 'True', f.reason ?? '', f.message ?? '', now);
  if (f.type === 'Complete') ctx.job.status.completionTime = ctx.job.status.conditions.find((c: any) => c.type === 'Complete').lastTransitionTime;
  return true;
}

function recordJobFinished(jm: JobController, job: Job, type: string, reason: string, message: string): void {
  if (type === 'Complete') {
    if (job.spec.completions != null && job.status.succeeded > job.spec.completions) {
      jm.events.record(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
    jm.events.record(job, 'Normal', 'Completed', 'Job completed');
  } else {
    jm.events.record(job, 'Warning', reason, message);
  }
}

/** Status as the server keeps it: empty lists dropped, so comparisons see real changes only. */
function normalized(status: any): unknown {
  return JSON.parse(JSON.stringify(status ?? {}, (_k, v) => (Array.isArray(v) && v.length === 0 ? undefined : v)));
}

function statusChanged(ctx: SyncContext): boolean {
  return !isDeepStrictEqual(normalized(ctx.stored.status), normalized(ctx.job.status));
}

async function writeStatus(jm: JobController, ctx: SyncContext): Promise<void> {
  const body = { ...ctx.job, metadata: { ...ctx.job.metadata, resourceVersion: ctx.stored.metadata.resourceVersion }, status: normalized(ctx.job.status) };
  const stored = await jm.client.update<Job>(jobsRef(ctx.job.metadata.namespace), body, 'status');
  ctx.stored = stored;
}
