import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deleteBefore, podsToDelete } from './podranking.js';
import type { Pod } from '../runtime/pods.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(now - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Spec {
  node?: string;
  phase?: string;
  ready?: boolean;
  readyAgo?: number;
  createdAgo?: number;
  restarts?: number;
  cost?: number;
  uid?: string;
}

function pod(name: string, s: Spec): Pod {
  return {
    metadata: {
      name,
      uid: s.uid ?? name,
      creationTimestamp: ago(s.createdAgo ?? 3600),
      annotations: s.cost === undefined ? undefined : { 'controller.kubernetes.io/pod-deletion-cost': String(s.cost) },
    },
    spec: { nodeName: s.node ?? 'node-1', containers: [{ name: 'c' }] },
    status: {
      phase: s.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: s.ready === false ? 'False' : 'True', lastTransitionTime: ago(s.readyAgo ?? 3000) }],
      containerStatuses: [{ name: 'c', restartCount: s.restarts ?? 0 }],
    },
  };
}

const cases: Array<{ name: string; a: Spec; b: Spec; rankA?: number; rankB?: number }> = [
  { name: 'unscheduled before scheduled', a: { node: '', phase: 'Pending', ready: false }, b: { phase: 'Pending', ready: false } },
  { name: 'Pending before Running', a: { phase: 'Pending', ready: false }, b: { phase: 'Running', ready: false } },
  { name: 'Unknown before Running', a: { phase: 'Unknown' }, b: { phase: 'Running' } },
  { name: 'not ready before ready', a: { ready: false }, b: {} },
  { name: 'lower deletion cost before higher', a: { cost: -5 }, b: { cost: 10 } },
  { name: 'more siblings on the node before fewer', a: {}, b: {}, rankA: 3, rankB: 1 },
  { name: 'ready more recently before longer (different log2 buckets)', a: { readyAgo: 10 }, b: { readyAgo: 3000 } },
  { name: 'more restarts before fewer', a: { restarts: 5 }, b: { restarts: 1 } },
  { name: 'newer before older', a: { createdAgo: 60 }, b: { createdAgo: 86_400 } },
  { name: 'ready times in the same log2 bucket: the smaller UID first', a: { uid: 'b', readyAgo: 3000 }, b: { uid: 'c', readyAgo: 3001 } },
  { name: 'ready times in the same log2 bucket tie even when the UID order is reversed', a: { uid: 'a', readyAgo: 3001 }, b: { uid: 'c', readyAgo: 3000 } },
  { name: 'unscheduled beats every later rule', a: { node: '', restarts: 0, createdAgo: 86_400 }, b: { ready: false, restarts: 9, createdAgo: 1 } },
  { name: 'not ready beats a lower deletion cost', a: { ready: false, cost: 100 }, b: { cost: -100 } },
];

for (const c of cases) {
  test(`pod ranking: ${c.name}`, () => {
    const a = { pod: pod('a', c.a), rank: c.rankA ?? 1 };
    const b = { pod: pod('b', c.b), rank: c.rankB ?? 1 };
    assert.equal(deleteBefore(a, b, now), true);
    assert.equal(deleteBefore(b, a, now), false);
  });
}

test('podsToDelete picks the least valuable Pods, counting siblings on the same node', () => {
  const pods = [
    pod('running-alone', { node: 'node-1' }),
    pod('doubled-1', { node: 'node-2', readyAgo: 3000, uid: 'x1' }),
    pod('doubled-2', { node: 'node-2', readyAgo: 3100, uid: 'x2' }),
    pod('not-ready', { node: 'node-3', ready: false }),
    pod('pending', { node: '', phase: 'Pending', ready: false }),
  ];
  const sibling = pod('sibling', { node: 'node-1' });
  const chosen = podsToDelete(pods, [...pods, sibling, pod('other', { node: 'node-2' })], 3, now).map((p) => p.metadata.name);
  // node-2 has three related Pods, node-1 two: doubled-up Pods on node-2 go before running-alone.
  assert.deepEqual(chosen, ['pending', 'not-ready', 'doubled-1']);
});

test('podsToDelete with a diff as large as the list takes them all', () => {
  const pods = [pod('a', {}), pod('b', {})];
  assert.deepEqual(podsToDelete(pods, pods, 2, now).map((p) => p.metadata.name), ['a', 'b']);
});
