// PodTopologySpread: keep matching pods spread across topology domains. DoNotSchedule
// constraints filter nodes whose domain would exceed maxSkew; ScheduleAnyway constraints, or
// for a pod without constraints the cluster defaults (spread a controller's pods across nodes
// and zones), score the less crowded domains higher.
import { fromLabelSelector, matches, type LabelSelectorSpec } from '../../api/labels.js';
import type { ClusterState, Plugin } from '../framework.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { Node, Pod, Status, TopologySpreadConstraint } from '../types.js';
import { MAX_NODE_SCORE, unresolvable, unschedulable } from '../types.js';
import { requiredNodeAffinity } from './nodeaffinity.js';
import { untoleratedTaint } from './tainttoleration.js';

export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL = `${ERR_REASON_CONSTRAINTS} (missing required label)`;

const HOSTNAME = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  /** Whether a pod already placed counts toward this constraint. */
  counts(other: Pod): boolean;
  selfMatch: boolean;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

function userConstraint(pod: Pod, c: TopologySpreadConstraint): Constraint {
  // A missing labelSelector selects nothing; matchLabelKeys narrow it with the pod's own values.
  const selector = c.labelSelector != null ? fromLabelSelector(c.labelSelector as LabelSelectorSpec) : undefined;
  const labels = pod.metadata.labels ?? {};
  if (selector) for (const key of c.matchLabelKeys ?? []) if (key in labels) selector.push({ key, operator: 'In', values: [labels[key]] });
  const namespace = pod.metadata.namespace;
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    minDomains: c.minDomains ?? 1,
    counts: (other) => !!selector && !other.metadata.deletionTimestamp && other.metadata.namespace === namespace && matches(selector, other.metadata.labels),
    selfMatch: !!selector && matches(selector, labels),
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

/**
 * Upstream's system defaults: maxSkew 3 across hostnames and 5 across zones, ScheduleAnyway.
 * Upstream selects "the same workload" through the Services, ReplicaSets, ReplicationControllers
 * and StatefulSets matching the pod; here it is the pods with the same controller.
 */
function defaultConstraints(pod: Pod): Constraint[] {
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
  if (!owner) return [];
  const namespace = pod.metadata.namespace;
  const counts = (other: Pod) => !other.metadata.deletionTimestamp && other.metadata.namespace === namespace && !!other.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.uid);
  const base = { minDomains: 1, counts, selfMatch: true, honorNodeAffinity: true, honorTaints: false };
  return [
    { ...base, maxSkew: 3, topologyKey: HOSTNAME },
    { ...base, maxSkew: 5, topologyKey: ZONE },
  ];
}

function constraintsFor(pod: Pod, when: 'DoNotSchedule' | 'ScheduleAnyway'): { constraints: Constraint[]; own: boolean } {
  const own = pod.spec.topologySpreadConstraints ?? [];
  if (own.length > 0) return { constraints: own.filter((c) => c.whenUnsatisfiable === when).map((c) => userConstraint(pod, c)), own: true };
  return { constraints: when === 'ScheduleAnyway' ? defaultConstraints(pod) : [], own: false };
}

/** nodeAffinityPolicy / nodeTaintsPolicy: whether a node's pods count at all for this constraint. */
function includesNode(c: Constraint, pod: Pod, node: Node, fitsAffinity: (n: Node) => boolean): boolean {
  if (c.honorNodeAffinity && !fitsAffinity(node)) return false;
  if (c.honorTaints && untoleratedTaint(node.spec?.taints, pod.spec.tolerations)) return false;
  return true;
}

const hasAllKeys = (node: NodeInfo, constraints: Constraint[]) => constraints.every((c) => node.labels[c.topologyKey] !== undefined);
const countOn = (node: NodeInfo, c: Constraint) => node.pods.reduce((n, p) => n + (c.counts(p) ? 1 : 0), 0);

export const podTopologySpread: Plugin = {
  name: 'PodTopologySpread',
  scoreWeight: 2,
  cycle(pod, cluster) {
    return { filter: spreadFilter(pod, cluster), score: (feasible) => spreadScores(pod, cluster, feasible) };
  },
};

/**
 * Filter: placing the pod in domain D must keep (matching pods in D + 1) − (fewest in any
 * domain) ≤ maxSkew. Worked example, maxSkew 1, zones a/b/c holding 2/1/1 matching pods: a
 * gives 2+1−1 = 2 > 1, rejected; b gives 1+1−1 = 1, fine. With minDomains 4 and only three
 * zones, the fewest is taken as 0, so b gives 2 > 1 too.
 */
function spreadFilter(pod: Pod, cluster: ClusterState): ((node: NodeInfo) => Status | undefined) | undefined {
  const { constraints } = constraintsFor(pod, 'DoNotSchedule');
  if (constraints.length === 0) return undefined;
  const fitsAffinity = requiredNodeAffinity(pod);
  const perDomain = constraints.map(() => new Map<string, number>());
  for (const node of cluster.nodes) {
    if (!hasAllKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!includesNode(c, pod, node.node, fitsAffinity)) return;
      const value = node.labels[c.topologyKey];
      perDomain[i].set(value, (perDomain[i].get(value) ?? 0) + countOn(node, c));
    });
  }
  // Fewer eligible domains than minDomains: the global minimum is taken as 0.
  const globalMin = constraints.map((c, i) => (perDomain[i].size < c.minDomains ? 0 : Math.min(...perDomain[i].values())));
  return (node) => {
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i];
      const value = node.labels[c.topologyKey];
      if (value === undefined) return unresolvable(ERR_REASON_NODE_LABEL);
      const skew = (perDomain[i].get(value) ?? 0) + (c.selfMatch ? 1 : 0) - globalMin[i];
      if (skew > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS);
    }
    return undefined;
  };
}

/**
 * Score: per constraint, matching pods in the node's domain × log(domains + 2) + maxSkew − 1,
 * summed, rounded; then the fewest-pods node gets 100 and the others less in proportion:
 * 100 × (max + min − score) / max. Nodes missing a label the pod's own constraints name score 0.
 */
function spreadScores(pod: Pod, cluster: ClusterState, feasible: readonly NodeInfo[]): number[] | undefined {
  const { constraints, own } = constraintsFor(pod, 'ScheduleAnyway');
  if (constraints.length === 0) return undefined;
  const fitsAffinity = requiredNodeAffinity(pod);
  const ignored = new Set<string>();
  const domainCounts = constraints.map(() => new Map<string, number>());
  for (const node of feasible) {
    if (own && !hasAllKeys(node, constraints)) {
      ignored.add(node.name);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey !== HOSTNAME) domainCounts[i].set(node.labels[c.topologyKey] ?? '', 0);
    });
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? feasible.length - ignored.size : domainCounts[i].size) + 2));
  for (const node of cluster.nodes) {
    if (own && !hasAllKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (c.topologyKey === HOSTNAME || !includesNode(c, pod, node.node, fitsAffinity)) return;
      const value = node.labels[c.topologyKey] ?? '';
      const current = domainCounts[i].get(value);
      if (current !== undefined) domainCounts[i].set(value, current + countOn(node, c));
    });
  }
  const raw = feasible.map((node) => {
    let score = 0;
    constraints.forEach((c, i) => {
      const value = node.labels[c.topologyKey];
      if (value === undefined) return;
      const count = c.topologyKey === HOSTNAME ? countOn(node, c) : domainCounts[i].get(value) ?? 0;
      score += count * weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  });
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  feasible.forEach((node, i) => {
    if (ignored.has(node.name)) return;
    min = Math.min(min, raw[i]);
    max = Math.max(max, raw[i]);
  });
  return feasible.map((node, i) => {
    if (ignored.has(node.name)) return 0;
    if (max === 0) return MAX_NODE_SCORE;
    return Math.trunc((MAX_NODE_SCORE * (max + min - raw[i])) / max);
  });
}
