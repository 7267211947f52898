import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cluster, filterAll, node, pod, scoreAll, type PodOptions } from '../testing.js';
import type { Node, Pod, TopologySpreadConstraint } from '../types.js';
import { podTopologySpread } from './podtopologyspread.js';

const ZONE = 'topology.kubernetes.io/zone';
const nodes = [node('a', { labels: { [ZONE]: 'z1' } }), node('b', { labels: { [ZONE]: 'z1' } }), node('c', { labels: { [ZONE]: 'z2', disk: 'ssd' } }), node('d', { labels: { [ZONE]: 'z3', disk: 'ssd' } })];
const web = (name: string, nodeName: string, o: PodOptions = {}) => pod(name, { nodeName, labels: { app: 'web' }, ...o });
// z1 holds 2 matching pods, z2 and z3 one each.
const placed = [web('w1', 'a'), web('w2', 'a'), web('w3', 'c'), web('w4', 'd')];
const spread = (o: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...o });
const NO = "node(s) didn't match pod topology spread constraints";

const cases: Array<{ name: string; constraints: TopologySpreadConstraint[]; incoming?: PodOptions; nodes?: Node[]; pods?: Pod[]; want: string[] }> = [
  // z1: 2+1-1 = 2 > 1; z2, z3: 1+1-1 = 1.
  { name: 'the crowded zone is skipped', constraints: [spread()], want: [`a: ${NO}`, `b: ${NO}`, 'c: ok', 'd: ok'] },
  { name: 'a larger maxSkew allows it', constraints: [spread({ maxSkew: 2 })], want: ['a: ok', 'b: ok', 'c: ok', 'd: ok'] },
  // Three zones but minDomains 4: the global minimum is 0, so z2 gives 1+1-0 = 2 > 1.
  { name: 'minDomains above the domains present', constraints: [spread({ minDomains: 4 })], want: [`a: ${NO}`, `b: ${NO}`, `c: ${NO}`, `d: ${NO}`] },
  // Without itself counting, z1 gives 2+0-1 = 1.
  { name: 'the pod does not match its own selector', constraints: [spread()], incoming: { labels: { app: 'api' } }, want: ['a: ok', 'b: ok', 'c: ok', 'd: ok'] },
  { name: 'a node without the topology label', constraints: [spread()], nodes: [...nodes, node('e')], want: [`a: ${NO}`, `b: ${NO}`, 'c: ok', 'd: ok', `e: ${NO} (missing required label) (unresolvable)`] },
  { name: 'ScheduleAnyway does not filter', constraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway' })], want: ['a: ok', 'b: ok', 'c: ok', 'd: ok'] },
  // z2 now holds 2 and z3 1: z2 gives 2+1-1 = 2; z1 is left out by the nodeSelector (nodeAffinityPolicy Honor).
  { name: 'domains outside the pod node affinity do not count', constraints: [spread()], incoming: { nodeSelector: { disk: 'ssd' } }, pods: [...placed, web('w5', 'c')], want: ['a: ok', 'b: ok', `c: ${NO}`, 'd: ok'] },
  { name: 'nodeAffinityPolicy Ignore counts them', constraints: [spread({ nodeAffinityPolicy: 'Ignore' })], incoming: { nodeSelector: { disk: 'ssd' } }, pods: [...placed, web('w5', 'c')], want: [`a: ${NO}`, `b: ${NO}`, `c: ${NO}`, 'd: ok'] },
  { name: 'pods of other namespaces do not count', constraints: [spread()], pods: [web('w1', 'a', { namespace: 'other' }), web('w2', 'a', { namespace: 'other' })], want: ['a: ok', 'b: ok', 'c: ok', 'd: ok'] },
  // z1 counts 0 with its pods terminating, so z2 gives 1+1-0 = 2.
  { name: 'terminating pods do not count', constraints: [spread()], pods: [web('w1', 'a', { deleting: true }), web('w2', 'a', { deleting: true }), web('w3', 'c'), web('w4', 'd')], want: ['a: ok', 'b: ok', `c: ${NO}`, `d: ${NO}`] },
  { name: 'a missing labelSelector counts nothing', constraints: [spread({ labelSelector: undefined })], want: ['a: ok', 'b: ok', 'c: ok', 'd: ok'] },
];

for (const tc of cases) {
  test(`PodTopologySpread filter: ${tc.name}`, () => {
    const c = cluster({ nodes: tc.nodes ?? nodes, pods: tc.pods ?? placed });
    assert.deepEqual(filterAll(podTopologySpread, pod('p', { labels: { app: 'web' }, topologySpreadConstraints: tc.constraints, ...tc.incoming }), c), tc.want);
  });
}

test('PodTopologySpread score: ScheduleAnyway prefers the emptier zones', () => {
  // Three zones: weight ln(5) ≈ 1.609. z1: 2 × 1.609 → 3; z2, z3: 1.609 → 2. Normalized 100 × (3 + 2 − s) / 3.
  const p = pod('p', { labels: { app: 'web' }, topologySpreadConstraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway' })] });
  assert.deepEqual(scoreAll(podTopologySpread, p, cluster({ nodes, pods: placed })), [66, 66, 100, 100]);
});

test('PodTopologySpread score: nodes without the label score 0 when the pod names the key', () => {
  const p = pod('p', { labels: { app: 'web' }, topologySpreadConstraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway' })] });
  assert.deepEqual(scoreAll(podTopologySpread, p, cluster({ nodes: [...nodes, node('e')], pods: placed })), [66, 66, 100, 100, 0]);
});

test('PodTopologySpread score: a controller’s pods spread by default across hosts and zones', () => {
  // Hosts: weight ln(5); zones z1, z2: weight ln(4). a: 2·1.609+2 + 2·1.386+4 → 12; b: 2 + 6.77 → 9; c: 2 + 4 → 6.
  // Normalized 100 × (12 + 6 − s) / 12 → 50, 75, 100.
  const three = [node('a', { labels: { [ZONE]: 'z1' } }), node('b', { labels: { [ZONE]: 'z1' } }), node('c', { labels: { [ZONE]: 'z2' } })];
  const c = cluster({ nodes: three, pods: [pod('r1', { nodeName: 'a', owner: 'rs' }), pod('r2', { nodeName: 'a', owner: 'rs' }), pod('x', { nodeName: 'c', owner: 'other' })] });
  assert.deepEqual(scoreAll(podTopologySpread, pod('p', { owner: 'rs' }), c), [50, 75, 100]);
  assert.equal(scoreAll(podTopologySpread, pod('p'), c), undefined);
});
