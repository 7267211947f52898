// The storage a new cluster starts with, and the storage admission plugins, through the real
// API server: default classes and CRDs at start, the default class and protection finalizers
// on create, and the resize rules on update.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../testing.js';
import { core } from '../../client/client.js';
import type { PersistentVolumeClaim, StorageClass } from '../../api/volumes.js';

let api: TestApiServer;
before(async () => {
  api = await startTestApiServer();
});
after(async () => {
  await api.stop();
});

const storageClasses = { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' };
const snapshots = (plural: string, namespace?: string) => ({ group: 'snapshot.storage.k8s.io', version: 'v1', plural, namespace });

const claim = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

async function rejection(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: number; message: string };
  }
  assert.fail('the request was accepted');
}

test('a new cluster has the unyo-local default StorageClass, VolumeSnapshotClass and CSIDriver, and serves the snapshot CRDs', async () => {
  const sc = await api.client.get<StorageClass>(storageClasses, 'unyo-local');
  assert.equal(sc.provisioner, 'unyo.local');
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  assert.equal(sc.allowVolumeExpansion, true);
  assert.equal(sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
  const vsc = await api.client.get(snapshots('volumesnapshotclasses'), 'unyo-local');
  assert.equal((vsc as any).driver, 'unyo.local');
  assert.equal((vsc as any).deletionPolicy, 'Delete');
  const driver = await api.client.get({ group: 'storage.k8s.io', version: 'v1', plural: 'csidrivers' }, 'unyo.local');
  assert.equal((driver.spec as any).attachRequired, false);
  for (const plural of ['volumesnapshots', 'volumesnapshotcontents', 'volumesnapshotclasses']) {
    const crd = await api.client.get({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' }, `${plural}.snapshot.storage.k8s.io`);
    assert.ok((crd.status as any).conditions.some((c: any) => c.type === 'Established' && c.status === 'True'), plural);
  }
});

test('VolumeSnapshot needs exactly one source', async () => {
  const err = await rejection(api.client.create(snapshots('volumesnapshots', 'default'), { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'both' }, spec: { source: { persistentVolumeClaimName: 'a', volumeSnapshotContentName: 'b' } } }));
  assert.equal(err.code, 422);
  const ok = await api.client.create(snapshots('volumesnapshots', 'default'), { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'one' }, spec: { source: { persistentVolumeClaimName: 'a' } } });
  assert.equal((ok.spec as any).source.persistentVolumeClaimName, 'a');
});

test('DefaultStorageClass: a claim without a class gets the default; an explicit "" stays without one', async () => {
  const created = await api.client.create<PersistentVolumeClaim>(core('persistentvolumeclaims', 'default'), claim('no-class'));
  assert.equal(created.spec.storageClassName, 'unyo-local');
  const none = await api.client.create<PersistentVolumeClaim>(core('persistentvolumeclaims', 'default'), claim('empty-class', { storageClassName: '' }));
  assert.equal(none.spec.storageClassName, '');
  const named = await api.client.create<PersistentVolumeClaim>(core('persistentvolumeclaims', 'default'), claim('other-class', { storageClassName: 'fast' }));
  assert.equal(named.spec.storageClassName, 'fast');
});

test('DefaultStorageClass: of two default classes the newer one wins', async () => {
  await api.client.create(storageClasses, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'newer', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'example.com/x' } as any);
  try {
    const created = await api.client.create<PersistentVolumeClaim>(core('persistentvolumeclaims', 'default'), claim('two-defaults'));
    assert.equal(created.spec.storageClassName, 'newer');
  } finally {
    await api.client.delete(storageClasses, 'newer');
  }
});

test('StorageObjectInUseProtection: new claims and volumes carry their protection finalizers', async () => {
  const pvc = await api.client.create(core('persistentvolumeclaims', 'default'), claim('protected'));
  assert.deepEqual(pvc.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const pv = await api.client.create(core('persistentvolumes'), { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-protected' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp' } } } as any);
  assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
});

test('a claim made with dataSource gets the same dataSourceRef, and the other way round', async () => {
  const a = await api.client.create<PersistentVolumeClaim>(core('persistentvolumeclaims', 'default'), claim('from-ds', { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' } }));
  assert.deepEqual(a.spec.dataSourceRef, { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' });
  const b = await api.client.create<PersistentVolumeClaim>(core('persistentvolumeclaims', 'default'), claim('from-ref', { dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'src' } }));
  assert.deepEqual(b.spec.dataSource, { kind: 'PersistentVolumeClaim', name: 'src' });
});

async function boundClaim(name: string, className: string): Promise<void> {
  await api.client.create(core('persistentvolumeclaims', 'default'), claim(name, { storageClassName: className, volumeName: `pv-${name}` }));
  await api.client.patch(core('persistentvolumeclaims', 'default'), name, { status: { phase: 'Bound', capacity: { storage: '1Gi' } } }, 'merge', { subresource: 'status' });
}

test('PersistentVolumeClaimResize: a bound claim grows only when its class allows expansion; shrinking is invalid', async () => {
  await api.client.create(storageClasses, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fixed' }, provisioner: 'example.com/x' } as any);
  await boundClaim('grows', 'unyo-local');
  await boundClaim('fixed-size', 'fixed');
  const grown = await api.client.patch<PersistentVolumeClaim>(core('persistentvolumeclaims', 'default'), 'grows', { spec: { resources: { requests: { storage: '2Gi' } } } });
  assert.equal(grown.spec.resources?.requests?.storage, '2Gi');
  const refused = await rejection(api.client.patch(core('persistentvolumeclaims', 'default'), 'fixed-size', { spec: { resources: { requests: { storage: '2Gi' } } } }));
  assert.equal(refused.code, 403);
  assert.equal(refused.message, 'persistentvolumeclaims "fixed-size" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
  const shrink = await rejection(api.client.patch(core('persistentvolumeclaims', 'default'), 'grows', { spec: { resources: { requests: { storage: '512Mi' } } } }));
  assert.equal(shrink.code, 422);
  assert.match(shrink.message, /spec\.resources\.requests\.storage: Forbidden: field can not be less than status\.capacity/);
});

test('an unbound claim cannot change its size', async () => {
  await api.client.create(core('persistentvolumeclaims', 'default'), claim('pending-resize'));
  const err = await rejection(api.client.patch(core('persistentvolumeclaims', 'default'), 'pending-resize', { spec: { resources: { requests: { storage: '2Gi' } } } }));
  assert.equal(err.code, 422);
  assert.match(err.message, /spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims/);
});
