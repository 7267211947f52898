// persistentVolumeClaimRetentionPolicy as owner references on the claims (upstream
// StatefulSetAutoDeletePVC): the garbage collector deletes a claim when its owner goes, so
//   whenDeleted Retain, whenScaled Retain  → no owner reference
//   whenDeleted Delete, whenScaled Retain  → owned by the StatefulSet
//   whenDeleted Retain, whenScaled Delete  → owned by the Pod once the Pod is scaled away
//   whenDeleted Delete, whenScaled Delete  → owned by the StatefulSet, or by the Pod once scaled away
// Claims another controller owns, or that still point at an earlier set or Pod of the same
// name, are left alone.
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { controllerRef } from '../runtime/owners.js';
import { inOrdinalRange } from './identity.js';

const setKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const podKind = { apiVersion: 'v1', kind: 'Pod' };

export function retentionPolicy(set: KubeObject): { whenDeleted: string; whenScaled: string } {
  const p = (set.spec as any)?.persistentVolumeClaimRetentionPolicy ?? {};
  return { whenDeleted: p.whenDeleted ?? 'Retain', whenScaled: p.whenScaled ?? 'Retain' };
}

function refersTo(ref: OwnerReference, obj: KubeObject, kind: { apiVersion: string; kind: string }): boolean {
  return ref.apiVersion === kind.apiVersion && ref.kind === kind.kind && ref.name === obj.metadata.name;
}

function hasOwnerRef(target: KubeObject, owner: KubeObject): boolean {
  return (target.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
}

/** The target refers to an object of this name and kind with another uid: an earlier incarnation. */
export function hasStaleOwnerRef(target: KubeObject, obj: KubeObject, kind = podKind): boolean {
  const ref = (target.metadata.ownerReferences ?? []).find((r) => refersTo(r, obj, kind));
  return !!ref && ref.uid !== obj.metadata.uid;
}

/** A controller other than this set or Pod, when the policy means to manage owner references at all. */
function hasUnexpectedController(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  const policy = retentionPolicy(set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const ref of claim.metadata.ownerReferences ?? []) {
    if (refersTo(ref, set, setKind)) {
      if (ref.uid !== set.metadata.uid) return true;
      continue;
    }
    if (refersTo(ref, pod, podKind)) {
      if (ref.uid !== pod.metadata.uid) return true;
      continue;
    }
    if (ref.controller) return true;
  }
  return false;
}

function hasNonControllerOwner(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => (r.uid === set.metadata.uid || r.uid === pod.metadata.uid) && !r.controller);
}

/** Whether the claim's owner references already say what the policy wants (upstream claimOwnerMatchesSetAndPod). */
export function claimOwnerMatches(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  if (hasStaleOwnerRef(claim, set, setKind) || hasStaleOwnerRef(claim, pod, podKind)) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const { wantSet, wantPod } = wanted(set, pod);
  return hasOwnerRef(claim, set) === wantSet && hasOwnerRef(claim, pod) === wantPod;
}

function wanted(set: KubeObject, pod: KubeObject): { wantSet: boolean; wantPod: boolean } {
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  return {
    wantSet: policy.whenDeleted === 'Delete' && !(policy.whenScaled === 'Delete' && scaledDown),
    wantPod: policy.whenScaled === 'Delete' && scaledDown,
  };
}

/** Rewrite the claim's references to this set and Pod as the policy wants; true if they changed. */
export function updateClaimOwnerRefs(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  const before = JSON.stringify(claim.metadata.ownerReferences ?? []);
  const unexpected = hasUnexpectedController(claim, set, pod);
  let refs = (claim.metadata.ownerReferences ?? []).filter((r) => !refersTo(r, set, setKind) && !refersTo(r, pod, podKind));
  if (!unexpected) {
    const { wantSet, wantPod } = wanted(set, pod);
    if (wantPod) refs = [...refs, controllerRef(pod, podKind.apiVersion, podKind.kind)];
    if (wantSet) refs = [...refs, controllerRef(set, setKind.apiVersion, setKind.kind)];
  }
  if (refs.length) claim.metadata.ownerReferences = refs;
  else delete claim.metadata.ownerReferences;
  return JSON.stringify(claim.metadata.ownerReferences ?? []) !== before;
}
