// The rolling-update arithmetic, pass by pass: a small simulation in which the Pods that
// existed before a pass become available after it (or never, for a broken template).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newReplicaSetSize, planOldReplicaSets, maxScaledDown } from './rolling.js';
import { deployment, replicaSet } from './util/testing.js';
import { specReplicas, type ReplicaSet } from '../replicaset/types.js';
import type { Deployment } from './types.js';
import { filterActive } from './util/replicasets.js';
import { maxSurge, maxUnavailable } from './util/fenceposts.js';

interface Pass {
  old: number;
  new: number;
  available: number;
}

/** Run passes until nothing changes any more; every pass that scales records the sizes and available Pods right after it. */
function simulate(d: Deployment, oldSize: number, healthy: boolean, maxPasses = 50): Pass[] {
  const old = replicaSet('old', oldSize, { created: '2026-01-01T00:00:00Z' });
  const neu = replicaSet('new', 0, { created: '2026-01-02T00:00:00Z', available: 0 });
  const passes: Pass[] = [{ old: oldSize, new: 0, available: oldSize }];
  const setSize = (rs: ReplicaSet, n: number) => {
    rs.spec.replicas = n;
    // The ReplicaSet deletes unavailable Pods first, so available ones survive as long as they fit.
    rs.status!.availableReplicas = Math.min(rs.status!.availableReplicas ?? 0, n);
  };
  for (let i = 0; i < maxPasses; i++) {
    const all = [old, neu];
    const existedBefore = specReplicas(neu);
    let changed = false;
    if (specReplicas(neu) !== d.spec.replicas) {
      const size = newReplicaSetSize(d, all, neu);
      if (size !== specReplicas(neu)) {
        setSize(neu, size);
        changed = true;
      }
    }
    if (!changed) {
      const { cleanup, scaleDown } = planOldReplicaSets(d, all, filterActive([old]), neu);
      for (const s of [...cleanup, ...scaleDown]) setSize(s.rs, s.size);
      changed = cleanup.length + scaleDown.length > 0;
    }
    if (changed) passes.push({ old: specReplicas(old), new: specReplicas(neu), available: (old.status!.availableReplicas ?? 0) + (neu.status!.availableReplicas ?? 0) });
    const availableBefore = neu.status!.availableReplicas;
    if (healthy) neu.status!.availableReplicas = Math.min(specReplicas(neu), existedBefore);
    if (!changed && neu.status!.availableReplicas === availableBefore) break;
  }
  return passes;
}

const sizes = (passes: Pass[]) => passes.map((p) => `${p.old}/${p.new}`);

function assertBounds(d: Deployment, passes: Pass[]): void {
  const desired = d.spec.replicas!;
  for (const p of passes) {
    assert.ok(p.old + p.new <= desired + maxSurge(d), `${p.old}+${p.new} exceeds ${desired}+maxSurge`);
    assert.ok(p.available >= desired - maxUnavailable(d), `only ${p.available} available at ${p.old}/${p.new}`);
  }
}

const cases: Array<{ name: string; d: Deployment; healthy: boolean; want: string[] }> = [
  {
    name: 'the worked example: 10 replicas, maxSurge 3, maxUnavailable 2',
    d: deployment(10, { maxSurge: 3, maxUnavailable: 2 }),
    healthy: true,
    want: ['10/0', '10/3', '8/3', '8/5', '5/5', '5/8', '3/8', '3/10', '0/10'],
  },
  {
    name: 'defaults (25%/25%) with 3 replicas: one extra Pod at a time, none taken early',
    d: deployment(3),
    healthy: true,
    want: ['3/0', '3/1', '2/1', '2/2', '1/2', '1/3', '0/3'],
  },
  {
    name: 'maxUnavailable 0, maxSurge 1: an old Pod goes only after a new one is available',
    d: deployment(4, { maxSurge: 1, maxUnavailable: 0 }),
    healthy: true,
    want: ['4/0', '4/1', '3/1', '3/2', '2/2', '2/3', '1/3', '1/4', '0/4'],
  },
  {
    name: 'maxSurge 0, maxUnavailable 1: old Pods go first',
    d: deployment(3, { maxSurge: 0, maxUnavailable: 1 }),
    healthy: true,
    want: ['3/0', '2/0', '2/1', '1/1', '1/2', '0/2', '0/3'],
  },
  {
    name: 'a broken template stalls with the old ReplicaSet at minAvailable (worked example sizes)',
    d: deployment(10, { maxSurge: 3, maxUnavailable: 2 }),
    healthy: false,
    want: ['10/0', '10/3', '8/3', '8/5'],
  },
  {
    name: 'a broken template with the defaults and 3 replicas keeps all 3 old Pods',
    d: deployment(3),
    healthy: false,
    want: ['3/0', '3/1'],
  },
];

for (const c of cases) {
  test(`rolling: ${c.name}`, () => {
    const passes = simulate(c.d, c.d.spec.replicas!, c.healthy);
    assert.deepEqual(sizes(passes), c.want);
    assertBounds(c.d, passes);
  });
}

test('rolling: old ReplicaSets lose their unavailable replicas first, without counting against availability', () => {
  const d = deployment(10, { maxSurge: 3, maxUnavailable: 2 });
  const older = replicaSet('a', 4, { created: '2026-01-01T00:00:00Z', available: 2 });
  const old = replicaSet('b', 6, { created: '2026-01-02T00:00:00Z', available: 6 });
  const neu = replicaSet('c', 3, { created: '2026-01-03T00:00:00Z', available: 3 });
  const all = [older, old, neu];
  assert.equal(maxScaledDown(d, all, neu), 13 - 8 - 0);
  const { cleanup, scaleDown } = planOldReplicaSets(d, all, [older, old], neu);
  assert.deepEqual(cleanup.map((s) => [s.rs.metadata.name, s.size]), [['a', 2]]);
  // 11 available, 8 needed: 3 more may go, oldest first.
  assert.deepEqual(scaleDown.map((s) => [s.rs.metadata.name, s.size]), [['a', 0], ['b', 5]]);
});

test('rolling: rolling back to a healthy ReplicaSet frees the broken Pods at once', () => {
  // The upstream example: the broken new ReplicaSet has 5 Pods, none available; one old Pod is lost.
  const d = deployment(10, { maxSurge: 3, maxUnavailable: 2 });
  const broken = replicaSet('broken', 5, { created: '2026-01-02T00:00:00Z', available: 0 });
  const good = replicaSet('good', 8, { created: '2026-01-01T00:00:00Z', available: 7 });
  assert.equal(maxScaledDown(d, [good, broken], broken), 0, 'rolling forward: nothing may go');
  // After `rollout undo` the good ReplicaSet is the new one.
  assert.equal(maxScaledDown(d, [broken, good], good), 13 - 8 - 1);
  const { cleanup } = planOldReplicaSets(d, [broken, good], [broken], good);
  assert.deepEqual(cleanup.map((s) => [s.rs.metadata.name, s.size]), [['broken', 1]]);
});
