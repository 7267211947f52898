import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitErrorMessage, pickHighest, schedulePod, type Diagnosis } from './framework.js';
import { defaultPlugins } from './plugins/index.js';
import { preemptionMessage } from './preemption.js';
import { cluster, node, pod, type ClusterObjects, type PodOptions } from './testing.js';
import type { Status } from './types.js';
import { unresolvable, unschedulable } from './types.js';

const UNREACHABLE = "node(s) had untolerated taint {node.kubernetes.io/unreachable: }";

const messageCases: Array<{ name: string; diagnosis: Diagnosis; postFilter?: string; want: string }> = [
  {
    name: 'reasons counted and sorted',
    diagnosis: { numAllNodes: 3, nodeStatuses: new Map<string, Status>([['a', unschedulable('Insufficient cpu')], ['b', unresolvable(UNREACHABLE)], ['c', unresolvable(UNREACHABLE)]]) },
    postFilter: 'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    want: `0/3 nodes are available: 1 Insufficient cpu, 2 ${UNREACHABLE}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.`,
  },
  {
    name: 'each reason of a node counts',
    diagnosis: { numAllNodes: 2, nodeStatuses: new Map<string, Status>([['a', unschedulable('Insufficient cpu', 'Insufficient memory')], ['b', unschedulable('Insufficient memory')]]) },
    want: '0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.',
  },
  {
    name: 'sorted as strings, as upstream does: 10 before 2',
    diagnosis: { numAllNodes: 12, nodeStatuses: new Map<string, Status>([...Array.from({ length: 10 }, (_, i): [string, Status] => [`x${i}`, unschedulable('Too many pods')]), ['y', unschedulable('Insufficient cpu')], ['z', unschedulable('Insufficient cpu')]]) },
    want: '0/12 nodes are available: 10 Too many pods, 2 Insufficient cpu.',
  },
  {
    name: 'nodes never filtered take the absent status',
    diagnosis: { numAllNodes: 4, nodeStatuses: new Map<string, Status>([['a', unschedulable('Insufficient cpu')]]), absentStatus: unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]") },
    want: "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity].",
  },
  {
    name: 'a PreFilter rejection replaces the counts',
    diagnosis: { numAllNodes: 3, nodeStatuses: new Map(), absentStatus: unresolvable('persistentvolumeclaim "x" not found'), preFilterMessage: 'persistentvolumeclaim "x" not found' },
    postFilter: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    want: '0/3 nodes are available: persistentvolumeclaim "x" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  },
];

for (const tc of messageCases) {
  test(`fitErrorMessage: ${tc.name}`, () => assert.equal(fitErrorMessage(tc.diagnosis, tc.postFilter), tc.want));
}

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const three = [node('n1'), node('n2', { taints: [unreachable] }), node('n3', { taints: [unreachable] })];
const pinned = (name: string) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] }] } } });

const scheduleCases: Array<{ name: string; objects: ClusterObjects; incoming: PodOptions; want: string }> = [
  {
    name: 'a full node and two unreachable ones',
    objects: { nodes: three, pods: [pod('busy', { nodeName: 'n1', requests: { cpu: '4' } })] },
    incoming: { requests: { cpu: '1' } },
    want: `0/3 nodes are available: 1 Insufficient cpu, 2 ${UNREACHABLE}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.`,
  },
  {
    name: 'the first failing filter is the node’s reason',
    objects: { nodes: [node('n1', { taints: [unreachable], unschedulable: true }), node('n2', { taints: [unreachable] })] },
    incoming: { requests: { cpu: '100' } },
    want: `0/2 nodes are available: 1 ${UNREACHABLE}, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.`,
  },
  {
    name: 'a missing claim',
    objects: { nodes: three },
    incoming: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'x' } }] },
    want: '0/3 nodes are available: persistentvolumeclaim "x" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  },
  {
    name: 'a DaemonSet pod whose node is full',
    objects: { nodes: [node('n1'), node('n2'), node('n3')], pods: [pod('busy', { nodeName: 'n1', requests: { cpu: '4' } })] },
    incoming: { requests: { cpu: '1' }, affinity: pinned('n1') },
    want: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
  },
  {
    name: 'evicting the lower-priority pods would not be enough',
    objects: { nodes: [node('n1')], pods: [pod('system', { nodeName: 'n1', requests: { cpu: '2' }, priority: 1000 }), pod('low', { nodeName: 'n1', requests: { cpu: '1' } })] },
    incoming: { requests: { cpu: '3' }, priority: 100 },
    want: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.',
  },
  {
    name: 'evicting lower-priority pods would make room, which unyo does not do yet',
    objects: { nodes: [node('n1')], pods: [pod('low', { nodeName: 'n1', requests: { cpu: '3' } })] },
    incoming: { requests: { cpu: '3' }, priority: 100 },
    want: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not supported by this scheduler.',
  },
  {
    name: 'preemptionPolicy Never',
    objects: { nodes: [node('n1')], pods: [pod('low', { nodeName: 'n1', requests: { cpu: '3' } })] },
    incoming: { requests: { cpu: '3' }, priority: 100, preemptionPolicy: 'Never' },
    want: '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
  },
  {
    name: 'anti-affinity everywhere',
    objects: { nodes: [node('n1'), node('n2')], pods: [pod('w1', { nodeName: 'n1', labels: { app: 'web' } }), pod('w2', { nodeName: 'n2', labels: { app: 'web' } })] },
    incoming: { labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } } },
    want: "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  },
  { name: 'the one node that fits', objects: { nodes: three, pods: [] }, incoming: { requests: { cpu: '1' } }, want: 'n1' },
  {
    name: 'the least loaded of several',
    objects: { nodes: [node('n1'), node('n2'), node('n3')], pods: [pod('x', { nodeName: 'n1', requests: { cpu: '2', memory: '4Gi' } }), pod('y', { nodeName: 'n3', requests: { cpu: '1', memory: '1Gi' } })] },
    incoming: { requests: { cpu: '1', memory: '1Gi' } },
    want: 'n2',
  },
  {
    name: 'a zone away from the other replicas',
    objects: {
      nodes: [node('n1', { labels: { 'topology.kubernetes.io/zone': 'z1' } }), node('n2', { labels: { 'topology.kubernetes.io/zone': 'z1' } }), node('n3', { labels: { 'topology.kubernetes.io/zone': 'z2' } })],
      pods: [pod('r1', { nodeName: 'n1', owner: 'rs' })],
    },
    incoming: { owner: 'rs' },
    want: 'n3',
  },
];

for (const tc of scheduleCases) {
  test(`schedulePod: ${tc.name}`, () => {
    const c = cluster(tc.objects);
    const p = pod('incoming', tc.incoming);
    const d = schedulePod(p, c, defaultPlugins, () => 0.99);
    const got = d.node ?? fitErrorMessage(d.diagnosis, preemptionMessage(p, c, d.diagnosis, defaultPlugins));
    assert.equal(got, tc.want);
  });
}

test('schedulePod: no nodes at all is an error', () => {
  assert.throws(() => schedulePod(pod('p'), cluster(), defaultPlugins), /^Error: no nodes available to schedule pods$/);
});

test('pickHighest: ties broken at random, uniformly', () => {
  assert.equal(pickHighest([5, 9, 9, 1, 9], () => 0.99), 1);
  assert.equal(pickHighest([5, 9, 9, 1, 9], () => 0), 4);
  assert.equal(pickHighest([7], () => 0), 0);
});
