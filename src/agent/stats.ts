// Resource usage of this node's Pods and containers, read from /proc through the runtime, in
// the two shapes the kubelet serves them: the Summary API (`/stats/summary`, JSON) and the
// resource metrics endpoint (`/metrics/resource`, Prometheus text) that metrics-server scrapes.
// CPU rates (usageNanoCores) come from the difference with the previous sample.
// On one machine several agents share the host, so a node's usage is what runs on it: its
// Pods plus the agent process itself (upstream reports the whole machine's root cgroup).
import type { KubeObject } from '../api/types.js';
import type { ContainerStats, Runtime } from './runtime/runtime.js';

export interface ContainerRef {
  pod: KubeObject;
  container: string;
  id: string;
  startedAt?: string;
}

interface Usage {
  time: string;
  cpuNanos: number;
  memoryBytes: number;
  usageNanoCores?: number;
}

export interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}

export interface MemoryStats {
  time: string;
  workingSetBytes: number;
  rssBytes: number;
  usageBytes: number;
}

export interface ContainerSummary {
  name: string;
  startTime?: string;
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface PodSummary {
  podRef: { name: string; namespace: string; uid: string };
  startTime?: string;
  containers: ContainerSummary[];
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface Summary {
  node: { nodeName: string; startTime: string; cpu: CpuStats; memory: MemoryStats };
  pods: PodSummary[];
}

const cpu = (u: Usage): CpuStats => ({ time: u.time, ...(u.usageNanoCores !== undefined ? { usageNanoCores: u.usageNanoCores } : {}), usageCoreNanoSeconds: u.cpuNanos });
const memory = (u: Usage): MemoryStats => ({ time: u.time, workingSetBytes: u.memoryBytes, rssBytes: u.memoryBytes, usageBytes: u.memoryBytes });

function sum(usages: Usage[], time: string): Usage {
  const rated = usages.filter((u) => u.usageNanoCores !== undefined);
  return {
    time,
    cpuNanos: usages.reduce((s, u) => s + u.cpuNanos, 0),
    memoryBytes: usages.reduce((s, u) => s + u.memoryBytes, 0),
    ...(rated.length ? { usageNanoCores: rated.reduce((s, u) => s + u.usageNanoCores!, 0) } : {}),
  };
}

export class StatsProvider {
  /** The previous sample per container id (and "agent" for the agent itself), for rates. */
  private readonly previous = new Map<string, { at: number; cpuNanos: number }>();

  constructor(
    private readonly runtime: Pick<Runtime, 'stats'>,
    private readonly nodeName: string,
    private readonly startTime: string,
    private readonly self: () => ContainerStats = ownUsage,
    private readonly now: () => Date = () => new Date(),
  ) {}

  summary(containers: ContainerRef[]): Summary {
    const time = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const byPod = new Map<string, { pod: KubeObject; containers: ContainerSummary[]; usages: Usage[] }>();
    for (const ref of containers) {
      const stats = this.runtime.stats(ref.id);
      if (!stats) continue;
      const usage = this.rate(ref.id, stats, time);
      const uid = ref.pod.metadata.uid!;
      let entry = byPod.get(uid);
      if (!entry) byPod.set(uid, (entry = { pod: ref.pod, containers: [], usages: [] }));
      entry.containers.push({ name: ref.container, ...(ref.startedAt ? { startTime: ref.startedAt } : {}), cpu: cpu(usage), memory: memory(usage) });
      entry.usages.push(usage);
    }
    const pods: PodSummary[] = [];
    for (const [uid, e] of byPod) {
      const total = sum(e.usages, time);
      const podStart = (e.pod.status as any)?.startTime;
      pods.push({ podRef: { name: e.pod.metadata.name!, namespace: e.pod.metadata.namespace!, uid }, ...(podStart ? { startTime: podStart } : {}), containers: e.containers, cpu: cpu(total), memory: memory(total) });
    }
    const node = sum([...pods.map((p) => ({ time, cpuNanos: p.cpu.usageCoreNanoSeconds, memoryBytes: p.memory.workingSetBytes, usageNanoCores: p.cpu.usageNanoCores })), this.rate('agent', this.self(), time)], time);
    return { node: { nodeName: this.nodeName, startTime: this.startTime, cpu: cpu(node), memory: memory(node) }, pods };
  }

  /** The resource metrics endpoint's text (Prometheus exposition format), from a summary. */
  static resourceMetrics(s: Summary, nowMs: number): string {
    const lines: string[] = [];
    const family = (name: string, help: string, type = 'gauge') => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const sample = (name: string, labels: Record<string, string>, value: number) => {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
      lines.push(`${name}${l ? `{${l}}` : ''} ${value} ${nowMs}`);
    };
    family('container_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the container in core-seconds', 'counter');
    for (const p of s.pods) for (const c of p.containers) sample('container_cpu_usage_seconds_total', { container: c.name, namespace: p.podRef.namespace, pod: p.podRef.name }, c.cpu.usageCoreNanoSeconds / 1e9);
    family('container_memory_working_set_bytes', 'Current working set of the container in bytes');
    for (const p of s.pods) for (const c of p.containers) sample('container_memory_working_set_bytes', { container: c.name, namespace: p.podRef.namespace, pod: p.podRef.name }, c.memory.workingSetBytes);
    family('pod_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the pod in core-seconds', 'counter');
    for (const p of s.pods) sample('pod_cpu_usage_seconds_total', { namespace: p.podRef.namespace, pod: p.podRef.name }, p.cpu.usageCoreNanoSeconds / 1e9);
    family('pod_memory_working_set_bytes', 'Current working set of the pod in bytes');
    for (const p of s.pods) sample('pod_memory_working_set_bytes', { namespace: p.podRef.namespace, pod: p.podRef.name }, p.memory.workingSetBytes);
    family('node_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the node in core-seconds', 'counter');
    sample('node_cpu_usage_seconds_total', {}, s.node.cpu.usageCoreNanoSeconds / 1e9);
    family('node_memory_working_set_bytes', 'Current working set of the node in bytes');
    sample('node_memory_working_set_bytes', {}, s.node.memory.workingSetBytes);
    family('scrape_error', '1 if there was an error while getting container metrics, 0 otherwise');
    sample('scrape_error', {}, 0);
    return lines.join('\n') + '\n';
  }

  /** Usage with its CPU rate over the time since the previous sample of the same id. */
  private rate(id: string, stats: ContainerStats, time: string): Usage {
    const at = Date.parse(stats.timestamp);
    const prev = this.previous.get(id);
    this.previous.set(id, { at, cpuNanos: stats.cpuNanos });
    const usage: Usage = { time, cpuNanos: stats.cpuNanos, memoryBytes: stats.memoryBytes };
    if (prev && at > prev.at) usage.usageNanoCores = Math.max(0, Math.round(((stats.cpuNanos - prev.cpuNanos) / (at - prev.at)) * 1000));
    return usage;
  }
}

/** The agent process's own CPU and memory. */
function ownUsage(): ContainerStats {
  const cpu = process.cpuUsage();
  return { cpuNanos: (cpu.user + cpu.system) * 1000, memoryBytes: process.memoryUsage.rss(), timestamp: new Date().toISOString() };
}
