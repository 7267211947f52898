import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findActiveOrLatest, findNewReplicaSet, isSaturated, newRSNewReplicas } from './replicasets.js';
import { deployment, replicaSet } from './testing.js';

const cases: Array<{ name: string; replicas: number; surge: number | string; old: number; current: number; strategy?: string; want: number }> = [
  { name: 'room under the surge limit', replicas: 10, surge: 3, old: 10, current: 0, want: 3 },
  { name: 'no room: stays', replicas: 10, surge: 3, old: 10, current: 3, want: 3 },
  { name: 'never past spec.replicas', replicas: 10, surge: 3, old: 0, current: 9, want: 10 },
  { name: 'percent surge rounds up', replicas: 3, surge: '25%', old: 3, current: 0, want: 1 },
  { name: 'Recreate goes straight to the desired size', replicas: 5, surge: 0, old: 0, current: 0, strategy: 'Recreate', want: 5 },
];

for (const c of cases) {
  test(`newRSNewReplicas: ${c.name}`, () => {
    const d = deployment(c.replicas, { maxSurge: c.surge, maxUnavailable: 1, strategy: c.strategy });
    const newRS = replicaSet('new', c.current);
    assert.equal(newRSNewReplicas(d, [replicaSet('old', c.old), newRS], newRS), c.want);
  });
}

test('findActiveOrLatest: the only active ReplicaSet, the newest if none is, none if several are', () => {
  const a = replicaSet('a', 0, { created: '2026-01-01T00:00:00Z' });
  const b = replicaSet('b', 0, { created: '2026-01-02T00:00:00Z' });
  const c = replicaSet('c', 2, { created: '2026-01-03T00:00:00Z' });
  assert.equal(findActiveOrLatest(undefined, [a, b])?.metadata.name, 'b');
  assert.equal(findActiveOrLatest(c, [a, b])?.metadata.name, 'c');
  assert.equal(findActiveOrLatest(a, [replicaSet('d', 1), c]), undefined);
  assert.equal(findActiveOrLatest(undefined, []), undefined);
});

test('findNewReplicaSet: the oldest ReplicaSet with the Deployment template, hash label aside', () => {
  const d = deployment(1);
  const match1 = replicaSet('m1', 0, { created: '2026-01-02T00:00:00Z', image: 'unyo/web:1' });
  const match2 = replicaSet('m2', 0, { created: '2026-01-01T00:00:00Z', image: 'unyo/web:1' });
  assert.equal(findNewReplicaSet(d, [replicaSet('other', 1), match1, match2])?.metadata.name, 'm2');
  assert.equal(findNewReplicaSet(d, [replicaSet('other', 1)]), undefined);
});

test('isSaturated: sized and annotated for spec.replicas, all available', () => {
  const d = deployment(3);
  const rs = replicaSet('n', 3, { annotations: { 'deployment.kubernetes.io/desired-replicas': '3' } });
  assert.ok(isSaturated(d, rs));
  rs.status!.availableReplicas = 2;
  assert.ok(!isSaturated(d, rs));
  assert.ok(!isSaturated(d, replicaSet('n', 3)));
});
