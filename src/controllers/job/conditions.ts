// Job conditions as upstream's job controller writes them (Kubernetes 1.31+): a Job that has
// met its success criteria or hit a failure first gets the interim SuccessCriteriaMet or
// FailureTarget condition, and the terminal Complete or Failed condition only once none of
// its Pods is still terminating.
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../runtime/clock.js';

export interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export type Job = KubeObject & { spec: any; status?: any };

export const reasons = {
  backoffLimitExceeded: 'BackoffLimitExceeded',
  deadlineExceeded: 'DeadlineExceeded',
  podFailurePolicy: 'PodFailurePolicy',
  completionsReached: 'CompletionsReached',
  successPolicy: 'SuccessPolicy',
} as const;

export function newCondition(type: string, reason: string, message: string, now: number, status = 'True'): JobCondition {
  return { type, status, reason, message, lastProbeTime: rfc3339(now), lastTransitionTime: rfc3339(now) };
}

export function findCondition(job: Job, type: string): JobCondition | undefined {
  return (job.status?.conditions as JobCondition[] | undefined)?.find((c) => c.type === type);
}

/** Complete or Failed and true: nothing more to do for this Job. */
export function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of (job.status?.conditions ?? []) as JobCondition[]) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

export function isJobFinished(job: Job): boolean {
  return finishedType(job) !== undefined;
}

/**
 * Set a condition to the given status, reason and message (upstream ensureJobConditionStatus):
 * an existing one is replaced only when something differs; a false condition is never added
 * from nothing. Returns whether the list changed.
 */
export function ensureCondition(job: Job, type: string, status: string, reason: string, message: string, now: number): boolean {
  job.status ??= {};
  const list: JobCondition[] = job.status.conditions ?? [];
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i];
    if (c.status === status && c.reason === reason && c.message === message) return false;
    list[i] = newCondition(type, reason, message, now, status);
    job.status.conditions = list;
    return true;
  }
  if (status === 'False') return false;
  job.status.conditions = [...list, newCondition(type, reason, message, now, status)];
  return true;
}
