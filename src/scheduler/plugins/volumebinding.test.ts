import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cluster, filterAll, node, pod } from '../testing.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass, Volume } from '../types.js';
import { SchedulingError } from '../types.js';
import { podClaims, volumeBinding, volumeDecisions } from './volumebinding.js';
import { volumeZone } from './volumezone.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const nodes = [node('a', { labels: { [ZONE]: 'z1' } }), node('b', { labels: { [ZONE]: 'z2' } })];

const claim = (name: string, spec: PersistentVolumeClaim['spec'], extra: Partial<PersistentVolumeClaim> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra.metadata },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  status: extra.status ?? { phase: spec?.volumeName ? 'Bound' : 'Pending' },
});
const pinnedTo = (host: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOST, operator: 'In', values: [host] }] }] } });
const volume = (name: string, spec: PersistentVolume['spec'], labels?: Record<string, string>): PersistentVolume => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, labels }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' }, ...spec } });
const storageClasses: StorageClass[] = [
  { metadata: { name: 'local' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
  { metadata: { name: 'zonal' }, provisioner: 'example.com/disk', volumeBindingMode: 'WaitForFirstConsumer', allowedTopologies: [{ matchLabelExpressions: [{ key: ZONE, values: ['z2'] }] }] },
  { metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' },
  { metadata: { name: 'fast' }, provisioner: 'example.com/fast', volumeBindingMode: 'Immediate' },
];
const pvcs = [
  claim('data', { volumeName: 'pv-a', storageClassName: 'local' }),
  claim('wait', { storageClassName: 'local' }),
  claim('zonal', { storageClassName: 'zonal' }),
  claim('static', { storageClassName: 'manual' }),
  claim('big', { storageClassName: 'manual', resources: { requests: { storage: '50Gi' } } }),
  claim('imm', { storageClassName: 'fast' }),
  claim('orphan', { volumeName: 'pv-gone', storageClassName: 'local' }),
  claim('going', { storageClassName: 'local' }, { metadata: { name: 'going', deletionTimestamp: '2026-01-01T00:00:00Z' } }),
  claim('p-scratch', { storageClassName: 'local' }, { metadata: { name: 'p-scratch', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'uid-p', controller: true }] } }),
  claim('classless', { storageClassName: 'missing' }),
  claim('zoned', { volumeName: 'pv-zoned', storageClassName: 'local' }),
];
const pvs = [
  volume('pv-a', { storageClassName: 'local', nodeAffinity: pinnedTo('a'), claimRef: { namespace: 'default', name: 'data' } }),
  volume('pv-s', { storageClassName: 'manual', nodeAffinity: pinnedTo('b') }),
  volume('pv-taken', { storageClassName: 'manual', nodeAffinity: pinnedTo('a'), claimRef: { namespace: 'default', name: 'someone-else' } }),
  volume('pv-zoned', { storageClassName: 'local', claimRef: { namespace: 'default', name: 'zoned' } }, { [ZONE]: 'z1__z3' }),
];
const c = cluster({ nodes, pvcs, pvs, storageClasses });
const uses = (...claimNames: string[]) => pod('p', { volumes: claimNames.map((claimName, i): Volume => ({ name: `v${i}`, persistentVolumeClaim: { claimName } })) });

const cases: Array<{ name: string; claims: string[]; want: string[] }> = [
  { name: 'no claims', claims: [], want: ['a: ok', 'b: ok'] },
  { name: 'a missing claim rejects the pod', claims: ['nope'], want: ['all: persistentvolumeclaim "nope" not found'] },
  { name: 'a bound volume pinned to a node', claims: ['data'], want: ['a: ok', 'b: node(s) had volume node affinity conflict (unresolvable)'] },
  { name: 'WaitForFirstConsumer with a provisioner', claims: ['wait'], want: ['a: ok', 'b: ok'] },
  { name: 'a provisioner limited to some zones', claims: ['zonal'], want: ["a: node(s) didn't find available persistent volumes to bind (unresolvable)", 'b: ok'] },
  { name: 'a static volume on one node', claims: ['static'], want: ["a: node(s) didn't find available persistent volumes to bind (unresolvable)", 'b: ok'] },
  { name: 'no static volume big enough', claims: ['big'], want: ["a: node(s) didn't find available persistent volumes to bind (unresolvable)", "b: node(s) didn't find available persistent volumes to bind (unresolvable)"] },
  { name: 'an unbound Immediate claim', claims: ['imm'], want: ['all: pod has unbound immediate PersistentVolumeClaims'] },
  { name: 'a claim bound to a missing volume', claims: ['orphan'], want: ['a: node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s) (unresolvable)', 'b: node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s) (unresolvable)'] },
  { name: 'a claim being deleted', claims: ['going'], want: ['all: persistentvolumeclaim "going" is being deleted'] },
  { name: 'two reasons on one node', claims: ['data', 'big'], want: ["a: node(s) didn't find available persistent volumes to bind (unresolvable)", "b: node(s) had volume node affinity conflict, node(s) didn't find available persistent volumes to bind (unresolvable)"] },
];

for (const tc of cases) {
  test(`VolumeBinding filter: ${tc.name}`, () => assert.deepEqual(filterAll(volumeBinding, uses(...tc.claims), c), tc.want));
}

test('VolumeBinding: generic ephemeral volumes', () => {
  const eph = (volumeName: string, uid = 'uid-p') => ({ ...pod('p', { uid, volumes: [{ name: volumeName, ephemeral: { volumeClaimTemplate: {} } }] }) });
  assert.deepEqual(filterAll(volumeBinding, eph('scratch'), c), ['a: ok', 'b: ok']);
  assert.deepEqual(filterAll(volumeBinding, eph('cache'), c), ['all: waiting for ephemeral volume controller to create the persistentvolumeclaim "p-cache"']);
  assert.deepEqual(filterAll(volumeBinding, eph('scratch', 'uid-other'), c), ['all: PVC default/p-scratch was not created for pod default/p (pod is not owner)']);
});

test('VolumeBinding: a claim of a missing StorageClass is an error, not a verdict', () => {
  assert.throws(() => volumeBinding.cycle(uses('classless'), c), (err) => err instanceof SchedulingError && err.message === 'storageclass.storage.k8s.io "missing" not found');
});

test('VolumeBinding decisions: which claims get a static volume and which get provisioned', () => {
  const claims = podClaims(uses('wait', 'static', 'data'), c);
  assert.ok(typeof claims !== 'string');
  const d = volumeDecisions(claims, c.node('b')!, c);
  assert.deepEqual(
    { bindings: d.bindings.map((b) => `${b.claim.metadata.name}→${b.volume.metadata.name}`), provision: d.provision.map((p) => p.metadata.name), reasons: d.reasons },
    { bindings: ['static→pv-s'], provision: ['wait'], reasons: ['node(s) had volume node affinity conflict'] },
  );
});

test('VolumeZone: a zoned volume keeps the pod in its zones', () => {
  assert.deepEqual(filterAll(volumeZone, uses('zoned'), c), ['a: ok', 'b: node(s) had no available volume zone (unresolvable)']);
  assert.deepEqual(filterAll(volumeZone, uses('data'), c), ['a: ok', 'b: ok']);
});
