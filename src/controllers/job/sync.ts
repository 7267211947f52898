// One pass of the Job controller over one Job (upstream syncJob): count what its Pods did,
// decide whether the Job has succeeded or failed (backoffLimit, activeDeadlineSeconds,
// podFailurePolicy, successPolicy), keep the right number of Pods running, then hand the
// status to tracking.ts, which counts finished Pods through the tracking finalizer.
import { isPodActive, isPodReady, isPodTerminating, type Pod } from '../runtime/pods.js';
import { rfc3339 } from '../runtime/clock.js';
import type { BackoffRecord } from './backoff.js';
import { ensureCondition, findCondition, isJobFinished, newCondition, reasons, type Job, type JobCondition } from './conditions.js';
import type { JobController } from './controller.js';
import { completionIndex, Intervals, isIndexed, matchSuccessPolicy, succeededIndexes } from './indexed.js';
import { deleteActivePods, manageJob } from './manage.js';
import { matchPodFailurePolicy } from './podfailurepolicy.js';
import { hasTrackingFinalizer, isPodFailed } from './pods.js';
import { trackStatus } from './tracking.js';

/** What one sync knows about its Job; passed between sync, manage and tracking. */
export interface SyncContext {
  key: string;
  job: Job;
  /** The Job as last read or written: status writes compare against it and carry its resourceVersion. */
  stored: Job;
  pods: Pod[];
  activePods: Pod[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  /** status.uncountedTerminatedPods as read at the start of the sync. */
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  expectedRmFinalizers: Set<string>;
  /** The condition the Job is heading for, once it has succeeded or failed. */
  finished?: JobCondition;
  backoff: BackoffRecord;
  prevSucceededIndexes: Intervals;
  succeededIndexes: Intervals;
}

export async function syncJob(jm: JobController, key: string): Promise<void> {
  const shared = jm.jobs.get(key);
  if (!shared) {
    jm.expectations.forget(key);
    jm.finalizerExpectations.delete(key);
    jm.backoff.remove(key);
    return;
  }
  const managedBy = shared.spec?.managedBy;
  if (managedBy && managedBy !== 'kubernetes.io/job-controller') return;
  if (isJobFinished(shared)) {
    jm.backoff.remove(key);
    return;
  }
  const job: Job = structuredClone(shared);
  const mode = job.spec.completionMode ?? 'NonIndexed';
  if (mode !== 'NonIndexed' && mode !== 'Indexed') {
    jm.events.record(job, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
    return;
  }
  if (job.spec.backoffLimitPerIndex != null) {
    // Said out loud rather than ignored in silence (see README.md).
    jm.events.record(job, 'Warning', 'UnsupportedField', `spec.backoffLimitPerIndex is not supported by this job controller: failed Pods count against spec.backoffLimit (${job.spec.backoffLimit})`);
  }
  job.status ??= {};
  job.status.uncountedTerminatedPods ??= {};
  // Expectations first: a Pod created after this check waits for the next sync.
  const satisfied = jm.expectations.satisfied(key);
  const pods = await jm.podsForJob(job);
  const activePods = pods.filter(isPodActive);
  const uncounted = job.status.uncountedTerminatedPods;
  const ctx: SyncContext = {
    key,
    job,
    stored: shared,
    pods,
    activePods,
    ready: activePods.filter(isPodReady).length,
    terminating: pods.filter(isPodTerminating).length,
    succeeded: 0,
    failed: 0,
    uncounted: { succeeded: new Set(uncounted.succeeded ?? []), failed: new Set(uncounted.failed ?? []) },
    expectedRmFinalizers: jm.finalizerExpectations.expected(key),
    backoff: { key, failuresAfterLastSuccess: 0 },
    prevSucceededIndexes: new Intervals(),
    succeededIndexes: new Intervals(),
  };
  const fresh = newFinishedPods(ctx);
  ctx.succeeded = (job.status.succeeded ?? 0) + fresh.succeeded.length + ctx.uncounted.succeeded.size;
  ctx.failed = (job.status.failed ?? 0) + fresh.failed.filter((p) => matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed).length + ctx.uncounted.failed.size;
  const now = jm.clock.now();
  const suspended = job.spec.suspend === true;
  if (!job.status.startTime && !suspended) job.status.startTime = rfc3339(now);
  ctx.backoff = jm.backoff.next(key, fresh.succeeded, fresh.failed);

  // Once SuccessCriteriaMet is recorded the outcome is settled; otherwise look for a failure.
  ctx.finished = trueCondition(job, 'SuccessCriteriaMet');
  if (!ctx.finished) {
    const target = trueCondition(job, 'FailureTarget');
    if (target) ctx.finished = newCondition('Failed', target.reason ?? '', target.message ?? '', now);
    else {
      const message = failJobMessage(job, pods);
      if (message) ctx.finished = newCondition('FailureTarget', reasons.podFailurePolicy, message, now);
    }
  }
  if (!ctx.finished) {
    if (ctx.failed > job.spec.backoffLimit || pastBackoffLimitOnFailure(job, pods)) {
      ctx.finished = newCondition('FailureTarget', reasons.backoffLimitExceeded, 'Job has reached the specified backoff limit', now);
    } else if (pastActiveDeadline(job, now)) {
      ctx.finished = newCondition('FailureTarget', reasons.deadlineExceeded, 'Job was active longer than specified deadline', now);
    } else if (job.spec.activeDeadlineSeconds != null && !suspended) {
      jm.controller.enqueueAfter(key, job.spec.activeDeadlineSeconds * 1000 - (now - Date.parse(job.status.startTime)));
    }
  }
  if (isIndexed(job)) {
    const indexes = succeededIndexes(job, pods, hasTrackingFinalizer);
    ctx.prevSucceededIndexes = indexes.prev;
    ctx.succeededIndexes = indexes.now;
    ctx.succeeded = indexes.now.total();
    if (!ctx.finished) {
      const message = matchSuccessPolicy(job.spec.successPolicy, job.spec.completions, indexes.now);
      if (message) ctx.finished = newCondition('SuccessCriteriaMet', reasons.successPolicy, message, now);
    }
  }

  let active = activePods.length;
  let manageError: unknown;
  if (ctx.finished) {
    // A finished Job stops its remaining Pods; it is declared finished once they are gone.
    const r = await deleteActivePods(jm, job, activePods);
    if (r.deleted !== active || !satisfied) ctx.finished = undefined;
    active -= r.deleted;
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    manageError = r.error;
  } else {
    let managed = false;
    if (satisfied && !job.metadata.deletionTimestamp) {
      const r = await manageJob(jm, ctx);
      active = r.active;
      manageError = r.error;
      managed = true;
    }
    const completions: number | undefined = job.spec.completions ?? undefined;
    // Without completions, one success is enough once nothing else runs.
    const complete = completions === undefined ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= completions && active === 0;
    if (complete) {
      ctx.finished = newCondition('SuccessCriteriaMet', reasons.completionsReached, 'Reached expected number of succeeded pods', now);
    } else if (managed) {
      if (suspended) {
        if (ensureCondition(job, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) jm.events.record(job, 'Normal', 'Suspended', 'Job suspended');
      } else if (ensureCondition(job, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
        jm.events.record(job, 'Normal', 'Resumed', 'Job resumed');
        // activeDeadlineSeconds counts continuous activity: it starts over on resume.
        job.status.startTime = rfc3339(now);
      }
    }
  }
  job.status.active = active;
  job.status.ready = ctx.ready;
  job.status.terminating = ctx.terminating;
  await trackStatus(jm, ctx);
  if (manageError) throw manageError;
}

function trueCondition(job: Job, type: string): JobCondition | undefined {
  const c = findCondition(job, type);
  return c?.status === 'True' ? c : undefined;
}

/** Pods that finished since the Job last counted, still holding the finalizer and not already uncounted. */
function newFinishedPods(ctx: SyncContext): { succeeded: Pod[]; failed: Pod[] } {
  const indexed = isIndexed(ctx.job);
  const valid = (p: Pod) => {
    if (!hasTrackingFinalizer(p) || ctx.expectedRmFinalizers.has(p.metadata.uid!)) return false;
    if (!indexed) return true;
    const ix = completionIndex(p);
    return ix >= 0 && ix < ctx.job.spec.completions;
  };
  return {
    succeeded: ctx.pods.filter((p) => valid(p) && !ctx.uncounted.succeeded.has(p.metadata.uid!) && p.status?.phase === 'Succeeded'),
    failed: ctx.pods.filter((p) => valid(p) && !ctx.uncounted.failed.has(p.metadata.uid!) && isPodFailed(p, ctx.job)),
  };
}

function failJobMessage(job: Job, pods: Pod[]): string | undefined {
  if (!job.spec.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
    if (m.failJobMessage) return m.failJobMessage;
  }
  return undefined;
}

/** restartPolicy OnFailure: container restarts of running Pods count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  return job.spec.backoffLimit === 0 ? restarts > 0 : restarts >= job.spec.backoffLimit;
}

function pastActiveDeadline(job: Job, now: number): boolean {
  const ads = job.spec.activeDeadlineSeconds;
  if (ads == null || !job.status?.startTime || job.spec.suspend === true) return false;
  return now - Date.parse(job.status.startTime) >= ads * 1000;
}
