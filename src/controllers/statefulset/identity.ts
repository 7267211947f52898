// A StatefulSet Pod's identity (upstream stateful_set_utils): the name `<set>-<ordinal>`, the
// `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index` labels, hostname and
// subdomain from serviceName, and one PersistentVolumeClaim `<template>-<set>-<ordinal>` per
// volumeClaimTemplate, mounted under the template's name. A Pod replaced after its node died
// gets the same name and so the same claims.
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { podRevisionLabel } from '../history/revision.js';
import { podFromTemplate } from '../runtime/pods.js';

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';

const statefulPodName = /^(.*)-([0-9]+)$/;

/** The parent set's name and the ordinal in a Pod's name; ordinal -1 when the name has none. */
export function parentAndOrdinal(pod: KubeObject): { parent: string; ordinal: number } {
  const m = statefulPodName.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return { parent: m[1], ordinal: Number.isSafeInteger(n) && n <= 2 ** 31 - 1 ? n : -1 };
}

export function ordinalOf(pod: KubeObject): number {
  return parentAndOrdinal(pod).ordinal;
}

export function isMemberOf(set: KubeObject, pod: KubeObject): boolean {
  return parentAndOrdinal(pod).parent === set.metadata.name;
}

export function startOrdinal(set: KubeObject): number {
  return Number((set.spec as any)?.ordinals?.start ?? 0);
}

export function replicasOf(set: KubeObject): number {
  return Number((set.spec as any)?.replicas ?? 1);
}

/** The last ordinal the set runs (inclusive). */
export function endOrdinal(set: KubeObject): number {
  return startOrdinal(set) + replicasOf(set) - 1;
}

export function inOrdinalRange(pod: KubeObject, set: KubeObject): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export function podName(set: KubeObject, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function claimName(set: KubeObject, template: any, ordinal: number): string {
  return `${template.metadata?.name}-${set.metadata.name}-${ordinal}`;
}

function claimTemplates(set: KubeObject): any[] {
  return (set.spec as any)?.volumeClaimTemplates ?? [];
}

/** The Pod has its name, namespace and pod-name label (upstream identityMatches). */
export function identityMatches(set: KubeObject, pod: KubeObject): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === podName(set, ordinal) && pod.metadata.namespace === set.metadata.namespace && pod.metadata.labels?.[podNameLabel] === pod.metadata.name;
}

/** Every claim template is mounted from the Pod's own claim (upstream storageMatches). */
export function storageMatches(set: KubeObject, pod: KubeObject): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map<string, any>(((pod.spec as any)?.volumes ?? []).map((v: any) => [v.name, v]));
  return claimTemplates(set).every((t) => volumes.get(t.metadata?.name)?.persistentVolumeClaim?.claimName === claimName(set, t, ordinal));
}

/**
 * The claims the Pod at `ordinal` uses, by template name: the template's metadata and spec under
 * the Pod's claim name, labelled with the template's labels plus the set's matchLabels.
 */
export function claimsFor(set: KubeObject, ordinal: number): Map<string, KubeObject> {
  const matchLabels = (set.spec as any)?.selector?.matchLabels ?? {};
  const claims = new Map<string, KubeObject>();
  for (const t of claimTemplates(set)) {
    const meta = t.metadata ?? {};
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName(set, t, ordinal), namespace: set.metadata.namespace, labels: { ...(meta.labels ?? {}), ...matchLabels } },
      spec: structuredClone(t.spec ?? {}),
    };
    if (meta.annotations) claim.metadata.annotations = { ...meta.annotations };
    if (meta.finalizers) claim.metadata.finalizers = [...meta.finalizers];
    claims.set(meta.name, claim);
  }
  return claims;
}

/** Point the Pod's volumes at its claims, replacing template volumes of the same name. */
export function updateStorage(set: KubeObject, pod: KubeObject): void {
  const spec = pod.spec as any;
  const claims = claimsFor(set, ordinalOf(pod));
  const volumes = [...claims].map(([name, claim]) => ({ name, persistentVolumeClaim: { claimName: claim.metadata.name } }));
  for (const v of spec.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  if (volumes.length) spec.volumes = volumes;
}

/** Name, namespace and the identity labels (upstream updateIdentity). */
export function updateIdentity(set: KubeObject, pod: KubeObject): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [podNameLabel]: pod.metadata.name, [podIndexLabel]: String(ordinal) };
}

/** A new Pod for the ordinal at the set's template: identity, hostname and subdomain (set only at creation), claims. */
export function newStatefulSetPod(set: KubeObject, ordinal: number, controllerRef: OwnerReference): KubeObject {
  const pod = podFromTemplate((set.spec as any)?.template, set, controllerRef);
  delete pod.metadata.generateName;
  pod.metadata.name = podName(set, ordinal);
  updateIdentity(set, pod);
  const spec = pod.spec as any;
  spec.hostname = pod.metadata.name;
  const serviceName = (set.spec as any)?.serviceName;
  if (serviceName) spec.subdomain = serviceName;
  updateStorage(set, pod);
  return pod;
}

export function setPodRevision(pod: KubeObject, revision: string): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [podRevisionLabel]: revision };
}

export function podRevision(pod: KubeObject): string {
  return pod.metadata.labels?.[podRevisionLabel] ?? '';
}

/**
 * A Pod for the ordinal at the right revision (upstream newVersionedStatefulSetPod): ordinals
 * below the partition keep the current revision, the rest get the update revision.
 */
export function newVersionedPod(currentSet: KubeObject, updateSet: KubeObject, currentRevision: string, updateRevision: string, ordinal: number, controllerRef: OwnerReference): KubeObject {
  const strategy = (currentSet.spec as any)?.updateStrategy ?? {};
  const status = (currentSet.status ?? {}) as any;
  const keepCurrent =
    (strategy.type === 'RollingUpdate' && !strategy.rollingUpdate && ordinal < startOrdinal(currentSet) + Number(status.currentReplicas ?? 0)) ||
    (strategy.rollingUpdate && ordinal < startOrdinal(currentSet) + Number(strategy.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(keepCurrent ? currentSet : updateSet, ordinal, controllerRef);
  setPodRevision(pod, keepCurrent ? currentRevision : updateRevision);
  return pod;
}
