import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastRevision, maxRevision, setDeploymentAnnotationsTo, setNewReplicaSetAnnotations } from './revision.js';
import { deployment, replicaSet } from './testing.js';

test('max and last revision skip ReplicaSets without a revision', () => {
  const rss = [replicaSet('a', 0, { revision: 3 }), replicaSet('b', 0, { revision: 7 }), replicaSet('c', 0), replicaSet('d', 0, { revision: 5 })];
  assert.equal(maxRevision(rss), 7);
  assert.equal(lastRevision(rss), 5);
  assert.equal(lastRevision([replicaSet('a', 0, { revision: 1 })]), 0);
  assert.equal(maxRevision([]), 0);
});

const cases: Array<{ name: string; annotations: Record<string, string>; newRevision: number; exists: boolean; limit?: number; want: Record<string, string>; changed: boolean }> = [
  {
    name: 'a new ReplicaSet gets the revision, the Deployment annotations and the replica annotations',
    annotations: {},
    newRevision: 1,
    exists: false,
    want: { 'kubernetes.io/change-cause': 'set image', 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' },
    changed: true,
  },
  {
    name: 'reused on rollback: the old revision joins revision-history',
    annotations: { 'deployment.kubernetes.io/revision': '1', 'kubernetes.io/change-cause': 'set image' },
    newRevision: 3,
    exists: true,
    want: { 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'set image' },
    changed: true,
  },
  {
    name: 'a second rollback appends to the history',
    annotations: { 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'set image' },
    newRevision: 5,
    exists: true,
    want: { 'deployment.kubernetes.io/revision': '5', 'deployment.kubernetes.io/revision-history': '1,3', 'kubernetes.io/change-cause': 'set image' },
    changed: true,
  },
  {
    name: 'the history drops its oldest entries past the length limit',
    annotations: { 'deployment.kubernetes.io/revision': '13', 'deployment.kubernetes.io/revision-history': '10,11,12', 'kubernetes.io/change-cause': 'set image' },
    newRevision: 14,
    exists: true,
    limit: 9,
    want: { 'deployment.kubernetes.io/revision': '14', 'deployment.kubernetes.io/revision-history': '11,12,13', 'kubernetes.io/change-cause': 'set image' },
    changed: true,
  },
  {
    name: 'a higher revision than the next one is kept',
    annotations: { 'deployment.kubernetes.io/revision': '9', 'kubernetes.io/change-cause': 'set image' },
    newRevision: 4,
    exists: true,
    want: { 'deployment.kubernetes.io/revision': '9', 'kubernetes.io/change-cause': 'set image' },
    changed: false,
  },
];

for (const c of cases) {
  test(`setNewReplicaSetAnnotations: ${c.name}`, () => {
    const d = deployment(4, { maxSurge: 1, maxUnavailable: 0, annotations: { 'kubernetes.io/change-cause': 'set image', 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
    const rs = replicaSet('x', 0, { annotations: c.annotations });
    const changed = setNewReplicaSetAnnotations(d, rs, c.newRevision, c.exists, c.limit);
    assert.equal(changed, c.changed);
    assert.deepEqual(rs.metadata.annotations, c.want);
  });
}

test('a rollback gives the Deployment the annotations of the ReplicaSet it returns to', () => {
  const d = deployment(1, { annotations: { 'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '2', note: 'x' } });
  const rs = replicaSet('old', 0, { revision: 1, annotations: { 'kubernetes.io/change-cause': 'v1', 'deployment.kubernetes.io/desired-replicas': '1' } });
  setDeploymentAnnotationsTo(d, rs);
  assert.deepEqual(d.metadata.annotations, { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'v1' });
});
