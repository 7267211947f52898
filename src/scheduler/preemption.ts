// The PostFilter step's message. Upstream's DefaultPreemption looks, node by node, for
// lower-priority pods whose eviction would let the pod fit, and reports why none would when it
// finds nothing. unyo does not preempt yet; it reports the same findings, so the event reads as
// upstream's does whenever upstream would not preempt either.
import type { ClusterState, Diagnosis, Plugin } from './framework.js';
import { fitErrorMessage, runFilters } from './framework.js';
import type { NodeInfo } from './nodeinfo.js';
import type { Pod, Status } from './types.js';
import { podPriority, unresolvable } from './types.js';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
/** unyo's own reason, for a node where evicting lower-priority pods would make room. */
export const PREEMPTION_NOT_SUPPORTED = 'Preemption is not supported by this scheduler';

/** "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling." */
export function preemptionMessage(pod: Pod, cluster: ClusterState, diagnosis: Diagnosis, plugins: readonly Plugin[]): string {
  if (pod.spec.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  const statuses = new Map<string, Status>();
  const explicit = (name: string) => diagnosis.nodeStatuses.get(name) ?? diagnosis.absentStatus;
  for (const node of cluster.nodes) {
    if (explicit(node.name)?.code !== 'Unschedulable') continue;
    statuses.set(node.name, whatIfPreempted(pod, node, cluster, plugins));
  }
  return `preemption: ${fitErrorMessage({ numAllNodes: cluster.nodes.length, nodeStatuses: statuses, absentStatus: unresolvable(PREEMPTION_NOT_HELPFUL) })}`;
}

/** Would the pod fit on the node with every lower-priority pod gone? */
function whatIfPreempted(pod: Pod, node: NodeInfo, cluster: ClusterState, plugins: readonly Plugin[]): Status {
  const priority = podPriority(pod);
  const survivors = node.pods.filter((p) => podPriority(p) >= priority);
  if (survivors.length === node.podCount) return unresolvable(NO_VICTIMS);
  const trimmed = node.withPods(survivors);
  const without: ClusterState = {
    ...bind(cluster),
    nodes: cluster.nodes.map((n) => (n.name === node.name ? trimmed : n)),
    node: (name) => (name === node.name ? trimmed : cluster.node(name)),
  };
  const cycles = [];
  for (const plugin of plugins) {
    const cycle = plugin.cycle(pod, without);
    if (cycle.rejected) return cycle.rejected;
    if (cycle.nodeNames && !cycle.nodeNames.has(node.name)) return unresolvable(`node(s) didn't satisfy plugin(s) [${plugin.name}]`);
    cycles.push({ cycle });
  }
  return runFilters(cycles, trimmed) ?? unresolvable(PREEMPTION_NOT_SUPPORTED);
}

/** The cluster's lookups as plain functions, so a what-if view can override some of them. */
function bind(cluster: ClusterState): Omit<ClusterState, 'nodes' | 'node'> {
  return {
    namespaceLabels: (ns) => cluster.namespaceLabels(ns),
    pvc: (ns, name) => cluster.pvc(ns, name),
    pv: (name) => cluster.pv(name),
    pvs: () => cluster.pvs(),
    storageClass: (name) => cluster.storageClass(name),
  };
}
