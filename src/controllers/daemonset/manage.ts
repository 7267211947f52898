// What the DaemonSet's core loop decides per node (upstream podsShouldBeOnNode and manage):
// create a daemon Pod where one belongs and none is, delete Pods where none belongs, delete
// failed Pods (so they are recreated), and keep at most one Pod per node — two while a surge
// update hands a node over from an old Pod to a new one.
import type { KubeObject } from '../../api/types.js';
import { podRevisionLabel } from '../history/revision.js';
import { byCreation, isPodAvailable, isPodReady, podPhase } from '../runtime/pods.js';
import type { Placement } from './placement.js';

export interface ManageInput {
  nodes: KubeObject[];
  /** The DaemonSet's Pods by the node they are for. */
  podsByNode: Map<string, KubeObject[]>;
  placement: (node: KubeObject) => Placement;
  /** The current revision's hash. */
  hash: string;
  /** Whether the update strategy lets a node run an old and a new Pod at once (maxSurge > 0). */
  surge: boolean;
  minReadySeconds: number;
  now: number;
  /** Whether a failed Pod on this node may be deleted now, or must wait out its backoff. */
  mayDeleteFailed: (nodeName: string) => boolean;
}

export interface ManageResult {
  nodesNeedingPods: string[];
  podsToDelete: KubeObject[];
  /** Failed Pods found (deleted, or waiting for their backoff). */
  failedPods: KubeObject[];
  /**
   * Pods for nodes that no longer exist: no agent will ever stop them, so they go without a
   * grace period (upstream leaves the scheduled ones to the Pod garbage collector, which does
   * the same).
   */
  podsOnMissingNodes: KubeObject[];
}

/** Scheduled Pods first, then oldest (upstream podByCreationTimestampAndPhase). */
export function scheduledThenOldest(a: KubeObject, b: KubeObject): number {
  const sa = !!(a.spec as any)?.nodeName;
  const sb = !!(b.spec as any)?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  return byCreation(a, b);
}

export function manage(input: ManageInput): ManageResult {
  const result: ManageResult = { nodesNeedingPods: [], podsToDelete: [], failedPods: [], podsOnMissingNodes: [] };
  for (const node of input.nodes) podsShouldBeOnNode(node, input, result);
  const known = new Set(input.nodes.map((n) => n.metadata.name));
  for (const [nodeName, pods] of input.podsByNode) {
    if (!known.has(nodeName)) result.podsOnMissingNodes.push(...pods.filter((p) => !p.metadata.deletionTimestamp || (p.metadata.deletionGracePeriodSeconds ?? 0) > 0));
  }
  return result;
}

function podsShouldBeOnNode(node: KubeObject, input: ManageInput, out: ManageResult): void {
  const name = node.metadata.name!;
  const { shouldRun, shouldContinueRunning } = input.placement(node);
  const pods = input.podsByNode.get(name);
  if (shouldRun && !pods?.length) {
    out.nodesNeedingPods.push(name);
    return;
  }
  if (!pods?.length) return;
  if (!shouldContinueRunning) {
    for (const pod of pods) if (!pod.metadata.deletionTimestamp) out.podsToDelete.push(pod);
    return;
  }
  const running: KubeObject[] = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const phase = podPhase(pod);
    if (phase === 'Failed') {
      // Pods a node refuses fail at once: back off instead of recreating them in a hot loop.
      out.failedPods.push(pod);
      if (input.mayDeleteFailed(name)) out.podsToDelete.push(pod);
    } else if (phase === 'Succeeded') {
      out.podsToDelete.push(pod);
    } else running.push(pod);
  }
  running.sort(scheduledThenOldest);
  if (!input.surge) {
    // One Pod per node: the oldest stays.
    out.podsToDelete.push(...running.slice(1));
    return;
  }
  if (running.length === 0) {
    if (shouldRun) out.nodesNeedingPods.push(name);
    return;
  }
  if (running.length === 1) return;
  // Surging: an old and a new Pod may share the node while the new one is not yet available
  // and the old one is still ready; everything else goes.
  let oldestNew: KubeObject | undefined;
  let oldestOld: KubeObject | undefined;
  for (const pod of running) {
    const isNew = pod.metadata.labels?.[podRevisionLabel] === input.hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else out.podsToDelete.push(pod);
  }
  if (oldestNew && oldestOld) {
    if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, input.minReadySeconds, input.now)) out.podsToDelete.push(oldestOld);
  }
}
