// What the scheduler knows about one node: the Node object, the pods assigned to it (bound or
// assumed), and running sums of their resource requests and host ports, kept up to date as pods
// come and go so a scheduling cycle never re-adds every pod on the node.
import { integerValue, milliValue } from '../api/validation/quantity.js';
import type { Container, Node, Pod, Quantity, ResourceList } from './types.js';
import { podKey } from './types.js';

/** Amounts in the units upstream compares: milli-CPU, bytes, and whole units for the rest. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources, hugepages and anything else a pod may request, by name. */
  scalar: Map<string, number>;
}

/** What a container that requests no CPU or memory is taken to use when nodes are scored (upstream's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const emptyResources = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() });

function quantity(name: string, value: Quantity | undefined): number {
  if (value === undefined) return 0;
  try {
    return Number(name === 'cpu' ? milliValue(value) : integerValue(value));
  } catch {
    return 0;
  }
}

/** A resource list in scheduler units; "pods" is not a request and is left out. */
export function toResources(list: ResourceList | undefined): Resources {
  const r = emptyResources();
  for (const [name, value] of Object.entries(list ?? {})) {
    const n = quantity(name, value);
    if (name === 'cpu') r.milliCPU = n;
    else if (name === 'memory') r.memory = n;
    else if (name === 'ephemeral-storage') r.ephemeralStorage = n;
    else if (name !== 'pods') r.scalar.set(name, n);
  }
  return r;
}

function add(into: Resources, r: Resources, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [name, n] of r.scalar) into.scalar.set(name, (into.scalar.get(name) ?? 0) + sign * n);
}

function maxInto(into: Resources, r: Resources): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [name, n] of r.scalar) into.scalar.set(name, Math.max(into.scalar.get(name) ?? 0, n));
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const requests = c.resources?.requests;
  const r = toResources(requests);
  if (nonZero) {
    if (requests?.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (requests?.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The resources a pod holds on its node. Regular containers run together, so their requests
 * add up; init containers run one at a time before them, so only the largest counts; sidecars
 * (init containers with restartPolicy Always) keep running, so they add to everything after
 * them. Overhead comes on top. Worked example:
 *
 *   init a: 2 CPU, init b: 3 CPU, containers: 1 CPU + 1 CPU   →  max(3, 1+1) = 3 CPU
 *   sidecar s: 1 CPU, then init b: 3 CPU, container: 1 CPU    →  max(1+3, 1+1) = 4 CPU
 *
 * With nonZero, containers that request no CPU or memory count as 100m and 200Mi (for scoring).
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const total = emptyResources();
  for (const c of pod.spec.containers ?? []) add(total, containerRequests(c, nonZero));
  const sidecars = emptyResources();
  const initPeak = emptyResources();
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      add(total, r);
      add(sidecars, r);
      maxInto(initPeak, sidecars);
    } else {
      add(r, sidecars);
      maxInto(initPeak, r);
    }
  }
  maxInto(total, initPeak);
  if (pod.spec.overhead) add(total, toResources(pod.spec.overhead));
  return total;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** The host ports a pod binds, with upstream's defaults (all addresses, TCP). */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const containers = [...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec.containers ?? [])];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

interface PodAccounting {
  requested: Resources;
  nonZero: Resources;
  ports: HostPort[];
}

const accounting = new WeakMap<Pod, PodAccounting>();

function accountingOf(pod: Pod): PodAccounting {
  let a = accounting.get(pod);
  if (!a) {
    a = { requested: podRequests(pod), nonZero: podRequests(pod, true), ports: podHostPorts(pod) };
    accounting.set(pod, a);
  }
  return a;
}

export class NodeInfo {
  readonly allocatable: Resources;
  readonly allowedPodNumber: number;
  readonly requested = emptyResources();
  /** Requests with upstream's non-zero defaults, used by the least-allocated score. */
  readonly nonZeroRequested = emptyResources();
  private readonly podsByKey = new Map<string, Pod>();

  constructor(readonly node: Node, pods: Iterable<Pod> = []) {
    const allocatable = node.status?.allocatable;
    this.allocatable = toResources(allocatable);
    this.allowedPodNumber = quantity('pods', allocatable?.pods);
    for (const p of pods) this.addPod(p);
  }

  get name(): string {
    return this.node.metadata.name ?? '';
  }

  get labels(): Record<string, string> {
    return this.node.metadata.labels ?? {};
  }

  get pods(): Pod[] {
    return [...this.podsByKey.values()];
  }

  get podCount(): number {
    return this.podsByKey.size;
  }

  hasPod(key: string): boolean {
    return this.podsByKey.has(key);
  }

  addPod(pod: Pod): void {
    const key = podKey(pod);
    if (this.podsByKey.has(key)) this.removePod(key);
    this.podsByKey.set(key, pod);
    const a = accountingOf(pod);
    add(this.requested, a.requested);
    add(this.nonZeroRequested, a.nonZero);
  }

  removePod(key: string): void {
    const pod = this.podsByKey.get(key);
    if (!pod) return;
    this.podsByKey.delete(key);
    const a = accountingOf(pod);
    add(this.requested, a.requested, -1);
    add(this.nonZeroRequested, a.nonZero, -1);
  }

  /** Whether a port the pod wants is taken: the same protocol and port on the same address, or on all addresses on either side. */
  portConflict(port: HostPort): boolean {
    for (const pod of this.podsByKey.values()) {
      for (const used of accountingOf(pod).ports) {
        if (used.protocol !== port.protocol || used.port !== port.port) continue;
        if (port.ip === '0.0.0.0' || used.ip === '0.0.0.0' || used.ip === port.ip) return true;
      }
    }
    return false;
  }

  /** A copy with other pods, for what-if questions (would the pod fit without these victims?). */
  withPods(pods: Iterable<Pod>): NodeInfo {
    return new NodeInfo(this.node, pods);
  }
}
