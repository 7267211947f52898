// NodeName: a pod that names its node fits only there.
import type { Plugin } from '../framework.js';
import { unresolvable } from '../types.js';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: Plugin = {
  name: 'NodeName',
  cycle(pod) {
    const wanted = pod.spec.nodeName;
    return { filter: (node) => (wanted && wanted !== node.name ? unresolvable(ERR_REASON_NODE_NAME) : undefined) };
  },
};
