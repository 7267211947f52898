// What workload controllers ask of a Pod (upstream's podutil and controller helpers): is it
// active, ready, available, and since when; and a new Pod made from a workload's template.
// Times are judged on the controller's clock.
import type { KubeObject, OwnerReference } from '../../api/types.js';

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ContainerStatus {
  name: string;
  restartCount?: number;
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    containers?: Array<{ name: string }>;
    initContainers?: Array<{ name: string; restartPolicy?: string }>;
    [field: string]: unknown;
  };
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    [field: string]: unknown;
  };
}

/** A Pod that counts towards its controller: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** When the Pod last became Ready (ms), or undefined if it is not Ready or the time is unknown. */
export function podReadySince(pod: Pod): number | undefined {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Ready for longer than minReadySeconds (upstream IsPodAvailable). A Ready Pod without a
 * transition time is not available while minReadySeconds > 0, as upstream.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

/** How long until a Ready Pod becomes available (ms), or undefined if that will not happen by waiting. */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, nowMs: number): number | undefined {
  if (!minReadySeconds || !isPodReady(pod) || isPodAvailable(pod, minReadySeconds, nowMs)) return undefined;
  const since = podReadySince(pod);
  if (since === undefined) return undefined;
  return Math.max(0, since + minReadySeconds * 1000 - nowMs);
}

export function isTerminating(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp;
}

export function podPhase(pod: KubeObject): string {
  return ((pod.status as any)?.phase as string | undefined) ?? '';
}

/**
 * A Pod made from a template (upstream GetPodFromTemplate): the template's labels,
 * annotations, finalizers and spec, the controller reference, and `<owner>-` as generateName
 * (callers that name their Pods, as StatefulSets do, set metadata.name instead).
 */
export function podFromTemplate(template: any, owner: KubeObject, controllerRef: OwnerReference): KubeObject {
  const meta = template?.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [controllerRef],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** Oldest first by creationTimestamp, then by name (upstream's tie-break). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  return ta - tb || compareStrings(a.metadata.name ?? '', b.metadata.name ?? '');
}

/** Byte order, as Go compares strings (localeCompare would not). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Being deleted but not yet finished (upstream CountTerminatingPods counts these). */
export function isPodTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata.deletionTimestamp) && !isPodTerminal(pod);
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}

/**
 * The order in which to delete surplus Pods, the least valuable first (upstream ActivePods, as
 * the Job controller uses it): unscheduled before scheduled, Pending before Unknown before
 * Running, not ready before ready, ready for a shorter time before longer, more restarts before
 * fewer, newer before older.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const scheduled = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (scheduled(a) !== scheduled(b)) return scheduled(a) - scheduled(b);
  const rank = (p: Pod) => phaseRank[p.status?.phase ?? 'Pending'] ?? 0;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  const ra = podReadySince(a);
  const rb = podReadySince(b);
  if (ra !== undefined && rb !== undefined && ra !== rb) return rb - ra;
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
  const ca = Date.parse(a.metadata.creationTimestamp ?? '');
  const cb = Date.parse(b.metadata.creationTimestamp ?? '');
  if (ca !== cb) {
    if (Number.isNaN(ca)) return -1;
    if (Number.isNaN(cb)) return 1;
    return cb - ca;
  }
  return 0;
}
