import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { addTolerations, nodeShouldRunDaemonPod, pinToNode, targetNodeName } from './placement.js';

const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []): KubeObject => ({ metadata: { name, labels }, spec: { taints } });
const ds = (podSpec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'ds' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], ...podSpec } } } });

const cases: Array<{ name: string; node: KubeObject; podSpec: Record<string, unknown>; want: [boolean, boolean] }> = [
  { name: 'plain node', node: node('n'), podSpec: {}, want: [true, true] },
  { name: 'nodeSelector matches', node: node('n', { disk: 'ssd' }), podSpec: { nodeSelector: { disk: 'ssd' } }, want: [true, true] },
  { name: 'nodeSelector does not match', node: node('n', { disk: 'hdd' }), podSpec: { nodeSelector: { disk: 'ssd' } }, want: [false, false] },
  { name: 'template nodeName elsewhere', node: node('n'), podSpec: { nodeName: 'other' }, want: [false, false] },
  {
    name: 'required affinity In',
    node: node('n', { zone: 'a' }),
    podSpec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } } } },
    want: [true, true],
  },
  {
    name: 'required affinity terms are ORed',
    node: node('n', { zone: 'c' }),
    podSpec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }] } } } },
    want: [true, true],
  },
  {
    name: 'required affinity Gt',
    node: node('n', { cores: '4' }),
    podSpec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }] } } } },
    want: [false, false],
  },
  { name: 'cordoned: tolerated by the daemon toleration', node: node('n', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), podSpec: {}, want: [true, true] },
  { name: 'not ready: tolerated', node: node('n', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), podSpec: {}, want: [true, true] },
  { name: 'unreachable: tolerated', node: node('n', {}, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), podSpec: {}, want: [true, true] },
  { name: 'network unavailable: only host-network Pods tolerate it', node: node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), podSpec: {}, want: [false, true] },
  { name: 'network unavailable, hostNetwork', node: node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), podSpec: { hostNetwork: true }, want: [true, true] },
  { name: 'untolerated NoSchedule: existing Pods stay', node: node('n', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), podSpec: {}, want: [false, true] },
  { name: 'untolerated NoExecute: Pods go', node: node('n', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]), podSpec: {}, want: [false, false] },
  { name: 'PreferNoSchedule does not keep daemons out', node: node('n', {}, [{ key: 'spare', effect: 'PreferNoSchedule' }]), podSpec: {}, want: [true, true] },
  {
    name: 'a toleration in the template',
    node: node('n', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]),
    podSpec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db' }] },
    want: [true, true],
  },
  { name: 'a wildcard toleration', node: node('n', {}, [{ key: 'anything', effect: 'NoExecute' }]), podSpec: { tolerations: [{ operator: 'Exists' }] }, want: [true, true] },
];

for (const c of cases) {
  test(`placement: ${c.name}`, () => {
    const p = nodeShouldRunDaemonPod(c.node, ds(c.podSpec));
    assert.deepEqual([p.shouldRun, p.shouldContinueRunning], c.want);
  });
}

test('daemon tolerations replace a matching user toleration and keep the others', () => {
  const spec: any = { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }, { key: 'gpu', operator: 'Exists' }] };
  addTolerations(spec, [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]);
  assert.deepEqual(spec.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'gpu', operator: 'Exists' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  ]);
});

test('pinning replaces the required terms, keeps preferred ones, and names the target node', () => {
  const spec: any = {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
      },
    },
  };
  pinToNode(spec, 'node-1');
  assert.deepEqual(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] });
  assert.equal(spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.length, 1);
  assert.equal(targetNodeName({ metadata: {}, spec }), 'node-1');
  assert.equal(targetNodeName({ metadata: {}, spec: { ...spec, nodeName: 'node-2' } }), 'node-2', 'a bound Pod is where it is bound');
  assert.equal(targetNodeName({ metadata: {}, spec: {} }), undefined);
});
