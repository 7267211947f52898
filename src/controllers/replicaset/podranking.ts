// Which Pods a ReplicaSet deletes first when it scales down (upstream's ActivePodsWithRanks):
// the ones whose loss hurts least. Earlier rules win; each later rule only breaks ties:
//   1. unscheduled before scheduled
//   2. Pending before Unknown before Running
//   3. not Ready before Ready
//   4. lower controller.kubernetes.io/pod-deletion-cost before higher
//   5. Pods doubled up on a node with more of their siblings before those more alone
//   6. Ready for a shorter time before longer (compared on a log2 scale, as upstream's
//      LogarithmicScaleDown, so Pods of about the same age are picked at random by UID)
//   7. more container restarts before fewer
//   8. newer before older (same log2 scale)
import { isPodActive, isPodReady, podReadySince, type Pod } from '../runtime/pods.js';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface RankedPod {
  pod: Pod;
  /** Active sibling Pods (of this ReplicaSet and those with the same controller) on the same node. */
  rank: number;
}

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[podDeletionCostAnnotation];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function maxRestarts(pod: Pod): number {
  const restartable = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  for (const s of pod.status?.initContainerStatuses ?? []) if (restartable.has(s.name)) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

const time = (t: string | undefined): number | undefined => {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
};

/** Upstream afterOrZero: a missing time sorts first, otherwise the later time does. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/** floor(log2(age in nanoseconds)), or -1 for an age of zero or less (upstream's buckets). */
function logBucket(t: number, nowMs: number): number {
  const ns = (nowMs - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Rules 6 and 8: the younger time sorts first, but times in the same log2 bucket tie and UIDs decide. */
function youngerFirst(a: RankedPod, b: RankedPod, ta: number | undefined, tb: number | undefined, nowMs: number): boolean {
  if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
  const diff = logBucket(ta, nowMs) - logBucket(tb, nowMs);
  if (diff === 0) return (a.pod.metadata.uid ?? '') < (b.pod.metadata.uid ?? '');
  return diff < 0;
}

/** Whether `a` should be deleted before `b`. */
export function deleteBefore(a: RankedPod, b: RankedPod, nowMs: number): boolean {
  const na = a.pod.spec?.nodeName ?? '';
  const nb = b.pod.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const pa = phaseOrdinal[a.pod.status?.phase ?? ''] ?? 0;
  const pb = phaseOrdinal[b.pod.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa < pb;
  const ra = isPodReady(a.pod);
  const rb = isPodReady(b.pod);
  if (ra !== rb) return !ra;
  const ca = deletionCost(a.pod);
  const cb = deletionCost(b.pod);
  if (ca !== cb) return ca < cb;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (ra && rb) {
    const ta = podReadySince(a.pod);
    const tb = podReadySince(b.pod);
    if (ta !== tb) return youngerFirst(a, b, ta, tb, nowMs);
  }
  const restartsA = maxRestarts(a.pod);
  const restartsB = maxRestarts(b.pod);
  if (restartsA !== restartsB) return restartsA > restartsB;
  const ta = time(a.pod.metadata.creationTimestamp);
  const tb = time(b.pod.metadata.creationTimestamp);
  if (ta !== tb) return youngerFirst(a, b, ta, tb, nowMs);
  return false;
}

/**
 * The `diff` Pods to delete out of `pods`, ranking doubled-up Pods by how many active `related`
 * Pods (this ReplicaSet's and its siblings') share their node.
 */
export function podsToDelete(pods: Pod[], related: Pod[], diff: number, nowMs: number): Pod[] {
  if (diff >= pods.length) return pods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (deleteBefore(a, b, nowMs) ? -1 : deleteBefore(b, a, nowMs) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
