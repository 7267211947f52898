import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cluster, filterAll, node, pod } from '../testing.js';
import type { ContainerPort } from '../types.js';
import { nodeName } from './nodename.js';
import { nodePorts } from './nodeports.js';

const withPorts = (name: string, ports: ContainerPort[], nodeName?: string) => pod(name, { nodeName, containers: [{ name: 'c', ports }] });
const NO = "node(s) didn't have free ports for the requested pod ports";

const cases: Array<{ name: string; ports: ContainerPort[]; want: string[] }> = [
  { name: 'no host ports', ports: [{ containerPort: 80 }], want: ['a: ok', 'b: ok'] },
  { name: 'a taken host port', ports: [{ containerPort: 8080, hostPort: 80 }], want: [`a: ${NO}`, 'b: ok'] },
  { name: 'the same port over UDP', ports: [{ containerPort: 8080, hostPort: 80, protocol: 'UDP' }], want: ['a: ok', 'b: ok'] },
  { name: 'one of several ports taken', ports: [{ containerPort: 1, hostPort: 81 }, { containerPort: 2, hostPort: 443, hostIP: '10.0.0.1' }], want: [`a: ${NO}`, 'b: ok'] },
];

for (const tc of cases) {
  test(`NodePorts filter: ${tc.name}`, () => {
    const c = cluster({ nodes: [node('a'), node('b')], pods: [withPorts('web', [{ containerPort: 8080, hostPort: 80 }, { containerPort: 8443, hostPort: 443 }], 'a')] });
    assert.deepEqual(filterAll(nodePorts, withPorts('p', tc.ports), c), tc.want);
  });
}

test('NodeName filter: a pod naming its node fits only there', () => {
  const c = cluster({ nodes: [node('a'), node('b')] });
  assert.deepEqual(filterAll(nodeName, pod('p', { nodeName: 'b' }), c), ["a: node(s) didn't match the requested node name (unresolvable)", 'b: ok']);
  assert.deepEqual(filterAll(nodeName, pod('p'), c), ['a: ok', 'b: ok']);
});
