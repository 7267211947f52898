import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/volumes.js';
import { checkVolumeSatisfyClaim, findBestMatchForClaim } from './match.js';

function pv(name: string, size: string, opts: { modes?: string[]; cls?: string; phase?: string; claimRef?: Record<string, string>; labels?: Record<string, string>; mode?: string; deleting?: boolean } = {}): PersistentVolume {
  return {
    metadata: { name, labels: opts.labels, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { capacity: { storage: size }, accessModes: opts.modes ?? ['ReadWriteOnce'], storageClassName: opts.cls ?? '', claimRef: opts.claimRef, volumeMode: opts.mode },
    status: { phase: opts.phase ?? 'Available' },
  };
}

function pvc(size: string, opts: { modes?: string[]; cls?: string; selector?: Record<string, string>; mode?: string } = {}): PersistentVolumeClaim {
  return {
    metadata: { name: 'data', namespace: 'ns', uid: 'uid-1' },
    spec: { accessModes: opts.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: opts.cls ?? '', selector: opts.selector ? { matchLabels: opts.selector } : undefined, volumeMode: opts.mode },
  };
}

const cases: Array<{ name: string; volumes: PersistentVolume[]; claim: PersistentVolumeClaim; delay?: boolean; want: string | undefined }> = [
  { name: 'smallest volume that is big enough', volumes: [pv('big', '10Gi'), pv('small', '1Gi'), pv('mid', '5Gi')], claim: pvc('2Gi'), want: 'mid' },
  { name: 'exact size fits', volumes: [pv('a', '1Gi')], claim: pvc('1024Mi'), want: 'a' },
  { name: 'nothing big enough', volumes: [pv('a', '1Gi')], claim: pvc('2Gi'), want: undefined },
  { name: 'class must match', volumes: [pv('fast', '1Gi', { cls: 'fast' }), pv('slow', '5Gi', { cls: 'slow' })], claim: pvc('1Gi', { cls: 'slow' }), want: 'slow' },
  { name: 'only Available volumes', volumes: [pv('released', '1Gi', { phase: 'Released' }), pv('ok', '2Gi')], claim: pvc('1Gi'), want: 'ok' },
  { name: 'a volume claimed by another claim is skipped', volumes: [pv('taken', '1Gi', { claimRef: { namespace: 'ns', name: 'other' } })], claim: pvc('1Gi'), want: undefined },
  { name: 'a volume pre-bound to the claim wins over a smaller one', volumes: [pv('small', '1Gi'), pv('mine', '5Gi', { phase: 'Bound', claimRef: { namespace: 'ns', name: 'data', uid: 'uid-1' } })], claim: pvc('1Gi'), want: 'mine' },
  { name: 'pre-bound by name only (uid not yet set)', volumes: [pv('mine', '5Gi', { claimRef: { namespace: 'ns', name: 'data' } })], claim: pvc('1Gi'), want: 'mine' },
  { name: 'pre-bound to an older claim of the same name (other uid) is skipped', volumes: [pv('old', '5Gi', { claimRef: { namespace: 'ns', name: 'data', uid: 'uid-0' } })], claim: pvc('1Gi'), want: undefined },
  { name: 'access modes must all be offered', volumes: [pv('rwo', '1Gi')], claim: pvc('1Gi', { modes: ['ReadWriteMany'] }), want: undefined },
  { name: 'fewer extra access modes preferred over smaller size', volumes: [pv('multi', '1Gi', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }), pv('single', '5Gi')], claim: pvc('1Gi'), want: 'single' },
  { name: 'selector must match labels', volumes: [pv('a', '1Gi', { labels: { tier: 'cold' } }), pv('b', '2Gi', { labels: { tier: 'hot' } })], claim: pvc('1Gi', { selector: { tier: 'hot' } }), want: 'b' },
  { name: 'volume mode must match', volumes: [pv('block', '1Gi', { mode: 'Block' })], claim: pvc('1Gi'), want: undefined },
  { name: 'a volume being deleted is skipped', volumes: [pv('going', '1Gi', { deleting: true })], claim: pvc('1Gi'), want: undefined },
  { name: 'delayed binding: only pre-bound volumes', volumes: [pv('free', '1Gi')], claim: pvc('1Gi'), delay: true, want: undefined },
  { name: 'delayed binding: a pre-bound volume still binds', volumes: [pv('mine', '1Gi', { claimRef: { namespace: 'ns', name: 'data', uid: 'uid-1' } })], claim: pvc('1Gi'), delay: true, want: 'mine' },
];

for (const c of cases) {
  test(`findBestMatchForClaim: ${c.name}`, () => {
    assert.equal(findBestMatchForClaim(c.volumes, c.claim, c.delay ?? false)?.metadata.name, c.want);
  });
}

test('checkVolumeSatisfyClaim gives upstream reasons', () => {
  assert.equal(checkVolumeSatisfyClaim(pv('a', '1Gi'), pvc('2Gi')), 'requested PV is too small');
  assert.equal(checkVolumeSatisfyClaim(pv('a', '1Gi', { cls: 'x' }), pvc('1Gi')), 'storageClassName does not match');
  assert.equal(checkVolumeSatisfyClaim(pv('a', '1Gi', { mode: 'Block' }), pvc('1Gi')), 'incompatible volumeMode');
  assert.equal(checkVolumeSatisfyClaim(pv('a', '1Gi'), pvc('1Gi', { modes: ['ReadWriteMany'] })), 'incompatible accessMode');
  assert.equal(checkVolumeSatisfyClaim(pv('a', '1Gi'), pvc('1Gi')), undefined);
});
