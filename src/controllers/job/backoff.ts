// The delay before a Job replaces failed Pods (upstream's pod failure backoff): 10 s after the
// first failure since the last success, doubling per further failure, at most 10 minutes,
// counted from when the last failed Pod finished. Records live in memory, per Job.
import type { Pod } from '../runtime/pods.js';
import { podCondition } from '../runtime/pods.js';

export const defaultPodFailureBackoffMs = 10_000;
export const maxPodFailureBackoffMs = 10 * 60_000;

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/**
 * When a Pod finished: the latest container finish if every container finished, else when
 * it stopped being Ready, else its deletion time less its grace period, else its creation.
 */
export function finishedTime(pod: Pod): number {
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  if (statuses.length > 0 && statuses.every((s) => s.state?.terminated?.finishedAt)) {
    return Math.max(...statuses.map((s) => Date.parse(s.state.terminated.finishedAt)));
  }
  const ready = podCondition(pod, 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (pod.metadata.deletionTimestamp) return Date.parse(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  /** The record after counting Pods that finished since the last sync. */
  next(key: string, newSucceeded: Pod[], newFailed: Pod[]): BackoffRecord {
    const old = this.records.get(key);
    const record: BackoffRecord = { key, failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, lastFailureTime: old?.lastFailureTime };
    const failedTimes = newFailed.map(finishedTime).sort((a, b) => a - b);
    if (newSucceeded.length === 0) {
      if (failedTimes.length === 0) return record;
      record.failuresAfterLastSuccess += failedTimes.length;
      record.lastFailureTime = failedTimes[failedTimes.length - 1];
      return record;
    }
    // A success resets the count; only failures after the last success count again.
    const lastSuccess = Math.max(...newSucceeded.map(finishedTime));
    record.failuresAfterLastSuccess = 0;
    record.lastFailureTime = undefined;
    for (let i = failedTimes.length - 1; i >= 0 && failedTimes[i] > lastSuccess; i--) {
      record.lastFailureTime ??= failedTimes[i];
      record.failuresAfterLastSuccess++;
    }
    return record;
  }

  update(record: BackoffRecord): void {
    this.records.set(record.key, record);
  }

  remove(key: string): void {
    this.records.delete(key);
  }
}

/**
 * How long to wait before creating Pods again. Worked example: three failures since the last
 * success, the last 15 s ago: the backoff is 10 s × 2 × 2 = 40 s, so 25 s remain.
 */
export function remainingBackoffMs(record: BackoffRecord, now: number, baseMs = defaultPodFailureBackoffMs, maxMs = maxPodFailureBackoffMs): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let backoff = baseMs;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    backoff *= 2;
    if (backoff >= maxMs) {
      backoff = maxMs;
      break;
    }
  }
  const elapsed = now - record.lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}
