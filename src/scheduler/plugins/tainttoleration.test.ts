import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cluster, filterAll, node, pod, scoreAll } from '../testing.js';
import type { Taint, Toleration } from '../types.js';
import { nodeUnschedulable } from './nodeunschedulable.js';
import { taintToleration, toleratesTaint } from './tainttoleration.js';

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

const cases: Array<{ name: string; taints: Taint[]; tolerations?: Toleration[]; want: string }> = [
  { name: 'untolerated NoExecute', taints: [unreachable], want: 'n: node(s) had untolerated taint {node.kubernetes.io/unreachable: } (unresolvable)' },
  { name: 'untolerated NoSchedule shows the value', taints: [gpu], want: 'n: node(s) had untolerated taint {dedicated: gpu} (unresolvable)' },
  { name: 'Exists on the key', taints: [unreachable], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }], want: 'n: ok' },
  { name: 'Equal with the value', taints: [gpu], tolerations: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], want: 'n: ok' },
  { name: 'Equal with another value', taints: [gpu], tolerations: [{ key: 'dedicated', value: 'cpu' }], want: 'n: node(s) had untolerated taint {dedicated: gpu} (unresolvable)' },
  { name: 'empty key with Exists tolerates everything', taints: [gpu, unreachable], tolerations: [{ operator: 'Exists' }], want: 'n: ok' },
  { name: 'another effect', taints: [unreachable], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }], want: 'n: node(s) had untolerated taint {node.kubernetes.io/unreachable: } (unresolvable)' },
  { name: 'PreferNoSchedule never filters', taints: [{ key: 'soft', effect: 'PreferNoSchedule' }], want: 'n: ok' },
  { name: 'the first untolerated taint is named', taints: [{ key: 'soft', effect: 'PreferNoSchedule' }, gpu, unreachable], tolerations: [{ key: 'dedicated', operator: 'Exists' }], want: 'n: node(s) had untolerated taint {node.kubernetes.io/unreachable: } (unresolvable)' },
];

for (const tc of cases) {
  test(`TaintToleration filter: ${tc.name}`, () => {
    assert.deepEqual(filterAll(taintToleration, pod('p', { tolerations: tc.tolerations }), cluster({ nodes: [node('n', { taints: tc.taints })] })), [tc.want]);
  });
}

test('toleratesTaint: an unknown operator tolerates nothing', () => {
  assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Gt', value: 'gpu' }, gpu), false);
});

test('TaintToleration score: fewer untolerated PreferNoSchedule taints score higher', () => {
  const soft = (key: string): Taint => ({ key, effect: 'PreferNoSchedule' });
  const c = cluster({ nodes: [node('a'), node('b', { taints: [soft('x')] }), node('c', { taints: [soft('x'), soft('y')] })] });
  assert.deepEqual(scoreAll(taintToleration, pod('p'), c), [100, 50, 0]);
  assert.deepEqual(scoreAll(taintToleration, pod('p', { tolerations: [{ key: 'y', operator: 'Exists', effect: 'PreferNoSchedule' }] }), c), [100, 0, 0]);
  assert.deepEqual(scoreAll(taintToleration, pod('p', { tolerations: [{ operator: 'Exists' }] }), c), [100, 100, 100]);
});

const cordonCases: Array<{ name: string; tolerations?: Toleration[]; want: string }> = [
  { name: 'cordoned', want: 'cordoned: node(s) were unschedulable (unresolvable)' },
  { name: 'tolerating the unschedulable taint', tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }], want: 'cordoned: ok' },
  { name: 'tolerating everything', tolerations: [{ operator: 'Exists' }], want: 'cordoned: ok' },
];

for (const tc of cordonCases) {
  test(`NodeUnschedulable filter: ${tc.name}`, () => {
    const c = cluster({ nodes: [node('cordoned', { unschedulable: true }), node('open')] });
    assert.deepEqual(filterAll(nodeUnschedulable, pod('p', { tolerations: tc.tolerations }), c), [tc.want, 'open: ok']);
  });
}
