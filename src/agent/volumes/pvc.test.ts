import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { ResourceRef } from '../../client/client.js';
import { VolumeError } from './types.js';
import { prepareVolumes } from './volumes.js';

/** An API server holding claims of namespace shop and the PersistentVolumes. */
function fakeClient(claims: KubeObject[], volumes: KubeObject[]) {
  return {
    async get(ref: ResourceRef, name: string): Promise<KubeObject> {
      const pool = ref.plural === 'persistentvolumeclaims' ? claims.filter((c) => c.metadata.namespace === ref.namespace) : ref.plural === 'persistentvolumes' ? volumes : [];
      const found = pool.find((o) => o.metadata.name === name);
      if (!found) throw errors.notFound('', ref.plural, name);
      return structuredClone(found);
    },
  };
}

const claim = (name: string, volumeName?: string, phase = 'Bound', extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, ...extra },
  spec: { volumeName },
  status: { phase },
});
const pv = (name: string, claimName: string, source: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: { claimRef: { namespace: 'shop', name: claimName, uid: `uid-${claimName}` }, ...source },
});
const pod = (claimName: string, readOnly = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'db-0', namespace: 'shop', uid: 'pod-uid' },
  spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName, readOnly } }], containers: [{ name: 'db' }] },
});

async function failure(p: Promise<unknown>): Promise<VolumeError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof VolumeError);
    return err;
  }
  assert.fail('expected a VolumeError');
}

function setup(claims: KubeObject[], volumes: KubeObject[]) {
  const volumesDir = mkdtempSync(join(tmpdir(), 'unyo-volumes-'));
  const podDir = mkdtempSync(join(tmpdir(), 'unyo-pod-'));
  return { volumesDir, opts: { podDir, client: fakeClient(claims, volumes), nodeName: 'node-2', volumesDir } };
}

test('a claim bound to a unyo.local volume mounts <volumes dir>/<handle>, on any node', async () => {
  const { volumesDir, opts } = setup([claim('data-0', 'pvc-1')], [pv('pvc-1', 'data-0', { csi: { driver: 'unyo.local', volumeHandle: 'pvc-1' } })]);
  mkdirSync(join(volumesDir, 'pvc-1'));
  writeFileSync(join(volumesDir, 'pvc-1', 'kept'), 'x');
  const got = await prepareVolumes(pod('data-0'), opts);
  assert.deepEqual(got.get('data'), { hostPath: join(volumesDir, 'pvc-1'), readOnly: false });
  const ro = await prepareVolumes(pod('data-0', true), opts);
  assert.equal(ro.get('data')!.readOnly, true);
});

test('hostPath and local PersistentVolumes mount their path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unyo-static-'));
  const { opts } = setup(
    [claim('a', 'pv-host'), claim('b', 'pv-local')],
    [pv('pv-host', 'a', { hostPath: { path: dir, type: 'Directory' } }), pv('pv-local', 'b', { local: { path: dir } })],
  );
  assert.equal((await prepareVolumes(pod('a'), opts)).get('data')!.hostPath, dir);
  assert.equal((await prepareVolumes(pod('b'), opts)).get('data')!.hostPath, dir);
});

test('claims that cannot be mounted fail with the kubelet’s reasons (FailedMount, retried)', async () => {
  const { opts } = setup(
    [claim('pending', undefined, 'Pending'), claim('no-pv', 'pv-missing'), claim('stolen', 'pv-other'), claim('gone', 'pvc-gone'), claim('nfs', 'pv-nfs'), claim('other-driver', 'pv-ebs'), claim('deleting', 'pvc-x', 'Bound', { deletionTimestamp: '2026-01-01T00:00:00Z' })],
    [
      pv('pv-other', 'someone-else', { csi: { driver: 'unyo.local', volumeHandle: 'pv-other' } }),
      pv('pvc-gone', 'gone', { csi: { driver: 'unyo.local', volumeHandle: 'pvc-gone' } }),
      pv('pv-nfs', 'nfs', { nfs: { server: 'nas', path: '/x' } }),
      pv('pv-ebs', 'other-driver', { csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-1' } }),
    ],
  );
  const message = async (name: string) => (await failure(prepareVolumes(pod(name), opts))).event;
  assert.equal(await message('missing'), 'MountVolume.SetUp failed for volume "data" : error processing PVC shop/missing: failed to fetch PVC from API server: persistentvolumeclaims "missing" not found');
  assert.equal(await message('pending'), 'MountVolume.SetUp failed for volume "data" : error processing PVC shop/pending: PVC shop/pending has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")');
  assert.equal(await message('deleting'), 'MountVolume.SetUp failed for volume "data" : error processing PVC shop/deleting: can\'t start pod because PVC is being deleted');
  assert.match(await message('no-pv'), /failed to fetch PV pv-missing from API server: persistentvolumes "pv-missing" not found/);
  assert.match(await message('stolen'), /found PV object pv-other but its pv.Spec.ClaimRef.UID \(uid-someone-else\) does not point to claim.UID \(uid-stolen\)/);
  assert.match(await message('gone'), /unyo.local volume pvc-gone: volume directory .*\/pvc-gone does not exist/);
  assert.match(await message('nfs'), /PersistentVolume pv-nfs is a nfs volume, which unyo does not support/);
  assert.match(await message('other-driver'), /driver name ebs.csi.aws.com not found in the list of registered CSI drivers/);
});
