// A DaemonSet's status (upstream updateDaemonSetStatus): per node that should run a Pod, is
// one scheduled there, and is the oldest of them ready, available and at the current revision;
// Pods on nodes where none belongs are misscheduled.
import type { KubeObject } from '../../api/types.js';
import { podRevisionLabel } from '../history/revision.js';
import { isPodAvailable, isPodReady } from '../runtime/pods.js';
import { scheduledThenOldest } from './manage.js';
import type { Placement } from './placement.js';

export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

export function daemonSetCounts(input: { ds: KubeObject; nodes: KubeObject[]; podsByNode: Map<string, KubeObject[]>; placement: (node: KubeObject) => Placement; hash: string; now: number }): DaemonSetCounts {
  const minReady = Number((input.ds.spec as any)?.minReadySeconds ?? 0);
  const c: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  for (const node of input.nodes) {
    const pods = input.podsByNode.get(node.metadata.name!) ?? [];
    if (!input.placement(node).shouldRun) {
      if (pods.length) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!pods.length) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(scheduledThenOldest)[0];
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, minReady, input.now)) c.numberAvailable++;
    }
    if (pod.metadata.labels?.[podRevisionLabel] === input.hash) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}
