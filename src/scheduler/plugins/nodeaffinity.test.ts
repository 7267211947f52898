import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cluster, filterAll, node, pod, scoreAll } from '../testing.js';
import type { Affinity, NodeSelectorTerm } from '../types.js';
import { nodeAffinity } from './nodeaffinity.js';

const nodes = [node('a', { labels: { zone: 'z1', disk: 'ssd', gen: '3' } }), node('b', { labels: { zone: 'z2', disk: 'hdd', gen: '5' } }), node('c')];
const NO = "node(s) didn't match Pod's node affinity/selector (unresolvable)";
const required = (...nodeSelectorTerms: NodeSelectorTerm[]): Affinity => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } });
const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });

const cases: Array<{ name: string; nodeSelector?: Record<string, string>; affinity?: Affinity; want: string[] }> = [
  { name: 'no constraints', want: ['a: ok', 'b: ok', 'c: ok'] },
  { name: 'nodeSelector', nodeSelector: { disk: 'ssd' }, want: ['a: ok', `b: ${NO}`, `c: ${NO}`] },
  { name: 'In', affinity: required(expr('zone', 'In', ['z1', 'z2'])), want: ['a: ok', 'b: ok', `c: ${NO}`] },
  { name: 'NotIn holds where the label is missing', affinity: required(expr('zone', 'NotIn', ['z1'])), want: [`a: ${NO}`, 'b: ok', 'c: ok'] },
  { name: 'Exists', affinity: required(expr('disk', 'Exists')), want: ['a: ok', 'b: ok', `c: ${NO}`] },
  { name: 'DoesNotExist', affinity: required(expr('disk', 'DoesNotExist')), want: [`a: ${NO}`, `b: ${NO}`, 'c: ok'] },
  { name: 'Gt', affinity: required(expr('gen', 'Gt', ['4'])), want: [`a: ${NO}`, 'b: ok', `c: ${NO}`] },
  { name: 'Lt', affinity: required(expr('gen', 'Lt', ['4'])), want: ['a: ok', `b: ${NO}`, `c: ${NO}`] },
  { name: 'Gt with a non-integer matches nothing', affinity: required(expr('gen', 'Gt', ['x'])), want: [`a: ${NO}`, `b: ${NO}`, `c: ${NO}`] },
  { name: 'terms are ORed', affinity: required(expr('zone', 'In', ['z1']), expr('disk', 'DoesNotExist')), want: ['a: ok', `b: ${NO}`, 'c: ok'] },
  { name: 'expressions in a term are ANDed', affinity: required({ matchExpressions: [{ key: 'zone', operator: 'Exists' }, { key: 'disk', operator: 'In', values: ['hdd'] }] }), want: [`a: ${NO}`, 'b: ok', `c: ${NO}`] },
  { name: 'an empty term matches nothing', affinity: required({}), want: [`a: ${NO}`, `b: ${NO}`, `c: ${NO}`] },
  { name: 'matchFields metadata.name', affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }), want: [`a: ${NO}`, 'b: ok', `c: ${NO}`] },
  { name: 'matchFields NotIn', affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['b'] }] }), want: ['a: ok', `b: ${NO}`, 'c: ok'] },
  { name: 'nodeSelector and affinity both apply', nodeSelector: { disk: 'hdd' }, affinity: required(expr('zone', 'In', ['z1', 'z2'])), want: [`a: ${NO}`, 'b: ok', `c: ${NO}`] },
  {
    name: 'conflicting node names reject the pod',
    affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }, { key: 'metadata.name', operator: 'In', values: ['b'] }] }),
    want: ['all: pod affinity terms conflict'],
  },
];

for (const tc of cases) {
  test(`NodeAffinity filter: ${tc.name}`, () => {
    assert.deepEqual(filterAll(nodeAffinity, pod('p', { nodeSelector: tc.nodeSelector, affinity: tc.affinity }), cluster({ nodes })), tc.want);
  });
}

test('NodeAffinity narrows DaemonSet-style pods to their node', () => {
  const p = pod('p', { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }) });
  assert.deepEqual([...(nodeAffinity.cycle(p, cluster({ nodes })).nodeNames ?? [])], ['b']);
  const open = pod('q', { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }, expr('zone', 'Exists')) });
  assert.equal(nodeAffinity.cycle(open, cluster({ nodes })).nodeNames, undefined);
});

const scoreCases: Array<{ name: string; preferred: Array<{ weight: number; preference: NodeSelectorTerm }>; want: number[] | undefined }> = [
  { name: 'none', preferred: [], want: undefined },
  { name: 'weights add up and scale to the best', preferred: [{ weight: 10, preference: expr('disk', 'In', ['ssd']) }, { weight: 5, preference: expr('zone', 'Exists') }], want: [100, 33, 0] },
  { name: 'nothing matches', preferred: [{ weight: 10, preference: expr('disk', 'In', ['nvme']) }], want: [0, 0, 0] },
];

for (const tc of scoreCases) {
  test(`NodeAffinity score: ${tc.name}`, () => {
    const p = pod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: tc.preferred } } });
    assert.deepEqual(scoreAll(nodeAffinity, p, cluster({ nodes })), tc.want);
  });
}
