import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cluster, filterAll, node, pod, scoreAll, type PodOptions } from '../testing.js';
import type { Node, Pod } from '../types.js';
import { nodeResourcesBalancedAllocation, nodeResourcesFit } from './noderesources.js';

const on = (nodeName: string, name: string, o: PodOptions) => pod(name, { nodeName, ...o });

const filterCases: Array<{ name: string; nodes?: Node[]; pods?: Pod[]; incoming: PodOptions; want: string[] }> = [
  { name: 'fits an empty node', incoming: { requests: { cpu: '1', memory: '1Gi' } }, want: ['n: ok'] },
  { name: 'cpu taken by pods already there', pods: [on('n', 'busy', { requests: { cpu: '3500m' } })], incoming: { requests: { cpu: '1' } }, want: ['n: Insufficient cpu'] },
  { name: 'more cpu than the node has at all', incoming: { requests: { cpu: '5' } }, want: ['n: Insufficient cpu (unresolvable)'] },
  { name: 'every shortfall is a reason', pods: [on('n', 'busy', { requests: { cpu: '4', memory: '8Gi' } })], incoming: { requests: { cpu: '1', memory: '1Gi' } }, want: ['n: Insufficient cpu, Insufficient memory'] },
  { name: 'pod count', nodes: [node('n', { allocatable: { pods: '1' } })], pods: [on('n', 'one', {})], incoming: {}, want: ['n: Too many pods'] },
  { name: 'ephemeral storage', incoming: { requests: { 'ephemeral-storage': '200Gi' } }, want: ['n: Insufficient ephemeral-storage (unresolvable)'] },
  { name: 'extended resource the node lacks', incoming: { requests: { 'example.com/gpu': '1' } }, want: ['n: Insufficient example.com/gpu (unresolvable)'] },
  { name: 'largest init container must fit', pods: [on('n', 'busy', { requests: { cpu: '1500m' } })], incoming: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }], initContainers: [{ name: 'i', resources: { requests: { cpu: '3' } } }] }, want: ['n: Insufficient cpu'] },
  { name: 'finished pods hold nothing', pods: [on('n', 'done', { requests: { cpu: '4' }, phase: 'Succeeded' })], incoming: { requests: { cpu: '1' } }, want: ['n: ok'] },
  { name: 'terminating pods still hold their requests', pods: [on('n', 'going', { requests: { cpu: '4' }, deleting: true })], incoming: { requests: { cpu: '1' } }, want: ['n: Insufficient cpu'] },
  { name: 'a pod without requests fits a full node', pods: [on('n', 'busy', { requests: { cpu: '4', memory: '8Gi' } })], incoming: {}, want: ['n: ok'] },
];

for (const tc of filterCases) {
  test(`NodeResourcesFit filter: ${tc.name}`, () => {
    const c = cluster({ nodes: tc.nodes ?? [node('n')], pods: tc.pods });
    assert.deepEqual(filterAll(nodeResourcesFit, pod('incoming', tc.incoming), c), tc.want);
  });
}

const scoreCases: Array<{ name: string; pods?: Pod[]; incoming: PodOptions; plugin: typeof nodeResourcesFit; want: number[] | undefined }> = [
  // a: cpu (4000-2000)/4000 → 50, memory (8-4)/8 → 50; b: 75 and 75.
  { name: 'least allocated prefers the emptier node', pods: [on('a', 'x', { requests: { cpu: '1', memory: '2Gi' } })], incoming: { requests: { cpu: '1', memory: '2Gi' } }, plugin: nodeResourcesFit, want: [50, 75] },
  // 100m of 4000m → 97; 200Mi of 8Gi → 97.
  { name: 'least allocated counts a best-effort pod as 100m and 200Mi', incoming: {}, plugin: nodeResourcesFit, want: [97, 97] },
  // a: cpu 3/4, memory 2/8 → std 0.25 → 75; b: cpu 1/4, memory 1/8 → std 0.0625 → 93.
  { name: 'balanced allocation prefers even use', pods: [on('a', 'x', { requests: { cpu: '2', memory: '1Gi' } })], incoming: { requests: { cpu: '1', memory: '1Gi' } }, plugin: nodeResourcesBalancedAllocation, want: [75, 93] },
  { name: 'balanced allocation leaves best-effort pods alone', incoming: {}, plugin: nodeResourcesBalancedAllocation, want: undefined },
];

for (const tc of scoreCases) {
  test(`${tc.plugin.name} score: ${tc.name}`, () => {
    const c = cluster({ nodes: [node('a'), node('b')], pods: tc.pods });
    assert.deepEqual(scoreAll(tc.plugin, pod('incoming', tc.incoming), c), tc.want);
  });
}
