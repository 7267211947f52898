// NodeAffinity: the pod's nodeSelector and required node affinity must match the node's labels
// (and, for matchFields, its name); preferred terms add their weight to the node's score.
// The node-selector matching here is shared with PodTopologySpread and VolumeBinding.
import { matches, type Requirement } from '../../api/labels.js';
import type { Plugin } from '../framework.js';
import { normalizeByMax } from '../framework.js';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../types.js';
import { unresolvable } from '../types.js';

export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']);

/** A label requirement as upstream validates it at match time; an invalid one matches nothing. */
function labelRequirement(r: NodeSelectorRequirement): Requirement | undefined {
  const values = r.values ?? [];
  if (!OPERATORS.has(r.operator)) return undefined;
  if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0) return undefined;
  if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0) return undefined;
  if ((r.operator === 'Gt' || r.operator === 'Lt') && (values.length !== 1 || !/^-?\d+$/.test(values[0]))) return undefined;
  return { key: r.key, operator: r.operator as Requirement['operator'], values };
}

function fieldMatches(r: NodeSelectorRequirement, node: Node): boolean {
  if (r.key !== 'metadata.name' || (r.values ?? []).length !== 1) return false;
  const name = node.metadata.name ?? '';
  if (r.operator === 'In') return r.values![0] === name;
  if (r.operator === 'NotIn') return r.values![0] !== name;
  return false;
}

/** One term: all its expressions and fields hold. An empty term matches no node. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const requirements: Requirement[] = [];
  for (const e of expressions) {
    const r = labelRequirement(e);
    if (!r) return false;
    requirements.push(r);
  }
  if (!matches(requirements, node.metadata.labels)) return false;
  return fields.every((f) => fieldMatches(f, node));
}

/** Terms are ORed. */
export function nodeSelectorTermsMatch(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  return terms.some((t) => nodeSelectorTermMatches(t, node));
}

/** The pod's hard node constraints — nodeSelector and required node affinity — as one predicate. */
export function requiredNodeAffinity(pod: Pod): (node: Node) => boolean {
  const selector = pod.spec.nodeSelector ?? {};
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return (node) => {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
    if (required) return nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], node);
    return true;
  };
}

/**
 * The node names a required affinity pins the pod to through matchFields metadata.name In
 * (DaemonSet pods do this), or undefined when some term allows any node.
 */
function pinnedNodeNames(pod: Pod): Set<string> | undefined {
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const f of term.matchFields ?? []) {
      if (f.key !== 'metadata.name' || f.operator !== 'In') continue;
      const values = new Set(f.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => values.has(n))) : values;
    }
    if (!termNames) return undefined;
    for (const n of termNames) names.add(n);
  }
  return names;
}

export const nodeAffinity: Plugin = {
  name: 'NodeAffinity',
  scoreWeight: 2,
  cycle(pod) {
    const fits = requiredNodeAffinity(pod);
    const preferred = (pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((t) => t.weight);
    const pinned = pinnedNodeNames(pod);
    if (pinned && pinned.size === 0) return { rejected: unresolvable('pod affinity terms conflict') };
    return {
      nodeNames: pinned,
      filter: (node) => (fits(node.node) ? undefined : unresolvable(ERR_REASON_NODE_AFFINITY)),
      score: preferred.length === 0 ? undefined : (nodes) => normalizeByMax(nodes.map((n) => preferred.reduce((sum, t) => sum + (nodeSelectorTermMatches(t.preference ?? {}, n.node) ? t.weight : 0), 0)), false),
    };
  },
};
