import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimClass, claimHasClass, defaultStorageClass, isValidUnyoLocalHandle, isVolumeBoundToClaim, type PersistentVolumeClaim, type StorageClass } from './volumes.js';

const claim = (spec: Record<string, unknown>, annotations?: Record<string, string>): PersistentVolumeClaim => ({ metadata: { name: 'c', namespace: 'ns', uid: 'u1', annotations }, spec });
const sc = (name: string, created: string, isDefault: boolean | 'beta'): StorageClass => ({
  metadata: { name, creationTimestamp: created, annotations: isDefault === 'beta' ? { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } : isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
  provisioner: 'x',
});

test('claimClass and claimHasClass: the beta annotation wins; "" is an explicit no-class', () => {
  const cases: Array<[PersistentVolumeClaim, string, boolean]> = [
    [claim({}), '', false],
    [claim({ storageClassName: null }), '', false],
    [claim({ storageClassName: '' }), '', true],
    [claim({ storageClassName: 'fast' }), 'fast', true],
    [claim({ storageClassName: 'fast' }, { 'volume.beta.kubernetes.io/storage-class': 'slow' }), 'slow', true],
  ];
  for (const [c, cls, has] of cases) {
    assert.equal(claimClass(c), cls);
    assert.equal(claimHasClass(c), has);
  }
});

test('defaultStorageClass: the newest default, then the first by name; none when none is marked', () => {
  assert.equal(defaultStorageClass([sc('a', '2026-01-01T00:00:00Z', false)]), undefined);
  assert.equal(defaultStorageClass([sc('old', '2026-01-01T00:00:00Z', true), sc('new', '2026-02-01T00:00:00Z', 'beta'), sc('newest', '2026-03-01T00:00:00Z', false)])?.metadata.name, 'new');
  assert.equal(defaultStorageClass([sc('b', '2026-01-01T00:00:00Z', true), sc('a', '2026-01-01T00:00:00Z', true)])?.metadata.name, 'a');
});

test('isVolumeBoundToClaim: name and namespace, and the uid once set', () => {
  const c = claim({});
  const pv = (claimRef: Record<string, string> | null) => ({ metadata: { name: 'pv' }, spec: { claimRef } });
  assert.equal(isVolumeBoundToClaim(pv(null), c), false);
  assert.equal(isVolumeBoundToClaim(pv({ namespace: 'ns', name: 'c' }), c), true);
  assert.equal(isVolumeBoundToClaim(pv({ namespace: 'ns', name: 'c', uid: 'u1' }), c), true);
  assert.equal(isVolumeBoundToClaim(pv({ namespace: 'ns', name: 'c', uid: 'u0' }), c), false);
  assert.equal(isVolumeBoundToClaim(pv({ namespace: 'other', name: 'c' }), c), false);
});

test('unyo.local handles stay inside the volumes directory', () => {
  assert.equal(isValidUnyoLocalHandle('pvc-0f47'), true);
  for (const bad of ['', '.', '..', '.tmp', 'a/b', '../x']) assert.equal(isValidUnyoLocalHandle(bad), false, bad);
});
