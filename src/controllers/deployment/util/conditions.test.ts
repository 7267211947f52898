import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentTimedOut, newCondition, setCondition } from './conditions.js';
import { deployment } from './testing.js';
import type { DeploymentStatus } from '../types.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');

test('setCondition: same status and reason change nothing; a new reason keeps the transition time', () => {
  const s: DeploymentStatus = {};
  setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'a', t0));
  setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'b', t0 + 5000));
  assert.equal(s.conditions![0].message, 'a');
  setCondition(s, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'm', t0));
  setCondition(s, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'c', t0 + 9000));
  assert.deepEqual(s.conditions!.map((c) => c.type), ['Available', 'Progressing']);
  assert.equal(s.conditions![1].lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(s.conditions![1].lastUpdateTime, '2026-01-01T00:00:09Z');
  setCondition(s, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', 'd', t0 + 20_000));
  assert.equal(s.conditions![1].lastTransitionTime, '2026-01-01T00:00:20Z');
});

test('deploymentTimedOut: past lastUpdateTime + progressDeadlineSeconds, never once complete', () => {
  const d = deployment(1);
  d.spec.progressDeadlineSeconds = 10;
  const s: DeploymentStatus = {};
  setCondition(s, newCondition('Progressing', 'True', 'ReplicaSetUpdated', '', t0));
  assert.ok(!deploymentTimedOut(d, s, t0 + 10_000));
  assert.ok(deploymentTimedOut(d, s, t0 + 10_001));
  setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', '', t0));
  assert.ok(!deploymentTimedOut(d, s, t0 + 60_000));
  delete d.spec.progressDeadlineSeconds;
  assert.ok(!deploymentTimedOut(d, {}, t0 + 60_000));
});
