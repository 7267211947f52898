// The scheduling framework: what a plugin is, the default plugin set with upstream's order and
// score weights, and one scheduling decision — PreFilter, Filter on every node, Score and
// normalize the feasible ones, pick the best — or the diagnosis of why no node fits.
import type { NodeInfo } from './nodeinfo.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod, Status, StorageClass } from './types.js';
import { SchedulingError, unresolvable } from './types.js';

/** Everything a plugin may look at: nodes with their pods, and the objects pods refer to. */
export interface ClusterState {
  readonly nodes: readonly NodeInfo[];
  node(name: string): NodeInfo | undefined;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  pv(name: string): PersistentVolume | undefined;
  pvs(): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

/**
 * One plugin. cycle() starts a scheduling cycle for a pod — upstream's PreFilter and PreScore —
 * and returns what the later steps need. Plugins are pure: same pod and cluster, same answer.
 */
export interface Plugin {
  readonly name: string;
  /** Weight of this plugin's normalized score in the node's total (upstream's default profile). */
  readonly scoreWeight?: number;
  cycle(pod: Pod, cluster: ClusterState): PluginCycle;
}

export interface PluginCycle {
  /** PreFilter rejected the pod outright: the same verdict for every node. */
  rejected?: Status;
  /** PreFilter narrowed the candidates to these node names. */
  nodeNames?: ReadonlySet<string>;
  filter?(node: NodeInfo): Status | undefined;
  /** Normalized scores (0..100) of the feasible nodes, in order; undefined when the plugin has nothing to say. */
  score?(feasible: readonly NodeInfo[]): number[] | undefined;
}

/** Why a pod fits nowhere: each rejected node's first failing verdict, as upstream records it. */
export interface Diagnosis {
  numAllNodes: number;
  nodeStatuses: Map<string, Status>;
  /** The verdict for nodes never filtered (PreFilter rejected the pod, or narrowed the candidates). */
  absentStatus?: Status;
  /** Set when PreFilter rejected the pod; the message then names this instead of counting nodes. */
  preFilterMessage?: string;
}

export type Decision = { node: string; feasible: number } | { node?: undefined; diagnosis: Diagnosis };

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/**
 * Runs one scheduling cycle. Throws SchedulingError when the cluster has no nodes or a plugin
 * finds the pod malformed; otherwise returns the chosen node or the diagnosis.
 */
export function schedulePod(pod: Pod, cluster: ClusterState, plugins: readonly Plugin[], random: () => number = Math.random): Decision {
  if (cluster.nodes.length === 0) throw new SchedulingError(NO_NODES_AVAILABLE);
  const diagnosis: Diagnosis = { numAllNodes: cluster.nodes.length, nodeStatuses: new Map() };
  const cycles: Array<{ plugin: Plugin; cycle: PluginCycle }> = [];
  let nodeNames: Set<string> | undefined;
  const narrowedBy: string[] = [];
  for (const plugin of plugins) {
    const cycle = plugin.cycle(pod, cluster);
    if (cycle.rejected) {
      diagnosis.absentStatus = cycle.rejected;
      diagnosis.preFilterMessage = cycle.rejected.reasons.join(', ');
      return { diagnosis };
    }
    if (cycle.nodeNames) {
      narrowedBy.push(plugin.name);
      nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => cycle.nodeNames!.has(n))) : new Set(cycle.nodeNames);
      if (nodeNames.size === 0) {
        const message = narrowedBy.length === 1 ? `node(s) didn't satisfy plugin ${narrowedBy[0]}` : `node(s) didn't satisfy plugin(s) [${narrowedBy.join(' ')}] simultaneously`;
        diagnosis.absentStatus = { code: 'Unschedulable', reasons: [message] };
        diagnosis.preFilterMessage = message;
        return { diagnosis };
      }
    }
    cycles.push({ plugin, cycle });
  }
  let candidates = cluster.nodes;
  if (nodeNames) {
    candidates = cluster.nodes.filter((n) => nodeNames!.has(n.name));
    diagnosis.absentStatus = unresolvable(`node(s) didn't satisfy plugin(s) [${[...narrowedBy].sort().join(' ')}]`);
  }
  const feasible: NodeInfo[] = [];
  for (const node of candidates) {
    const status = runFilters(cycles, node);
    if (status) diagnosis.nodeStatuses.set(node.name, status);
    else feasible.push(node);
  }
  if (feasible.length === 0) return { diagnosis };
  if (feasible.length === 1) return { node: feasible[0].name, feasible: 1 };
  const totals = feasible.map(() => 0);
  for (const { plugin, cycle } of cycles) {
    if (!cycle.score || !plugin.scoreWeight) continue;
    const scores = cycle.score(feasible);
    if (!scores) continue;
    scores.forEach((s, i) => (totals[i] += s * plugin.scoreWeight!));
  }
  return { node: feasible[pickHighest(totals, random)].name, feasible: feasible.length };
}

/** Filters in plugin order; the first rejection is the node's verdict. */
export function runFilters(cycles: ReadonlyArray<{ cycle: PluginCycle }>, node: NodeInfo): Status | undefined {
  for (const { cycle } of cycles) {
    const status = cycle.filter?.(node);
    if (status) return status;
  }
  return undefined;
}

/** Index of the highest total; ties are broken uniformly at random, as upstream's selectHost does. */
export function pickHighest(totals: readonly number[], random: () => number): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return best;
}

/**
 * Upstream's FitError text: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had
 * untolerated taint {node.kubernetes.io/unreachable: }." — each distinct reason with the number
 * of nodes giving it, sorted as strings — then the preemption outcome, if any.
 */
export function fitErrorMessage(diagnosis: Diagnosis, postFilterMessage?: string): string {
  let message = `0/${diagnosis.numAllNodes} nodes are available:`;
  if (diagnosis.preFilterMessage) {
    message += ` ${diagnosis.preFilterMessage}.`;
  } else {
    const counts = new Map<string, number>();
    for (const status of diagnosis.nodeStatuses.values()) for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = diagnosis.numAllNodes - diagnosis.nodeStatuses.size;
    if (absent > 0 && diagnosis.absentStatus) for (const r of diagnosis.absentStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`).sort(byCodeUnits);
    if (histogram.length > 0) message += ` ${histogram.join(', ')}.`;
  }
  if (postFilterMessage) message += ` ${postFilterMessage}`;
  return message;
}

/** Go's sort.Strings order (byte-wise), not the locale's: "10 x" sorts before "2 y". */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Upstream's DefaultNormalizeScore: scale to 0..100 by the highest raw score, optionally reversed. */
export function normalizeByMax(raw: readonly number[], reverse: boolean): number[] {
  const max = Math.max(0, ...raw);
  if (max === 0) return raw.map(() => (reverse ? 100 : 0));
  return raw.map((s) => {
    const n = Math.trunc((100 * s) / max);
    return reverse ? 100 - n : n;
  });
}
