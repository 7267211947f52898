// Which PersistentVolume an unbound claim gets, as upstream's volume index and
// FindMatchingVolume decide: a volume pre-bound to the claim wins outright; otherwise the
// smallest Available volume of the claim's class that is big enough, has every access mode
// asked for, the same volume mode, and labels matching the claim's selector. Volumes with
// fewer extra access modes are preferred (a ReadWriteOnce claim takes a RWO volume before a
// RWO+ROX one).
import { fromLabelSelector, matches, type LabelSelectorSpec } from '../../api/labels.js';
import { compareQuantities } from '../../api/validation/quantity.js';
import { claimClass, isVolumeBoundToClaim, volumeClass, type PersistentVolume, type PersistentVolumeClaim } from '../../api/volumes.js';

const volumeMode = (mode: string | undefined) => mode || 'Filesystem';

function accessModesContain(volumeModes: string[], wanted: string[]): boolean {
  return wanted.every((m) => volumeModes.includes(m));
}

/**
 * The best volume for the claim, or undefined. With `delayBinding` (a WaitForFirstConsumer
 * class and no node chosen yet) only a volume pre-bound to the claim is returned: the
 * scheduler picks the others.
 */
export function findBestMatchForClaim(volumes: readonly PersistentVolume[], claim: PersistentVolumeClaim, delayBinding: boolean): PersistentVolume | undefined {
  const wantedModes = claim.spec?.accessModes ?? [];
  // Group candidates by how many access modes they have: fewer extra modes first.
  const groups = new Map<number, PersistentVolume[]>();
  for (const v of volumes) {
    const modes = [...new Set(v.spec?.accessModes ?? [])];
    if (!accessModesContain(modes, wantedModes)) continue;
    const group = groups.get(modes.length) ?? [];
    group.push(v);
    groups.set(modes.length, group);
  }
  for (const size of [...groups.keys()].sort((a, b) => a - b)) {
    const best = findMatchingVolume(groups.get(size)!, claim, delayBinding);
    if (best) return best;
  }
  return undefined;
}

function findMatchingVolume(volumes: PersistentVolume[], claim: PersistentVolumeClaim, delayBinding: boolean): PersistentVolume | undefined {
  const requested = claim.spec?.resources?.requests?.storage ?? 0;
  const requestedClass = claimClass(claim);
  const selector = claim.spec?.selector ? fromLabelSelector(claim.spec.selector as LabelSelectorSpec) : undefined;
  let smallest: PersistentVolume | undefined;
  for (const volume of volumes) {
    if (volume.spec?.claimRef && !isVolumeBoundToClaim(volume, claim)) continue;
    const capacity = volume.spec?.capacity?.storage ?? 0;
    if (compareQuantities(capacity, requested) < 0) continue;
    if (volumeMode(claim.spec?.volumeMode) !== volumeMode(volume.spec?.volumeMode)) continue;
    if (volume.metadata.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(volume, claim)) return volume;
    if (delayBinding) continue;
    if (volume.status?.phase !== 'Available') continue;
    if (selector && !matches(selector, volume.metadata.labels)) continue;
    if (volumeClass(volume) !== requestedClass) continue;
    if (!smallest || compareQuantities(smallest.spec?.capacity?.storage ?? 0, capacity) > 0) smallest = volume;
  }
  return smallest;
}

/** Why a volume a claim asks for by name cannot serve it (upstream's checkVolumeSatisfyClaim), or undefined. */
export function checkVolumeSatisfyClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (volume.metadata.deletionTimestamp) return `the volume is marked for deletion "${volume.metadata.name}"`;
  if (compareQuantities(volume.spec?.capacity?.storage ?? 0, claim.spec?.resources?.requests?.storage ?? 0) < 0) return 'requested PV is too small';
  if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeMode(claim.spec?.volumeMode) !== volumeMode(volume.spec?.volumeMode)) return 'incompatible volumeMode';
  if (!accessModesContain(volume.spec?.accessModes ?? [], claim.spec?.accessModes ?? [])) return 'incompatible accessMode';
  return undefined;
}
