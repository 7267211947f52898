// The storage controllers together against a real in-process API server: the PV binder, PVC
// and PV protection, the snapshot controller and unyo.local's provisioner, resizer and
// snapshotter, on a temporary volumes directory. Each test plays a user (and, where a test
// needs it, the scheduler) through the API and waits for the cluster to answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { core } from '../../client/client.js';
import type { KubeObject } from '../../api/types.js';
import type { PersistentVolume, PersistentVolumeClaim, VolumeSnapshot, VolumeSnapshotContent } from '../../api/volumes.js';
import { newContext, type Runnable } from '../runtime/context.js';
import { systemClock } from '../runtime/clock.js';
import { waitFor } from '../runtime/testing.js';
import { persistentVolumeBinder } from '../persistentvolume/controller.js';
import { pvcProtection } from '../volumeprotection/pvcprotection.js';
import { pvProtection } from '../volumeprotection/pvprotection.js';
import { snapshotController } from '../volumesnapshot/controller.js';
import { unyoLocalProvisioner } from './provisioner.js';
import { unyoLocalResizer } from './resizer.js';
import { unyoLocalSnapshotter } from './snapshotter.js';

let api: TestApiServer;
let volumesDir: string;
const running: Runnable[] = [];
let ctx: ReturnType<typeof newContext>;

before(async () => {
  api = await startTestApiServer();
  volumesDir = mkdtempSync(join(tmpdir(), 'unyo-volumes-'));
  ctx = newContext(api.newClient('controller-manager'), systemClock, 'fast', { volumesDir });
  for (const d of [persistentVolumeBinder, pvcProtection, pvProtection, snapshotController, unyoLocalProvisioner, unyoLocalResizer, unyoLocalSnapshotter]) running.push(d.setup(ctx));
  await ctx.informers.start();
  for (const r of running) await r.start();
});

after(async () => {
  for (const r of running) await r.stop();
  ctx.informers.stop();
  await api.stop();
  rmSync(volumesDir, { recursive: true, force: true });
});

const ns = 'default';
const pvcs = core('persistentvolumeclaims', ns);
const pvs = core('persistentvolumes');
const pods = core('pods', ns);
const snapshots = { group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshots', namespace: ns };
const contents = { group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshotcontents' };
const classes = { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' };

async function getOrUndefined<T extends KubeObject>(ref: Parameters<typeof api.client.get>[0], name: string): Promise<T | undefined> {
  try {
    return await api.client.get<T>(ref, name);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

function claim(name: string, spec: Record<string, unknown> = {}): PersistentVolumeClaim {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } };
}

async function bound(name: string): Promise<{ claim: PersistentVolumeClaim; volume: PersistentVolume }> {
  const c = await waitFor(`claim ${name} Bound`, async () => {
    const got = await api.client.get<PersistentVolumeClaim>(pvcs, name);
    return got.status?.phase === 'Bound' ? got : undefined;
  });
  const v = await waitFor(`volume of ${name} Bound`, async () => {
    const got = await getOrUndefined<PersistentVolume>(pvs, c.spec.volumeName!);
    return got?.status?.phase === 'Bound' ? got : undefined;
  });
  return { claim: c, volume: v };
}

async function events(name: string): Promise<Array<{ reason: string; message: string; type: string }>> {
  const list = await api.client.list(core('events', ns), { fieldSelector: `involvedObject.name=${name}` });
  return list.items as any;
}

async function waitForEvent(name: string, reason: string): Promise<{ message: string; type: string }> {
  return waitFor(`event ${reason} on ${name}`, async () => (await events(name)).find((e) => e.reason === reason));
}

test('a claim of the default class is provisioned a directory and bound to its PV', async () => {
  await api.client.create(pvcs, claim('data'));
  const { claim: c, volume: v } = await bound('data');
  assert.equal(c.spec.storageClassName, 'unyo-local');
  assert.equal(c.spec.volumeName, `pvc-${c.metadata.uid}`);
  assert.equal(c.status?.capacity?.storage, '1Gi');
  assert.deepEqual(c.status?.accessModes, ['ReadWriteOnce']);
  const a = c.metadata.annotations!;
  assert.equal(a['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(a['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(a['volume.kubernetes.io/storage-provisioner'], 'unyo.local');
  assert.equal(a['volume.beta.kubernetes.io/storage-provisioner'], 'unyo.local');
  assert.equal(v.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'unyo.local');
  assert.deepEqual(v.spec.csi?.driver, 'unyo.local');
  assert.equal(v.spec.csi?.volumeHandle, v.metadata.name);
  assert.equal(v.spec.nodeAffinity, undefined, 'no node pins the volume');
  assert.equal(v.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(v.spec.claimRef?.uid, c.metadata.uid);
  assert.ok(v.metadata.finalizers?.includes('kubernetes.io/pv-protection'));
  assert.ok(v.metadata.finalizers?.includes('external-provisioner.volume.kubernetes.io/finalizer'));
  assert.ok(existsSync(join(volumesDir, v.metadata.name!)), 'the volume directory exists');
  assert.match((await waitForEvent('data', 'ExternalProvisioning')).message, /external provisioner 'unyo.local'/);
  assert.equal((await waitForEvent('data', 'ProvisioningSucceeded')).message, `Successfully provisioned volume ${v.metadata.name}`);
});

test('a WaitForFirstConsumer claim stays Pending with the upstream event until a node is chosen for it', async () => {
  await api.client.create(classes, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'wait' }, provisioner: 'unyo.local', volumeBindingMode: 'WaitForFirstConsumer' } as any);
  await api.client.create(pvcs, claim('later', { storageClassName: 'wait' }));
  const e = await waitForEvent('later', 'WaitForFirstConsumer');
  assert.equal(e.message, 'waiting for first consumer to be created before binding');
  const pending = await api.client.get<PersistentVolumeClaim>(pvcs, 'later');
  assert.equal(pending.status?.phase, 'Pending');
  assert.equal(pending.spec.volumeName, undefined);
  // The scheduler's part: a Pod using the claim was placed on node-2.
  await api.client.patch(pvcs, 'later', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-2' } } });
  const { volume } = await bound('later');
  assert.ok(existsSync(join(volumesDir, volume.metadata.name!)));
});

test('deleting a claim with reclaim policy Delete removes the PV and its directory', async () => {
  await api.client.create(pvcs, claim('short-lived'));
  const { volume } = await bound('short-lived');
  const dir = join(volumesDir, volume.metadata.name!);
  writeFileSync(join(dir, 'file'), 'x');
  await api.client.delete(pvcs, 'short-lived');
  await waitFor('the PV to be gone', async () => !(await getOrUndefined(pvs, volume.metadata.name!)));
  assert.ok(!existsSync(dir), 'the directory is gone');
});

test('deleting a claim with reclaim policy Retain leaves the PV Released and the data in place', async () => {
  await api.client.create(classes, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'keep' }, provisioner: 'unyo.local', reclaimPolicy: 'Retain' } as any);
  await api.client.create(pvcs, claim('kept', { storageClassName: 'keep' }));
  const { volume } = await bound('kept');
  writeFileSync(join(volumesDir, volume.metadata.name!, 'file'), 'still here');
  await api.client.delete(pvcs, 'kept');
  const released = await waitFor('the PV Released', async () => {
    const pv = await api.client.get<PersistentVolume>(pvs, volume.metadata.name!);
    return pv.status?.phase === 'Released' ? pv : undefined;
  });
  assert.equal(released.spec.claimRef?.name, 'kept');
  assert.equal(readFileSync(join(volumesDir, volume.metadata.name!, 'file'), 'utf8'), 'still here');
});

test('a bound claim that grows gets the capacity on its PV and in its status, with the resize events', async () => {
  await api.client.create(pvcs, claim('growing'));
  const { volume } = await bound('growing');
  await api.client.patch(pvcs, 'growing', { spec: { resources: { requests: { storage: '3Gi' } } } });
  const grown = await waitFor('status.capacity 3Gi', async () => {
    const c = await api.client.get<PersistentVolumeClaim>(pvcs, 'growing');
    return c.status?.capacity?.storage === '3Gi' ? c : undefined;
  });
  assert.equal(grown.status?.allocatedResources?.storage, '3Gi');
  assert.equal(grown.status?.allocatedResourceStatuses, undefined);
  assert.equal(grown.status?.conditions, undefined);
  assert.equal((await api.client.get<PersistentVolume>(pvs, volume.metadata.name!)).spec.capacity?.storage, '3Gi');
  assert.equal((await waitForEvent('growing', 'Resizing')).message, `External resizer is resizing volume ${volume.metadata.name}`);
  assert.equal((await waitForEvent('growing', 'VolumeResizeSuccessful')).message, 'Resize volume succeeded');
});

async function readySnapshot(name: string): Promise<VolumeSnapshot> {
  return waitFor(`snapshot ${name} readyToUse`, async () => {
    const s = await api.client.get<VolumeSnapshot>(snapshots, name);
    return s.status?.readyToUse ? s : undefined;
  });
}

test('a VolumeSnapshot is cut, becomes readyToUse, and a claim restored from it has the data as of the snapshot', async () => {
  await api.client.create(pvcs, claim('source'));
  const { volume } = await bound('source');
  const file = join(volumesDir, volume.metadata.name!, 'state.txt');
  writeFileSync(file, 'before the snapshot');
  await api.client.create(snapshots, { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'snap' }, spec: { source: { persistentVolumeClaimName: 'source' } } } as any);
  const snap = await readySnapshot('snap');
  assert.equal(snap.spec.volumeSnapshotClassName, 'unyo-local', 'the default class of the volume’s driver');
  assert.equal(snap.status?.boundVolumeSnapshotContentName, `snapcontent-${snap.metadata.uid}`);
  assert.equal(snap.status?.restoreSize, '1Gi');
  assert.match(snap.status?.creationTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(snap.metadata.finalizers?.includes('snapshot.storage.kubernetes.io/volumesnapshot-bound-protection'));
  const content = await api.client.get<VolumeSnapshotContent>(contents, snap.status!.boundVolumeSnapshotContentName!);
  assert.equal(content.spec.source.volumeHandle, volume.metadata.name);
  assert.equal(content.status?.readyToUse, true);
  assert.equal(content.status?.restoreSize, 1024 ** 3);
  assert.equal(content.status?.snapshotHandle, `snapshot-${snap.metadata.uid}`);
  assert.equal(Math.floor(content.status!.creationTime! / 1e9), Math.floor(Date.parse(snap.status!.creationTime!) / 1000));
  await waitForEvent('snap', 'SnapshotReady');
  await waitFor('the source claim to lose its snapshot finalizer', async () => !(await api.client.get(pvcs, 'source')).metadata.finalizers?.includes('snapshot.storage.kubernetes.io/pvc-as-source-protection'));

  writeFileSync(file, 'after the snapshot');
  await api.client.create(pvcs, claim('restored', { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' } }));
  const { volume: restored } = await bound('restored');
  assert.equal(readFileSync(join(volumesDir, restored.metadata.name!, 'state.txt'), 'utf8'), 'before the snapshot');

  await api.client.create(pvcs, claim('clone', { dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'source' } }));
  const { volume: clone } = await bound('clone');
  assert.equal(readFileSync(join(volumesDir, clone.metadata.name!, 'state.txt'), 'utf8'), 'after the snapshot');
  assert.ok(!(await api.client.get(pvcs, 'source')).metadata.finalizers?.includes('provisioner.storage.kubernetes.io/cloning-protection'));

  // A restore must be at least as big as the snapshot.
  await api.client.create(pvcs, claim('too-small', { resources: { requests: { storage: '512Mi' } }, dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' } }));
  const failed = await waitForEvent('too-small', 'ProvisioningFailed');
  assert.match(failed.message, /requested volume size 536870912 is less than the size 1073741824 for the source snapshot snap/);

  // Deleting the snapshot (policy Delete) deletes its content and the copy on disk.
  await api.client.delete(pvcs, 'too-small');
  await api.client.delete(snapshots, 'snap');
  await waitFor('the snapshot to be gone', async () => !(await getOrUndefined(snapshots, 'snap')));
  await waitFor('the content to be gone', async () => !(await getOrUndefined(contents, content.metadata.name!)));
  assert.ok(!existsSync(join(volumesDir, '.snapshots', content.status!.snapshotHandle!)));
});

test('a claim used by a scheduled Pod stays Terminating until the Pod is gone', async () => {
  await api.client.create(pvcs, claim('in-use'));
  await bound('in-use');
  await api.client.create(pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'user' },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'unyo/busybox:1' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'in-use' } }] },
  } as any);
  await api.client.delete(pvcs, 'in-use');
  const terminating = await api.client.get<PersistentVolumeClaim>(pvcs, 'in-use');
  assert.ok(terminating.metadata.deletionTimestamp);
  // Give the protection controller every chance to (wrongly) let it go.
  await waitFor('the claim to have been looked at', async () => {
    const c = await api.client.get<PersistentVolumeClaim>(pvcs, 'in-use');
    return c.metadata.finalizers?.includes('kubernetes.io/pvc-protection') ? c : undefined;
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(await getOrUndefined(pvcs, 'in-use'), 'the claim stays while the Pod runs');
  await api.client.delete(pods, 'user', { gracePeriodSeconds: 0 });
  await waitFor('the claim to be gone', async () => !(await getOrUndefined(pvcs, 'in-use')));
});

test('static volumes: a claim binds to the smallest matching Available PV; a pre-bound PV waits for its claim', async () => {
  const staticPv = (name: string, size: string, claimRef?: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: join(volumesDir, name) }, ...(claimRef ? { claimRef } : {}) },
  });
  await api.client.create(pvs, staticPv('static-big', '10Gi') as any);
  await api.client.create(pvs, staticPv('static-small', '2Gi') as any);
  await api.client.create(pvs, staticPv('static-reserved', '1Gi', { namespace: ns, name: 'wants-reserved' }) as any);
  await waitFor('static PVs Available', async () => (await api.client.get<PersistentVolume>(pvs, 'static-small')).status?.phase === 'Available');
  await api.client.create(pvcs, claim('manual-claim', { storageClassName: 'manual' }));
  assert.equal((await bound('manual-claim')).claim.spec.volumeName, 'static-small');
  await api.client.create(pvcs, claim('wants-reserved', { storageClassName: 'manual' }));
  const { volume } = await bound('wants-reserved');
  assert.equal(volume.metadata.name, 'static-reserved');
  assert.equal(volume.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined, 'the user bound it');

  // PV protection: a Bound volume being deleted stays until its claim lets go.
  await api.client.delete(pvs, 'static-reserved');
  assert.ok((await api.client.get(pvs, 'static-reserved')).metadata.deletionTimestamp);
  await api.client.delete(pvcs, 'wants-reserved');
  await waitFor('the released volume to go', async () => !(await getOrUndefined(pvs, 'static-reserved')));
});

test('a claim with no class and no matching volume says so', async () => {
  await api.client.create(pvcs, claim('classless', { storageClassName: '' }));
  const e = await waitForEvent('classless', 'FailedBinding');
  assert.equal(e.message, 'no persistent volumes available for this claim and no storage class is set');
});
