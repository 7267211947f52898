// Pod facts several controllers share (upstream's pkg/api/v1/pod and pkg/controller pod
// helpers): readiness, whether a Pod still counts as active or is terminating, and the order
// in which a controller should delete surplus Pods.
import type { KubeObject } from '../../api/types.js';

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

export type Pod = KubeObject & { spec?: any; status?: { phase?: string; conditions?: PodCondition[]; [k: string]: any } };

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Neither finished nor being deleted (upstream FilterActivePods). */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** Being deleted but not yet finished (upstream CountTerminatingPods counts these). */
export function isPodTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata.deletionTimestamp) && !isPodTerminal(pod);
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...((pod.status?.containerStatuses ?? []) as any[]).map((s) => s.restartCount ?? 0));
}

const time = (t: string | undefined) => (t ? Date.parse(t) : NaN);

/**
 * Order for deleting surplus Pods, the least valuable first (upstream ActivePods): unscheduled
 * before scheduled, Pending before Unknown before Running, not ready before ready, ready for a
 * shorter time before longer, more restarts before fewer, newer before older.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const scheduled = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (scheduled(a) !== scheduled(b)) return scheduled(a) - scheduled(b);
  const rank = (p: Pod) => phaseRank[p.status?.phase ?? 'Pending'] ?? 0;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (isPodReady(a) && isPodReady(b)) {
    const ra = time(podCondition(a, 'Ready')?.lastTransitionTime);
    const rb = time(podCondition(b, 'Ready')?.lastTransitionTime);
    if (ra !== rb && !Number.isNaN(ra) && !Number.isNaN(rb)) return rb - ra;
  }
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
  const ca = time(a.metadata.creationTimestamp);
  const cb = time(b.metadata.creationTimestamp);
  if (ca !== cb) {
    if (Number.isNaN(ca)) return -1;
    if (Number.isNaN(cb)) return 1;
    return cb - ca;
  }
  return 0;
}

/** RFC 3339 to the second, as Kubernetes writes timestamps. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
