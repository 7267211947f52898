import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { manage } from './manage.js';
import { scaledValue } from '../runtime/intstr.js';
import { rollingUpdate, updateBudget } from './rolling.js';

const now = Date.parse('2026-01-01T00:10:00Z');
const readySince = '2026-01-01T00:00:00Z';

/** A Pod on `node` at revision `hash`; `ready` false leaves it unready. */
function pod(name: string, node: string, hash: string, opts: { ready?: boolean; created?: string; phase?: string } = {}): KubeObject {
  return {
    metadata: { name, uid: name, labels: { 'controller-revision-hash': hash }, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z' },
    spec: { nodeName: node },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: readySince }] },
  };
}

const nodes = (...names: string[]) => names.map((name) => ({ metadata: { name } }) as KubeObject);
const everywhere = () => ({ shouldRun: true, shouldContinueRunning: true });
const ds = (rollingUpdate: Record<string, unknown>): KubeObject => ({ metadata: { name: 'ds' }, spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate } } });

function byNode(...pods: KubeObject[]): Map<string, KubeObject[]> {
  const m = new Map<string, KubeObject[]>();
  for (const p of pods) m.set((p.spec as any).nodeName, [...(m.get((p.spec as any).nodeName) ?? []), p]);
  return m;
}

test('scaled values: ints, and percentages rounded up', () => {
  const cases: Array<[unknown, number, number]> = [
    [2, 10, 2],
    ['25%', 10, 3],
    ['25%', 4, 1],
    ['0%', 4, 0],
    ['100%', 3, 3],
    [undefined, 5, 0],
  ];
  for (const [value, total, want] of cases) assert.equal(scaledValue(value, total, true), want, `${value} of ${total}`);
  assert.deepEqual(updateBudget(ds({ maxUnavailable: 0, maxSurge: 0 }), 3), { maxSurge: 0, maxUnavailable: 1 }, 'an impossible budget allows one unavailable');
});

const rollingCases: Array<{ name: string; strategy: Record<string, unknown>; pods: KubeObject[]; nodes: string[]; deletes: string[]; creates: string[] }> = [
  {
    name: 'maxUnavailable 2 of 5 old available Pods: two go',
    strategy: { maxUnavailable: 2, maxSurge: 0 },
    nodes: ['a', 'b', 'c', 'd', 'e'],
    pods: ['a', 'b', 'c', 'd', 'e'].map((n) => pod(`p-${n}`, n, 'old')),
    deletes: ['p-a', 'p-b'],
    creates: [],
  },
  {
    name: 'an unavailable new Pod uses up the budget',
    strategy: { maxUnavailable: 1, maxSurge: 0 },
    nodes: ['a', 'b', 'c'],
    pods: [pod('p-a', 'a', 'new', { ready: false }), pod('p-b', 'b', 'old'), pod('p-c', 'c', 'old')],
    deletes: [],
    creates: [],
  },
  {
    name: 'an old Pod that is not available is replaced regardless',
    strategy: { maxUnavailable: 1, maxSurge: 0 },
    nodes: ['a', 'b', 'c'],
    pods: [pod('p-a', 'a', 'new', { ready: false }), pod('p-b', 'b', 'old', { ready: false }), pod('p-c', 'c', 'old')],
    deletes: ['p-b'],
    creates: [],
  },
  {
    name: 'a node without its Pod counts as unavailable',
    strategy: { maxUnavailable: 1, maxSurge: 0 },
    nodes: ['a', 'b'],
    pods: [pod('p-b', 'b', 'old')],
    deletes: [],
    creates: [],
  },
  {
    name: 'surge 1: one node gets a new Pod beside the old one',
    strategy: { maxUnavailable: 0, maxSurge: 1 },
    nodes: ['a', 'b'],
    pods: [pod('p-a', 'a', 'old'), pod('p-b', 'b', 'old')],
    deletes: [],
    creates: ['a'],
  },
  {
    name: 'surge: the old Pod goes once the new one is available, and the next node surges',
    strategy: { maxUnavailable: 0, maxSurge: 1 },
    nodes: ['a', 'b'],
    pods: [pod('p-a', 'a', 'old'), pod('n-a', 'a', 'new'), pod('p-b', 'b', 'old')],
    deletes: ['p-a'],
    creates: ['b'],
  },
  {
    name: 'surge: waiting on an unready new Pod',
    strategy: { maxUnavailable: 0, maxSurge: 1 },
    nodes: ['a', 'b'],
    pods: [pod('p-a', 'a', 'old'), pod('n-a', 'a', 'new', { ready: false }), pod('p-b', 'b', 'old')],
    deletes: [],
    creates: [],
  },
  {
    name: 'surge: an unavailable old Pod is replaced at once, beyond maxSurge',
    strategy: { maxUnavailable: 0, maxSurge: 1 },
    nodes: ['a', 'b'],
    pods: [pod('p-a', 'a', 'old', { ready: false }), pod('p-b', 'b', 'old', { ready: false })],
    deletes: [],
    creates: ['a', 'b'],
  },
];

for (const c of rollingCases) {
  test(`rolling: ${c.name}`, () => {
    const r = rollingUpdate({ ds: ds(c.strategy), nodes: nodes(...c.nodes), podsByNode: byNode(...c.pods), placement: everywhere, hash: 'new', now });
    assert.deepEqual(r.podsToDelete.map((p) => p.metadata.name), c.deletes);
    assert.deepEqual(r.nodesToCreate, c.creates);
  });
}

const manageCases: Array<{ name: string; surge?: boolean; nodes: string[]; pods: KubeObject[]; placement?: (n: KubeObject) => { shouldRun: boolean; shouldContinueRunning: boolean }; mayDeleteFailed?: boolean; creates: string[]; deletes: string[]; missing?: string[] }> = [
  { name: 'a node without a Pod gets one', nodes: ['a', 'b'], pods: [pod('p-a', 'a', 'x')], creates: ['b'], deletes: [] },
  { name: 'extra Pods on a node: the oldest stays', nodes: ['a'], pods: [pod('young', 'a', 'x', { created: '2026-01-01T00:05:00Z' }), pod('old', 'a', 'x')], creates: [], deletes: ['young'] },
  { name: 'a failed Pod is deleted', nodes: ['a'], pods: [pod('p-a', 'a', 'x', { phase: 'Failed' })], creates: [], deletes: ['p-a'] },
  { name: 'a failed Pod in backoff stays', nodes: ['a'], pods: [pod('p-a', 'a', 'x', { phase: 'Failed' })], mayDeleteFailed: false, creates: [], deletes: [] },
  { name: 'a node where none belongs loses its Pod', nodes: ['a'], pods: [pod('p-a', 'a', 'x')], placement: () => ({ shouldRun: false, shouldContinueRunning: false }), creates: [], deletes: ['p-a'] },
  { name: 'a NoSchedule-tainted node keeps its Pod', nodes: ['a'], pods: [pod('p-a', 'a', 'x')], placement: () => ({ shouldRun: false, shouldContinueRunning: true }), creates: [], deletes: [] },
  { name: 'a Pod for a node that is gone', nodes: ['a'], pods: [pod('p-a', 'a', 'x'), pod('p-z', 'z', 'x')], creates: [], deletes: [], missing: ['p-z'] },
  { name: 'surge: old ready and new unready both stay', surge: true, nodes: ['a'], pods: [pod('o', 'a', 'old'), pod('n', 'a', 'new', { ready: false, created: '2026-01-01T00:05:00Z' })], creates: [], deletes: [] },
  { name: 'surge: new available, old goes', surge: true, nodes: ['a'], pods: [pod('o', 'a', 'old'), pod('n', 'a', 'new', { created: '2026-01-01T00:05:00Z' })], creates: [], deletes: ['o'] },
  { name: 'surge: old not ready goes', surge: true, nodes: ['a'], pods: [pod('o', 'a', 'old', { ready: false }), pod('n', 'a', 'new', { ready: false })], creates: [], deletes: ['o'] },
];

for (const c of manageCases) {
  test(`manage: ${c.name}`, () => {
    const r = manage({ nodes: nodes(...c.nodes), podsByNode: byNode(...c.pods), placement: c.placement ?? everywhere, hash: 'new', surge: !!c.surge, minReadySeconds: 0, now, mayDeleteFailed: () => c.mayDeleteFailed ?? true });
    assert.deepEqual(r.nodesNeedingPods, c.creates);
    assert.deepEqual(r.podsToDelete.map((p) => p.metadata.name), c.deletes);
    assert.deepEqual(r.podsOnMissingNodes.map((p) => p.metadata.name), c.missing ?? []);
  });
}

test('minReadySeconds: a Pod ready for less time is not available yet', () => {
  const fresh = pod('p-a', 'a', 'new');
  (fresh.status as any).conditions[0].lastTransitionTime = '2026-01-01T00:09:50Z';
  const r = rollingUpdate({ ds: { metadata: { name: 'ds' }, spec: { minReadySeconds: 30, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } } }, nodes: nodes('a', 'b'), podsByNode: byNode(fresh, pod('p-b', 'b', 'old')), placement: everywhere, hash: 'new', now });
  assert.deepEqual(r.podsToDelete, [], 'the new Pod still counts against maxUnavailable');
});
