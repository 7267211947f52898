// InterPodAffinity: required pod affinity (the node's topology domain must already hold a
// matching pod), required anti-affinity (it must hold none), and the anti-affinity of pods
// already running (the incoming pod must not match it). Preferred terms, of the incoming pod
// and of the pods already placed, move the score up or down by their weight.
import { fromLabelSelector, matches, type LabelSelectorSpec, type Selector } from '../../api/labels.js';
import type { ClusterState, Plugin } from '../framework.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { Pod, PodAffinityTerm } from '../types.js';
import { MAX_NODE_SCORE, unresolvable, unschedulable } from '../types.js';

export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/** upstream's hardPodAffinityWeight: how much an existing pod's required affinity counts when scoring. */
const HARD_POD_AFFINITY_WEIGHT = 1;

/** A term resolved against the pod that carries it. */
export interface AffinityTerm {
  namespaces: ReadonlySet<string>;
  /** undefined: no namespaceSelector; an empty selector selects every namespace. */
  namespaceSelector?: Selector;
  /** undefined: a missing labelSelector, which matches no pod. */
  selector?: Selector;
  topologyKey: string;
}

export function affinityTerm(owner: Pod, term: PodAffinityTerm): AffinityTerm {
  const explicit = (term.namespaces ?? []).length > 0 || term.namespaceSelector != null;
  let selector: Selector | undefined;
  if (term.labelSelector != null) {
    selector = fromLabelSelector(term.labelSelector as LabelSelectorSpec);
    const labels = owner.metadata.labels ?? {};
    for (const key of term.matchLabelKeys ?? []) if (key in labels) selector.push({ key, operator: 'In', values: [labels[key]] });
    for (const key of term.mismatchLabelKeys ?? []) if (key in labels) selector.push({ key, operator: 'NotIn', values: [labels[key]] });
  }
  return {
    namespaces: new Set(explicit ? term.namespaces ?? [] : [owner.metadata.namespace ?? '']),
    namespaceSelector: term.namespaceSelector != null ? fromLabelSelector(term.namespaceSelector) : undefined,
    selector,
    topologyKey: term.topologyKey,
  };
}

export function termMatchesPod(term: AffinityTerm, pod: Pod, cluster: ClusterState): boolean {
  if (!term.selector) return false;
  const ns = pod.metadata.namespace ?? '';
  const inNamespace = term.namespaces.has(ns) || (term.namespaceSelector !== undefined && matches(term.namespaceSelector, cluster.namespaceLabels(ns) ?? {}));
  return inNamespace && matches(term.selector, pod.metadata.labels);
}

const required = (pod: Pod, kind: 'podAffinity' | 'podAntiAffinity') => (pod.spec.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t));
const preferred = (pod: Pod, kind: 'podAffinity' | 'podAntiAffinity') =>
  (pod.spec.affinity?.[kind]?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => ({ term: affinityTerm(pod, t.podAffinityTerm), weight: t.weight }));

/** Counts per topology pair ("zone=a"): how many matches sit in each domain. */
class TopologyCounts {
  private readonly counts = new Map<string, number>();
  add(key: string, node: NodeInfo, n = 1): void {
    const value = node.labels[key];
    if (value === undefined) return;
    const pair = `${key}=${value}`;
    this.counts.set(pair, (this.counts.get(pair) ?? 0) + n);
  }
  get(key: string, value: string): number {
    return this.counts.get(`${key}=${value}`) ?? 0;
  }
  get size(): number {
    return this.counts.size;
  }
  /** Whether any of the node's labels names a counted domain. */
  touches(node: NodeInfo): boolean {
    for (const [k, v] of Object.entries(node.labels)) if (this.get(k, v) > 0) return true;
    return false;
  }
}

export const interPodAffinity: Plugin = {
  name: 'InterPodAffinity',
  scoreWeight: 2,
  cycle(pod, cluster) {
    const affinity = required(pod, 'podAffinity');
    const antiAffinity = required(pod, 'podAntiAffinity');
    const existingAnti = new TopologyCounts();
    const affinityCounts = new TopologyCounts();
    const antiCounts = new TopologyCounts();
    for (const node of cluster.nodes) {
      for (const existing of node.pods) {
        for (const t of required(existing, 'podAntiAffinity')) if (termMatchesPod(t, pod, cluster)) existingAnti.add(t.topologyKey, node);
        if (affinity.length > 0 && affinity.every((t) => termMatchesPod(t, existing, cluster))) for (const t of affinity) affinityCounts.add(t.topologyKey, node);
        for (const t of antiAffinity) if (termMatchesPod(t, existing, cluster)) antiCounts.add(t.topologyKey, node);
      }
    }
    // The first of a group of pods with affinity to each other has nobody to join: it may go
    // anywhere with the topology labels, provided it matches its own terms.
    const firstOfItsKind = affinityCounts.size === 0 && affinity.length > 0 && affinity.every((t) => termMatchesPod(t, pod, cluster));
    return {
      filter(node) {
        if (affinity.length > 0) {
          if (affinity.some((t) => node.labels[t.topologyKey] === undefined)) return unresolvable(ERR_REASON_AFFINITY);
          if (!affinity.every((t) => affinityCounts.get(t.topologyKey, node.labels[t.topologyKey]) > 0) && !firstOfItsKind) return unresolvable(ERR_REASON_AFFINITY);
        }
        if (antiAffinity.some((t) => node.labels[t.topologyKey] !== undefined && antiCounts.get(t.topologyKey, node.labels[t.topologyKey]) > 0)) return unschedulable(ERR_REASON_ANTI_AFFINITY);
        if (existingAnti.size > 0 && existingAnti.touches(node)) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
        return undefined;
      },
      score: (feasible) => preferredScores(pod, cluster, feasible),
    };
  },
};

/**
 * Sums, per topology domain, the weights of preferred terms that hold there — the incoming
 * pod's terms over the pods present, and the present pods' terms over the incoming pod (their
 * required affinity counting as weight 1) — then scales the nodes' sums to 0..100.
 */
function preferredScores(pod: Pod, cluster: ClusterState, feasible: readonly NodeInfo[]): number[] | undefined {
  const scores = new Map<string, Map<string, number>>();
  const bump = (key: string, node: NodeInfo, weight: number) => {
    const value = node.labels[key];
    if (value === undefined) return;
    let byValue = scores.get(key);
    if (!byValue) scores.set(key, (byValue = new Map()));
    byValue.set(value, (byValue.get(value) ?? 0) + weight);
  };
  const wantAffinity = preferred(pod, 'podAffinity');
  const wantAnti = preferred(pod, 'podAntiAffinity');
  for (const node of cluster.nodes) {
    if (Object.keys(node.labels).length === 0) continue;
    for (const existing of node.pods) {
      for (const { term, weight } of wantAffinity) if (termMatchesPod(term, existing, cluster)) bump(term.topologyKey, node, weight);
      for (const { term, weight } of wantAnti) if (termMatchesPod(term, existing, cluster)) bump(term.topologyKey, node, -weight);
      if (!existing.spec.affinity) continue;
      for (const term of required(existing, 'podAffinity')) if (termMatchesPod(term, pod, cluster)) bump(term.topologyKey, node, HARD_POD_AFFINITY_WEIGHT);
      for (const { term, weight } of preferred(existing, 'podAffinity')) if (termMatchesPod(term, pod, cluster)) bump(term.topologyKey, node, weight);
      for (const { term, weight } of preferred(existing, 'podAntiAffinity')) if (termMatchesPod(term, pod, cluster)) bump(term.topologyKey, node, -weight);
    }
  }
  if (scores.size === 0) return undefined;
  const raw = feasible.map((node) => {
    let sum = 0;
    for (const [key, byValue] of scores) {
      const value = node.labels[key];
      if (value !== undefined) sum += byValue.get(value) ?? 0;
    }
    return sum;
  });
  const min = Math.min(...raw);
  const spread = Math.max(...raw) - min;
  return raw.map((s) => (spread > 0 ? Math.trunc((MAX_NODE_SCORE * (s - min)) / spread) : 0));
}
