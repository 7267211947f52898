// Builders for the scheduler's tests: pods, nodes and a cluster view from plain objects.
import type { KubeObject } from '../api/types.js';
import { SchedulerCache } from './cache.js';
import type { ClusterState, Plugin } from './framework.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, ResourceList, StorageClass, Taint } from './types.js';

export interface PodOptions extends Partial<PodSpec> {
  namespace?: string;
  labels?: Record<string, string>;
  uid?: string;
  requests?: ResourceList;
  owner?: string;
  deleting?: boolean;
  phase?: string;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const { namespace = 'default', labels, uid = `uid-${name}`, requests, owner, deleting, phase, ...spec } = o;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid,
      labels,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}`, controller: true }] } : {}),
      ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [{ name: 'c', ...(requests ? { resources: { requests } } : {}) }], ...spec },
    ...(phase ? { status: { phase } } : {}),
  };
}

export interface NodeOptions {
  labels?: Record<string, string>;
  allocatable?: ResourceList;
  taints?: Taint[];
  unschedulable?: boolean;
}

export function node(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi', ...o.allocatable } },
  };
}

export interface ClusterObjects {
  nodes?: Node[];
  pods?: Pod[];
  pvcs?: PersistentVolumeClaim[];
  pvs?: PersistentVolume[];
  storageClasses?: StorageClass[];
  namespaces?: KubeObject[];
}

export function cluster(o: ClusterObjects = {}): ClusterState {
  const cache = new SchedulerCache({
    namespaceLabels: (ns) => o.namespaces?.find((n) => n.metadata.name === ns)?.metadata.labels,
    pvc: (ns, name) => o.pvcs?.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    pv: (name) => o.pvs?.find((v) => v.metadata.name === name),
    pvs: () => o.pvs ?? [],
    storageClass: (name) => o.storageClasses?.find((c) => c.metadata.name === name),
  });
  for (const n of o.nodes ?? []) cache.setNode(n);
  for (const p of o.pods ?? []) cache.setPod(p);
  return cache;
}

/**
 * One plugin's verdict on every node, as "node: reasons" lines ("node: ok" when it fits), with
 * "(unresolvable)" marking UnschedulableAndUnresolvable; a PreFilter rejection is one "all:" line.
 */
export function filterAll(plugin: Plugin, p: Pod, c: ClusterState): string[] {
  const cycle = plugin.cycle(p, c);
  if (cycle.rejected) return [`all: ${cycle.rejected.reasons.join(', ')}`];
  return c.nodes.map((n) => {
    const status = cycle.filter?.(n);
    if (!status) return `${n.name}: ok`;
    return `${n.name}: ${status.reasons.join(', ')}${status.code === 'UnschedulableAndUnresolvable' ? ' (unresolvable)' : ''}`;
  });
}

/** One plugin's normalized scores of every node, or undefined when it does not score this pod. */
export function scoreAll(plugin: Plugin, p: Pod, c: ClusterState): number[] | undefined {
  return plugin.cycle(p, c).score?.(c.nodes);
}

/** Injected time for the queue and the scheduler: nothing happens until the test advances it. */
export class FakeClock {
  private ms = Date.parse('2026-01-01T00:00:00Z');
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now = (): Date => new Date(this.ms);
  nowMs = (): number => this.ms;

  readonly setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.ms + ms, fn });
    return id;
  };

  readonly clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.ms + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.ms = Math.max(this.ms, next[1].at);
      next[1].fn();
    }
    this.ms = end;
  }
}
