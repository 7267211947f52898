import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsProvider } from './stats.js';
import type { ContainerStats } from './runtime/runtime.js';

const pod = (name: string, uid: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid }, status: { startTime: '2026-01-01T00:00:00Z' } });

test('summary sums containers into pods and pods plus the agent into the node, with CPU rates from the previous sample', () => {
  let t = Date.parse('2026-01-01T00:01:00Z');
  const samples: Record<string, ContainerStats> = {};
  const set = (id: string, cpuSeconds: number, mem: number) => (samples[id] = { cpuNanos: cpuSeconds * 1e9, memoryBytes: mem, timestamp: new Date(t).toISOString() });
  const agent = { cpuNanos: 0, memoryBytes: 50e6, timestamp: '' };
  const provider = new StatsProvider({ stats: (id) => samples[id] }, 'node-1', '2026-01-01T00:00:00Z', () => ({ ...agent, timestamp: new Date(t).toISOString() }), () => new Date(t));
  const refs = [
    { pod: pod('a', 'uid-a'), container: 'web', id: 'c1' },
    { pod: pod('a', 'uid-a'), container: 'sidecar', id: 'c2' },
    { pod: pod('b', 'uid-b'), container: 'web', id: 'c3' },
    { pod: pod('gone', 'uid-gone'), container: 'web', id: 'exited' },
  ];
  set('c1', 1, 10e6);
  set('c2', 0.5, 5e6);
  set('c3', 2, 20e6);
  const first = provider.summary(refs);
  assert.equal(first.pods.length, 2, 'containers without stats (exited) are left out');
  assert.equal(first.pods[0].cpu.usageNanoCores, undefined, 'no rate from a single sample');
  assert.equal(first.pods[0].memory.workingSetBytes, 15e6);

  t += 10_000;
  set('c1', 6, 12e6); // 5 s of CPU in 10 s: half a core
  set('c2', 0.5, 5e6);
  set('c3', 2.1, 20e6);
  agent.cpuNanos = 1e9;
  const s = provider.summary(refs);
  const a = s.pods.find((p) => p.podRef.name === 'a')!;
  assert.equal(a.containers.find((c) => c.name === 'web')!.cpu.usageNanoCores, 500_000_000);
  assert.equal(a.cpu.usageNanoCores, 500_000_000);
  assert.equal(a.cpu.usageCoreNanoSeconds, 6.5e9);
  assert.equal(s.pods.find((p) => p.podRef.name === 'b')!.cpu.usageNanoCores, 10_000_000);
  assert.equal(s.node.cpu.usageNanoCores, 500_000_000 + 10_000_000 + 100_000_000);
  assert.equal(s.node.memory.workingSetBytes, 12e6 + 5e6 + 20e6 + 50e6);
  assert.equal(s.node.nodeName, 'node-1');

  const text = StatsProvider.resourceMetrics(s, t);
  assert.match(text, /^container_cpu_usage_seconds_total\{container="web",namespace="default",pod="a"\} 6 \d+$/m);
  assert.match(text, /^pod_memory_working_set_bytes\{namespace="default",pod="b"\} 20000000 \d+$/m);
  assert.match(text, /^# TYPE node_cpu_usage_seconds_total counter$/m);
  assert.match(text, /^scrape_error 0 \d+$/m);
});
