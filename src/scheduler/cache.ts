// The scheduler's view of the cluster: nodes with the pods assigned to them, including pods the
// scheduler has assumed onto a node but whose binding the API has not confirmed yet, so the next
// pod scheduled right after sees their requests. Pods that finished (Succeeded, Failed) hold
// nothing and are left out, as upstream's scheduler informer does.
import type { ClusterState } from './framework.js';
import { NodeInfo } from './nodeinfo.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from './types.js';
import { podKey } from './types.js';

/** Where the cache reads the objects pods refer to (the informers, in the scheduler). */
export interface ObjectLookups {
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  pv(name: string): PersistentVolume | undefined;
  pvs(): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

export const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export class SchedulerCache implements ClusterState {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  /** Every assigned, unfinished pod by key, whether or not its node is known yet. */
  private readonly pods = new Map<string, Pod>();
  private readonly assumed = new Set<string>();
  private nodeList?: NodeInfo[];

  constructor(private readonly lookups: ObjectLookups) {}

  get nodes(): readonly NodeInfo[] {
    this.nodeList ??= [...this.nodeInfos.values()];
    return this.nodeList;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  namespaceLabels(namespace: string) {
    return this.lookups.namespaceLabels(namespace);
  }
  pvc(namespace: string, name: string) {
    return this.lookups.pvc(namespace, name);
  }
  pv(name: string) {
    return this.lookups.pv(name);
  }
  pvs() {
    return this.lookups.pvs();
  }
  storageClass(name: string) {
    return this.lookups.storageClass(name);
  }

  setNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const existing = this.nodeInfos.get(name);
    const pods = existing ? existing.pods : [...this.pods.values()].filter((p) => p.spec.nodeName === name);
    this.nodeInfos.set(name, new NodeInfo(node, pods));
    this.nodeList = undefined;
  }

  removeNode(name: string): void {
    this.nodeInfos.delete(name);
    this.nodeList = undefined;
  }

  /** An informer's view of a pod: placed if assigned and unfinished, otherwise dropped. Confirms an assumption. */
  setPod(pod: Pod): void {
    const key = podKey(pod);
    if (!pod.spec.nodeName || isTerminal(pod)) {
      if (!this.assumed.has(key)) this.removePod(key);
      return;
    }
    this.assumed.delete(key);
    this.place(key, pod);
  }

  removePod(key: string): void {
    const old = this.pods.get(key);
    if (!old) return;
    this.pods.delete(key);
    this.assumed.delete(key);
    this.nodeInfos.get(old.spec.nodeName ?? '')?.removePod(key);
  }

  /** Counts the pod on the node before the API confirms the binding. */
  assume(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    this.assumed.add(key);
    this.place(key, { ...pod, spec: { ...pod.spec, nodeName } });
  }

  /** The binding failed: the pod holds nothing after all. */
  forget(pod: Pod): void {
    const key = podKey(pod);
    if (this.assumed.has(key)) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  private place(key: string, pod: Pod): void {
    const old = this.pods.get(key);
    if (old && old.spec.nodeName !== pod.spec.nodeName) this.nodeInfos.get(old.spec.nodeName ?? '')?.removePod(key);
    this.pods.set(key, pod);
    this.nodeInfos.get(pod.spec.nodeName ?? '')?.addPod(pod);
  }
}
