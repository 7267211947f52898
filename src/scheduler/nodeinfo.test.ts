import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeInfo, podRequests } from './nodeinfo.js';
import { node, pod } from './testing.js';
import type { Container } from './types.js';

const c = (cpu?: string, memory?: string, restartPolicy?: string): Container => ({
  name: 'x',
  resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
  ...(restartPolicy ? { restartPolicy } : {}),
});

const requestCases: Array<{ name: string; containers: Container[]; init?: Container[]; overhead?: Record<string, string>; nonZero?: boolean; want: { milliCPU: number; memory: number } }> = [
  { name: 'containers add up', containers: [c('1', '1Gi'), c('500m', '512Mi')], want: { milliCPU: 1500, memory: 1.5 * 2 ** 30 } },
  { name: 'largest init container wins over the sum', containers: [c('1'), c('1')], init: [c('2'), c('3')], want: { milliCPU: 3000, memory: 0 } },
  { name: 'sum wins over a smaller init container', containers: [c('2', '2Gi')], init: [c('1', '3Gi')], want: { milliCPU: 2000, memory: 3 * 2 ** 30 } },
  { name: 'sidecars add to later init containers and to the pod', containers: [c('1')], init: [c('1', undefined, 'Always'), c('3')], want: { milliCPU: 4000, memory: 0 } },
  { name: 'overhead on top', containers: [c('1')], overhead: { cpu: '250m' }, want: { milliCPU: 1250, memory: 0 } },
  { name: 'no requests', containers: [{ name: 'x' }], want: { milliCPU: 0, memory: 0 } },
  { name: 'non-zero defaults for scoring', containers: [{ name: 'x' }, c('1')], nonZero: true, want: { milliCPU: 1100, memory: 2 * 200 * 2 ** 20 } },
  { name: 'milli-CPU rounds up', containers: [c('0.0001')], want: { milliCPU: 1, memory: 0 } },
];

for (const tc of requestCases) {
  test(`podRequests: ${tc.name}`, () => {
    const p = pod('p', { containers: tc.containers, initContainers: tc.init, overhead: tc.overhead });
    const r = podRequests(p, tc.nonZero);
    assert.deepEqual({ milliCPU: r.milliCPU, memory: r.memory }, tc.want);
  });
}

test('NodeInfo keeps running sums as pods come and go', () => {
  const info = new NodeInfo(node('n', { allocatable: { cpu: '2', 'example.com/gpu': '1' } }));
  assert.equal(info.allocatable.milliCPU, 2000);
  assert.equal(info.allowedPodNumber, 110);
  assert.equal(info.allocatable.scalar.get('example.com/gpu'), 1);
  info.addPod(pod('a', { requests: { cpu: '500m' } }));
  info.addPod(pod('b', { requests: { cpu: '250m', 'example.com/gpu': '1' } }));
  info.addPod(pod('b', { requests: { cpu: '300m' } }));
  assert.deepEqual([info.requested.milliCPU, info.podCount, info.requested.scalar.get('example.com/gpu')], [800, 2, 0]);
  info.removePod('default/a');
  assert.deepEqual([info.requested.milliCPU, info.nonZeroRequested.memory], [300, 200 * 2 ** 20]);
});

const portCases: Array<{ name: string; used: { hostPort: number; hostIP?: string; protocol?: string }; want: { hostIP: string; protocol: string; port: number }; conflict: boolean }> = [
  { name: 'same port, all addresses', used: { hostPort: 80 }, want: { hostIP: '0.0.0.0', protocol: 'TCP', port: 80 }, conflict: true },
  { name: 'other protocol', used: { hostPort: 80 }, want: { hostIP: '0.0.0.0', protocol: 'UDP', port: 80 }, conflict: false },
  { name: 'specific address against all addresses', used: { hostPort: 80 }, want: { hostIP: '10.0.0.1', protocol: 'TCP', port: 80 }, conflict: true },
  { name: 'two different addresses', used: { hostPort: 80, hostIP: '10.0.0.2' }, want: { hostIP: '10.0.0.1', protocol: 'TCP', port: 80 }, conflict: false },
  { name: 'other port', used: { hostPort: 81 }, want: { hostIP: '0.0.0.0', protocol: 'TCP', port: 80 }, conflict: false },
];

for (const tc of portCases) {
  test(`NodeInfo.portConflict: ${tc.name}`, () => {
    const info = new NodeInfo(node('n'), [pod('web', { containers: [{ name: 'c', ports: [{ containerPort: 8080, ...tc.used }] }] })]);
    assert.equal(info.portConflict({ ip: tc.want.hostIP, protocol: tc.want.protocol, port: tc.want.port }), tc.conflict);
  });
}
