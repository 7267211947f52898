// VolumeBinding: a pod's PersistentVolumeClaims must exist and be usable from the node. A bound
// claim's volume must allow the node (PV nodeAffinity); an unbound claim of a
// WaitForFirstConsumer class needs, on that node, an available volume that satisfies it or a
// provisioner allowed to create one there; an unbound Immediate claim waits for the volume
// controller. volumeDecisions() tells the scheduler what to write before binding the pod.
import { fromLabelSelector, matches, type LabelSelectorSpec } from '../../api/labels.js';
import { compareQuantities } from '../../api/validation/quantity.js';
import type { ClusterState, Plugin } from '../framework.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../types.js';
import { SchedulingError, unresolvable } from '../types.js';
import { nodeSelectorTermsMatch } from './nodeaffinity.js';

export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

/** Annotation through which the scheduler tells a provisioner where the pod goes. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export interface PodClaims {
  bound: PersistentVolumeClaim[];
  /** Unbound claims of WaitForFirstConsumer classes: the scheduler picks their node. */
  delayed: Array<{ claim: PersistentVolumeClaim; storageClass: StorageClass }>;
  immediateUnbound: number;
}

/**
 * The pod's claims, classified; a string is a verdict that rejects the pod on every node
 * (upstream's PreFilter messages). A claim is bound when spec.volumeName is set and the volume
 * controller finished (bind-completed annotation, or phase Bound).
 */
export function podClaims(pod: Pod, cluster: ClusterState): PodClaims | string {
  const claims: PodClaims = { bound: [], delayed: [], immediateUnbound: 0 };
  const namespace = pod.metadata.namespace ?? '';
  for (const volume of pod.spec.volumes ?? []) {
    const ephemeral = !!volume.ephemeral;
    const name = volume.persistentVolumeClaim?.claimName ?? (ephemeral ? `${pod.metadata.name}-${volume.name}` : undefined);
    if (name === undefined) continue;
    const claim = cluster.pvc(namespace, name);
    if (!claim) return ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`;
    if (claim.status?.phase === 'Lost') return `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${claim.spec?.volumeName ?? ''}"`;
    if (claim.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
    if (ephemeral && !claim.metadata.ownerReferences?.some((r) => r.controller && r.uid === pod.metadata.uid)) {
      return `PVC ${namespace}/${name} was not created for pod ${namespace}/${pod.metadata.name} (pod is not owner)`;
    }
    const volumeName = claim.spec?.volumeName;
    if (volumeName && (claim.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined || claim.status?.phase === 'Bound')) {
      claims.bound.push(claim);
      continue;
    }
    const className = claim.spec?.storageClassName ?? '';
    const storageClass = className ? cluster.storageClass(className) : undefined;
    if (className && !storageClass) throw new SchedulingError(`storageclass.storage.k8s.io "${className}" not found`);
    if (storageClass?.volumeBindingMode === 'WaitForFirstConsumer' && !volumeName) claims.delayed.push({ claim, storageClass });
    else claims.immediateUnbound++;
  }
  return claims;
}

export function volumeAllowsNode(pv: PersistentVolume, node: Node): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  return !required || nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], node);
}

function classAllowsNode(storageClass: StorageClass, node: Node): boolean {
  const terms = storageClass.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => e.values.includes(labels[e.key])));
}

/** An available volume of the claim's class, big enough, with the access modes, matching the claim's selector, reachable from the node; the smallest wins. */
function matchingVolume(claim: PersistentVolumeClaim, node: Node, cluster: ClusterState, taken: Set<string>): PersistentVolume | undefined {
  const className = claim.spec?.storageClassName ?? '';
  const wanted = claim.spec?.resources?.requests?.storage ?? 0;
  const modes = claim.spec?.accessModes ?? [];
  const selector = claim.spec?.selector ? fromLabelSelector(claim.spec.selector as LabelSelectorSpec) : [];
  let best: PersistentVolume | undefined;
  for (const pv of cluster.pvs()) {
    const name = pv.metadata.name ?? '';
    const ref = pv.spec?.claimRef;
    const preBound = ref?.name === claim.metadata.name && ref?.namespace === claim.metadata.namespace;
    if (taken.has(name) || pv.metadata.deletionTimestamp || (ref && !preBound)) continue;
    if ((pv.spec?.storageClassName ?? '') !== className) continue;
    const capacity = pv.spec?.capacity?.storage ?? 0;
    if (compareQuantities(capacity, wanted) < 0) continue;
    if (!modes.every((m) => pv.spec?.accessModes?.includes(m))) continue;
    if (!matches(selector, pv.metadata.labels)) continue;
    if (!volumeAllowsNode(pv, node)) continue;
    if (preBound) return pv;
    if (!best || compareQuantities(capacity, best.spec?.capacity?.storage ?? 0) < 0) best = pv;
  }
  return best;
}

export interface VolumeDecisions {
  /** Static volumes to reserve for claims (the scheduler sets their claimRef). */
  bindings: Array<{ claim: PersistentVolumeClaim; volume: PersistentVolume }>;
  /** Claims a provisioner must create a volume for on the node (the scheduler annotates them). */
  provision: PersistentVolumeClaim[];
  reasons: string[];
}

/** What the pod's delayed claims would get on this node, and why it does not fit if it does not. */
export function volumeDecisions(claims: PodClaims, node: NodeInfo, cluster: ClusterState): VolumeDecisions {
  const out: VolumeDecisions = { bindings: [], provision: [], reasons: [] };
  let boundFit = true;
  let volumesExist = true;
  for (const claim of claims.bound) {
    const pv = cluster.pv(claim.spec?.volumeName ?? '');
    if (!pv) {
      volumesExist = false;
      break;
    }
    if (!volumeAllowsNode(pv, node.node)) {
      boundFit = false;
      break;
    }
  }
  let delayedFit = true;
  const taken = new Set<string>();
  for (const { claim, storageClass } of claims.delayed) {
    const volume = matchingVolume(claim, node.node, cluster, taken);
    if (volume) {
      taken.add(volume.metadata.name ?? '');
      out.bindings.push({ claim, volume });
    } else if (storageClass.provisioner && storageClass.provisioner !== NO_PROVISIONER && classAllowsNode(storageClass, node.node)) {
      out.provision.push(claim);
    } else {
      delayedFit = false;
    }
  }
  if (!boundFit) out.reasons.push(ERR_REASON_NODE_CONFLICT);
  if (!delayedFit) out.reasons.push(ERR_REASON_BIND_CONFLICT);
  if (!volumesExist) out.reasons.push(ERR_REASON_PV_NOT_EXIST);
  return out;
}

export const volumeBinding: Plugin = {
  name: 'VolumeBinding',
  cycle(pod, cluster) {
    const claims = podClaims(pod, cluster);
    if (typeof claims === 'string') return { rejected: unresolvable(claims) };
    if (claims.immediateUnbound > 0) return { rejected: unresolvable(ERR_REASON_UNBOUND_IMMEDIATE) };
    if (claims.bound.length === 0 && claims.delayed.length === 0) return {};
    return {
      filter(node) {
        const { reasons } = volumeDecisions(claims, node, cluster);
        return reasons.length > 0 ? unresolvable(...reasons) : undefined;
      },
    };
  },
};
