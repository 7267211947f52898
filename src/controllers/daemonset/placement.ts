// Which nodes a DaemonSet's Pod belongs on (upstream NodeShouldRunDaemonPod), and how a daemon
// Pod is pinned to its node. A DaemonSet Pod tolerates the taints a node gets when it is
// unhealthy or cordoned, so daemons keep running there; it is pinned with a required node
// affinity on `metadata.name` and the default scheduler binds it, as upstream does.
import { matches, type Requirement } from '../../api/labels.js';
import type { KubeObject } from '../../api/types.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** The tolerations every daemon Pod gets (upstream AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

/**
 * Add each toleration to the pod spec, replacing one with the same key, operator, value and
 * effect (upstream AddOrUpdateTolerationInPodSpec: a user's tolerationSeconds on, say, the
 * not-ready toleration gives way to the daemon's unlimited one).
 */
export function addTolerations(spec: any, tolerations: Toleration[]): void {
  const list: Toleration[] = [...(spec.tolerations ?? [])];
  for (const t of tolerations) {
    const same = (o: Toleration) => (o.key ?? '') === (t.key ?? '') && (o.operator ?? '') === (t.operator ?? '') && (o.value ?? '') === (t.value ?? '') && (o.effect ?? '') === (t.effect ?? '');
    const i = list.findIndex(same);
    if (i >= 0) list[i] = { ...t };
    else list.push({ ...t });
  }
  spec.tolerations = list;
}

/** Upstream ToleratesTaint: an empty key with Exists tolerates every taint; an empty effect, every effect. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

function untolerated(taints: Taint[], tolerations: Toleration[], effects: string[]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

function requirement(r: NodeSelectorRequirement): Requirement | undefined {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      return values.length ? { key: r.key, operator: r.operator, values } : undefined;
    case 'Exists':
    case 'DoesNotExist':
      return values.length ? undefined : { key: r.key, operator: r.operator, values };
    case 'Gt':
    case 'Lt':
      return values.length === 1 && /^-?\d+$/.test(values[0]) ? { key: r.key, operator: r.operator, values } : undefined;
  }
  return undefined;
}

/** A node selector term: its label expressions and its `metadata.name` fields all hold; an empty term matches nothing. */
function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!expressions.length && !fields.length) return false;
  const reqs: Requirement[] = [];
  for (const e of expressions) {
    const r = requirement(e);
    if (!r) return false;
    reqs.push(r);
  }
  if (!matches(reqs, node.metadata.labels)) return false;
  return fields.every((f) => {
    if (f.key !== 'metadata.name' || (f.values ?? []).length !== 1) return false;
    if (f.operator === 'In') return f.values![0] === node.metadata.name;
    if (f.operator === 'NotIn') return f.values![0] !== node.metadata.name;
    return false;
  });
}

/** nodeSelector and required node affinity (upstream GetRequiredNodeAffinity(pod).Match(node)). */
export function matchesNodeAffinity(podSpec: any, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries((podSpec.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  const required = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return ((required.nodeSelectorTerms ?? []) as NodeSelectorTerm[]).some((t) => termMatches(t, node));
}

export interface Placement {
  /** A daemon Pod should be created on the node. */
  shouldRun: boolean;
  /** A daemon Pod already on the node may stay (it tolerates the node's NoExecute taints). */
  shouldContinueRunning: boolean;
}

/**
 * Whether the DaemonSet's Pod belongs on the node: the template's nodeName (if any), nodeSelector
 * and required node affinity must match it, and its NoSchedule and NoExecute taints must be
 * tolerated (with the daemon tolerations added). A node that gains an untolerated NoSchedule
 * taint keeps its Pod; an untolerated NoExecute taint removes it.
 */
export function nodeShouldRunDaemonPod(node: KubeObject, ds: KubeObject): Placement {
  const podSpec = structuredClone((ds.spec as any)?.template?.spec ?? {});
  addTolerations(podSpec, daemonTolerations(!!podSpec.hostNetwork));
  if (podSpec.nodeName && podSpec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesNodeAffinity(podSpec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints: Taint[] = (node.spec as any)?.taints ?? [];
  if (untolerated(taints, podSpec.tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !untolerated(taints, podSpec.tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * Pin a daemon Pod to its node (upstream ReplaceDaemonSetPodNodeNameNodeAffinity): the required
 * node affinity becomes the single term `metadata.name In [node]`; the other required terms
 * were already checked against the node. Preferred terms and pod (anti-)affinity stay.
 */
export function pinToNode(podSpec: any, nodeName: string): void {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  podSpec.affinity ??= {};
  podSpec.affinity.nodeAffinity ??= {};
  podSpec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
}

/**
 * The node a daemon Pod is for (upstream GetTargetNodeName): spec.nodeName once bound, else the
 * node its `metadata.name` affinity pins it to.
 */
export function targetNodeName(pod: KubeObject): string | undefined {
  const spec = pod.spec as any;
  if (spec?.nodeName) return spec.nodeName;
  for (const term of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}
