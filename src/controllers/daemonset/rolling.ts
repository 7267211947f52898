// The DaemonSet rolling update (upstream rollingUpdate): which old Pods to delete, or on which
// nodes to start a new Pod next to the old one, staying within maxUnavailable or maxSurge.
// The core loop (manage) then creates the replacements and removes surplus Pods.
//
// Without surge (maxSurge 0, maxUnavailable 2, 5 nodes all running old available Pods): two
// old Pods are deleted; manage recreates them at the new revision; until those two are
// available no further old Pod is touched, because each unavailable new Pod counts against
// the budget of 2. An old Pod that is not available anyway is replaced at once without using
// the budget's headroom (it is counted, but always chosen).
//
// With surge (maxSurge 1, maxUnavailable 0): a new Pod starts on one node beside the old one;
// once it is available the old one is deleted and the next node gets its new Pod.
import type { KubeObject } from '../../api/types.js';
import { podRevisionLabel } from '../history/revision.js';
import { scaledValue } from '../runtime/intstr.js';
import { isPodAvailable } from '../runtime/pods.js';
import type { Placement } from './placement.js';

/** maxSurge and maxUnavailable for this many desired Pods; neither set means one may be unavailable. */
export function updateBudget(ds: KubeObject, desired: number): { maxSurge: number; maxUnavailable: number } {
  const strategy = (ds.spec as any)?.updateStrategy;
  const ru = strategy?.type === 'RollingUpdate' ? strategy.rollingUpdate : undefined;
  const maxSurge = ru ? scaledValue(ru.maxSurge ?? 0, desired, true) : 0;
  let maxUnavailable = ru ? scaledValue(ru.maxUnavailable ?? 0, desired, true) : 0;
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** Whether the strategy surges (upstream AllowsSurge: maxSurge scaled against one Pod is non-zero). */
export function allowsSurge(ds: KubeObject): boolean {
  const strategy = (ds.spec as any)?.updateStrategy;
  if (strategy?.type !== 'RollingUpdate') return false;
  return scaledValue(strategy.rollingUpdate?.maxSurge ?? 0, 1, true) !== 0;
}

export interface RollingInput {
  ds: KubeObject;
  nodes: KubeObject[];
  podsByNode: Map<string, KubeObject[]>;
  placement: (node: KubeObject) => Placement;
  hash: string;
  now: number;
}

export interface RollingResult {
  podsToDelete: KubeObject[];
  nodesToCreate: string[];
}

/** The node's live Pods split into the new and the old one; undefined when it has more of either (manage prunes first). */
function splitPods(pods: KubeObject[], hash: string): { newPod?: KubeObject; oldPod?: KubeObject } | undefined {
  let newPod: KubeObject | undefined;
  let oldPod: KubeObject | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (pod.metadata.labels?.[podRevisionLabel] === hash) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

export function rollingUpdate(input: RollingInput): RollingResult {
  const { ds, hash, now } = input;
  const minReady = Number((ds.spec as any)?.minReadySeconds ?? 0);
  const available = (pod: KubeObject) => isPodAvailable(pod, minReady, now);
  const nodesByName = new Map(input.nodes.map((n) => [n.metadata.name!, n]));
  // Every node that should run a Pod takes part, with or without Pods on it.
  const podsByNode = new Map(input.podsByNode);
  let desired = 0;
  for (const node of input.nodes) {
    if (!input.placement(node).shouldRun) continue;
    desired++;
    if (!podsByNode.has(node.metadata.name!)) podsByNode.set(node.metadata.name!, []);
  }
  const { maxSurge, maxUnavailable } = updateBudget(ds, desired);
  const nodeNames = [...podsByNode.keys()].sort();

  if (maxSurge === 0) {
    let unavailable = 0;
    const replacements: KubeObject[] = [];
    const candidates: KubeObject[] = [];
    for (const name of nodeNames) {
      const split = splitPods(podsByNode.get(name)!, hash);
      if (!split) {
        unavailable++;
        continue;
      }
      const { newPod, oldPod } = split;
      if ((!oldPod && !newPod) || (oldPod && newPod)) unavailable++;
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (!available(oldPod!)) {
        replacements.push(oldPod!);
        unavailable++;
      } else if (unavailable < maxUnavailable) candidates.push(oldPod!);
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { podsToDelete: [...replacements, ...candidates.slice(0, room)], nodesToCreate: [] };
  }

  const podsToDelete: KubeObject[] = [];
  const shouldNotRun: KubeObject[] = [];
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  let surging = 0;
  let numAvailable = 0;
  for (const name of nodeNames) {
    const split = splitPods(podsByNode.get(name)!, hash);
    if (!split) {
      surging++;
      continue;
    }
    const { newPod, oldPod } = split;
    if (oldPod ? available(oldPod) : newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue;
    const node = nodesByName.get(name);
    const shouldRun = node ? input.placement(node).shouldRun : false;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun) podsToDelete.push(oldPod);
        else allowedNew.push(name);
      } else if (!shouldRun) shouldNotRun.push(oldPod);
      else if (surging < maxSurge) candidateNew.push(name);
    } else if (!available(newPod)) surging++;
    else podsToDelete.push(oldPod);
  }
  // With surge the owner expects full availability: an old Pod on a node that no longer
  // qualifies goes only once enough Pods are available elsewhere.
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRun.length);
  podsToDelete.push(...shouldNotRun.slice(0, deletable));
  const room = Math.min(Math.max(0, maxSurge - surging), candidateNew.length);
  return { podsToDelete, nodesToCreate: [...allowedNew, ...candidateNew.slice(0, room)] };
}
