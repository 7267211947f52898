// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods, unless the pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint that cordoning stands for.
import type { Plugin } from '../framework.js';
import { unresolvable } from '../types.js';
import { tolerated } from './tainttoleration.js';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

export const nodeUnschedulable: Plugin = {
  name: 'NodeUnschedulable',
  cycle(pod) {
    const tolerates = tolerated(pod.spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
    return { filter: (node) => (node.node.spec?.unschedulable && !tolerates ? unresolvable(ERR_REASON_UNSCHEDULABLE) : undefined) };
  },
};
