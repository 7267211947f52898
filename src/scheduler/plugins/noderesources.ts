// NodeResourcesFit and NodeResourcesBalancedAllocation: a pod's requests must fit in what the
// node has allocatable minus what its pods already request; among nodes that fit, the least
// allocated (LeastAllocated strategy, cpu and memory weighted 1:1) and the most evenly
// allocated across cpu and memory score highest.
import type { Plugin } from '../framework.js';
import { MAX_NODE_SCORE, unresolvable, unschedulable } from '../types.js';
import { type NodeInfo, podRequests, type Resources } from '../nodeinfo.js';

export interface InsufficientResource {
  reason: string;
  /** The request exceeds the node's whole allocatable: evicting pods cannot help. */
  unresolvable: boolean;
}

/** Upstream's fitsRequest: every shortfall, in upstream's order (pods, cpu, memory, ephemeral-storage, the rest). */
export function insufficientResources(request: Resources, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  if (node.podCount + 1 > node.allowedPodNumber) out.push({ reason: 'Too many pods', unresolvable: false });
  const check = (name: string, want: number, allocatable: number, used: number) => {
    if (want > 0 && want > allocatable - used) out.push({ reason: `Insufficient ${name}`, unresolvable: want > allocatable });
  };
  check('cpu', request.milliCPU, node.allocatable.milliCPU, node.requested.milliCPU);
  check('memory', request.memory, node.allocatable.memory, node.requested.memory);
  check('ephemeral-storage', request.ephemeralStorage, node.allocatable.ephemeralStorage, node.requested.ephemeralStorage);
  for (const [name, want] of request.scalar) check(name, want, node.allocatable.scalar.get(name) ?? 0, node.requested.scalar.get(name) ?? 0);
  return out;
}

/**
 * LeastAllocated: per resource, the share of allocatable still free after the pod lands, 0..100,
 * averaged over cpu and memory. Worked example, node with 4 CPU and 8Gi, pods already asking for
 * 1 CPU and 2Gi, incoming pod 1 CPU and 2Gi: cpu (4-2)/4 → 50, memory (8-4)/8 → 50, score 50.
 */
function leastAllocatedScore(request: Resources, node: NodeInfo): number {
  let sum = 0;
  let weights = 0;
  for (const [want, used, allocatable] of [
    [request.milliCPU, node.nonZeroRequested.milliCPU, node.allocatable.milliCPU],
    [request.memory, node.nonZeroRequested.memory, node.allocatable.memory],
  ]) {
    if (allocatable === 0) continue;
    const requested = used + want;
    sum += requested > allocatable ? 0 : Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
    weights++;
  }
  return weights === 0 ? 0 : Math.trunc(sum / weights);
}

/**
 * BalancedAllocation: 100 × (1 − standard deviation of the requested fractions). With cpu at
 * 50% and memory at 30% after the pod lands, the deviation is 0.1 and the score 90.
 */
function balancedAllocationScore(request: Resources, node: NodeInfo): number {
  const fractions: number[] = [];
  for (const [want, used, allocatable] of [
    [request.milliCPU, node.requested.milliCPU, node.allocatable.milliCPU],
    [request.memory, node.requested.memory, node.allocatable.memory],
  ]) {
    if (allocatable === 0) continue;
    fractions.push(Math.min(1, (used + want) / allocatable));
  }
  const std = fractions.length === 2 ? Math.abs((fractions[0] - fractions[1]) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const nodeResourcesFit: Plugin = {
  name: 'NodeResourcesFit',
  scoreWeight: 1,
  cycle(pod) {
    const request = podRequests(pod);
    return {
      filter(node) {
        const short = insufficientResources(request, node);
        if (short.length === 0) return undefined;
        const reasons = short.map((s) => s.reason);
        return short.some((s) => s.unresolvable) ? unresolvable(...reasons) : unschedulable(...reasons);
      },
      score(nodes) {
        const nonZero = podRequests(pod, true);
        return nodes.map((n) => leastAllocatedScore(nonZero, n));
      },
    };
  },
};

export const nodeResourcesBalancedAllocation: Plugin = {
  name: 'NodeResourcesBalancedAllocation',
  scoreWeight: 1,
  cycle(pod) {
    const request = podRequests(pod);
    // A best-effort pod would pile onto one node if balance decided (kubernetes#129138).
    if (request.milliCPU === 0 && request.memory === 0) return {};
    return { score: (nodes) => nodes.map((n) => balancedAllocationScore(request, n)) };
  },
};
