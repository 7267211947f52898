import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { identityMatches, newVersionedPod, parentAndOrdinal, storageMatches } from './identity.js';
import { claimOwnerMatches, updateClaimOwnerRefs } from './retention.js';

const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true };

function set(spec: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'set-uid' },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i:1' }], volumes: [{ name: 'www', emptyDir: {} }, { name: 'cache', emptyDir: {} }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: {} }],
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      ...spec,
    },
  };
}

test('names parse into parent and ordinal', () => {
  const cases: Array<[string, string, number]> = [
    ['web-0', 'web', 0],
    ['my-web-12', 'my-web', 12],
    ['web', '', -1],
    ['web-', '', -1],
    ['web-99999999999', 'web', -1],
  ];
  for (const [name, parent, ordinal] of cases) assert.deepEqual(parentAndOrdinal({ metadata: { name } }), { parent, ordinal }, name);
});

test('a new Pod carries its identity and its claim in place of the template volume of that name', () => {
  const pod = newVersionedPod(set(), set(), 'web-aaa', 'web-bbb', 2, ref) as any;
  assert.equal(pod.metadata.name, 'web-2');
  assert.equal(pod.metadata.generateName, undefined);
  assert.deepEqual(pod.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2', 'controller-revision-hash': 'web-bbb' });
  assert.equal(pod.spec.hostname, 'web-2');
  assert.equal(pod.spec.subdomain, 'nginx');
  assert.deepEqual(pod.spec.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }, { name: 'cache', emptyDir: {} }]);
  assert.ok(identityMatches(set(), pod));
  assert.ok(storageMatches(set(), pod));
  pod.spec.volumes = [];
  assert.ok(!storageMatches(set(), pod));
});

test('ordinals below the partition are made at the current revision', () => {
  const current = set();
  const update = set({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i:2' }] } } });
  (current.spec as any).updateStrategy.rollingUpdate.partition = 2;
  const image = (o: number) => (newVersionedPod(current, update, 'cur', 'upd', o, ref) as any).spec.containers[0].image;
  assert.deepEqual([0, 1, 2].map(image), ['i:1', 'i:1', 'i:2']);
});

const pod = (ordinal: number): KubeObject => ({ metadata: { name: `web-${ordinal}`, uid: `pod-${ordinal}` } });
const claim = (owners: Array<{ kind: string; name: string; uid: string; controller?: boolean }>): KubeObject => ({
  metadata: { name: 'www-web-0', ownerReferences: owners.map((o) => ({ apiVersion: o.kind === 'Pod' ? 'v1' : 'apps/v1', controller: true, ...o })) },
});

const retentionCases: Array<{ name: string; policy: Record<string, string>; ordinal: number; owners: Array<{ kind: string; name: string; uid: string; controller?: boolean }>; matches: boolean; after: string[] }> = [
  { name: 'Retain/Retain: unowned', policy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, ordinal: 0, owners: [], matches: true, after: [] },
  { name: 'Retain/Retain: a set reference is removed', policy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, ordinal: 0, owners: [{ kind: 'StatefulSet', name: 'web', uid: 'set-uid' }], matches: false, after: [] },
  { name: 'whenDeleted Delete: owned by the set', policy: { whenDeleted: 'Delete', whenScaled: 'Retain' }, ordinal: 0, owners: [], matches: false, after: ['StatefulSet/web'] },
  { name: 'whenScaled Delete, in range: unowned', policy: { whenDeleted: 'Retain', whenScaled: 'Delete' }, ordinal: 0, owners: [], matches: true, after: [] },
  { name: 'whenScaled Delete, scaled away: owned by the Pod', policy: { whenDeleted: 'Retain', whenScaled: 'Delete' }, ordinal: 5, owners: [], matches: false, after: ['Pod/web-5'] },
  { name: 'Delete/Delete, scaled away: the Pod replaces the set', policy: { whenDeleted: 'Delete', whenScaled: 'Delete' }, ordinal: 5, owners: [{ kind: 'StatefulSet', name: 'web', uid: 'set-uid' }], matches: false, after: ['Pod/web-5'] },
  { name: 'another controller: left alone', policy: { whenDeleted: 'Delete', whenScaled: 'Delete' }, ordinal: 0, owners: [{ kind: 'Other', name: 'x', uid: 'x' }], matches: true, after: ['Other/x'] },
  { name: 'an earlier set of the same name: left alone', policy: { whenDeleted: 'Delete', whenScaled: 'Retain' }, ordinal: 0, owners: [{ kind: 'StatefulSet', name: 'web', uid: 'old-uid' }], matches: true, after: [] },
];

for (const c of retentionCases) {
  test(`retention: ${c.name}`, () => {
    const s = set({ persistentVolumeClaimRetentionPolicy: c.policy });
    const p = pod(c.ordinal);
    const cl = claim(c.owners);
    assert.equal(claimOwnerMatches(cl, s, p), c.matches);
    if (!c.matches) {
      updateClaimOwnerRefs(cl, s, p);
      assert.deepEqual((cl.metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`), c.after);
      assert.ok(claimOwnerMatches(cl, s, p), 'up to date after the update');
    }
  });
}
