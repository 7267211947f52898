// NodePorts: a host port (protocol, address, port) can be bound by one pod per node.
import type { Plugin } from '../framework.js';
import { podHostPorts } from '../nodeinfo.js';
import { unschedulable } from '../types.js';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

export const nodePorts: Plugin = {
  name: 'NodePorts',
  cycle(pod) {
    const ports = podHostPorts(pod);
    if (ports.length === 0) return {};
    return { filter: (node) => (ports.some((p) => node.portConflict(p)) ? unschedulable(ERR_REASON_PORTS) : undefined) };
  },
};
