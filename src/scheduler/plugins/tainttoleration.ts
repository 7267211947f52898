// TaintToleration: a node's NoSchedule and NoExecute taints keep out pods that do not tolerate
// them; PreferNoSchedule taints the pod does not tolerate lower the node's score.
import type { Plugin } from '../framework.js';
import { normalizeByMax } from '../framework.js';
import type { Taint, Toleration } from '../types.js';
import { unresolvable } from '../types.js';

/** Upstream's ToleratesTaint: an empty key with Exists tolerates every taint; an empty effect, every effect. */
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

export function tolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first NoSchedule or NoExecute taint the tolerations do not cover, in the node's order. */
export function untoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): Taint | undefined {
  return (taints ?? []).find((taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerated(tolerations, taint));
}

export const taintToleration: Plugin = {
  name: 'TaintToleration',
  scoreWeight: 3,
  cycle(pod) {
    const tolerations = pod.spec.tolerations ?? [];
    const preferTolerations = tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return {
      filter(node) {
        const taint = untoleratedTaint(node.node.spec?.taints, tolerations);
        return taint ? unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`) : undefined;
      },
      score: (nodes) =>
        normalizeByMax(
          nodes.map((n) => (n.node.spec?.taints ?? []).filter((t) => t.effect === 'PreferNoSchedule' && !tolerated(preferTolerations, t)).length),
          true,
        ),
    };
  },
};
