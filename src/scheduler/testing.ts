// Builders for the scheduler's tests: pods, nodes and a cluster view from plain objects.
import type { KubeObject } from '../api/types.js';
import { SchedulerCache } from './cache.js';
import type { ClusterState } from './framework.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, ResourceList, StorageClass, Taint } from './types.js';

export interface PodOptions extends Partial<PodSpec> {
  namespace?: string;
  labels?: Record<string, string>;
  uid?: string;
  requests?: ResourceList;
  owner?: string;
  deleting?: boolean;
  phase?: string;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const { namespace = 'default', labels, uid = `uid-${name}`, requests, owner, deleting, phase, ...spec } = o;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid,
      labels,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}`, controller: true }] } : {}),
      ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [{ name: 'c', ...(requests ? { resources: { requests } } : {}) }], ...spec },
    ...(phase ? { status: { phase } } : {}),
  };
}

export interface NodeOptions {
  labels?: Record<string, string>;
  allocatable?: ResourceList;
  taints?: Taint[];
  unschedulable?: boolean;
}

export function node(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi', ...o.allocatable } },
  };
}

export interface ClusterObjects {
  nodes?: Node[];
  pods?: Pod[];
  pvcs?: PersistentVolumeClaim[];
  pvs?: PersistentVolume[];
  storageClasses?: StorageClass[];
  namespaces?: KubeObject[];
}

export function cluster(o: ClusterObjects = {}): ClusterState {
  const cache = new SchedulerCache({
    namespaceLabels: (ns) => o.namespaces?.find((n) => n.metadata.name === ns)?.metadata.labels,
    pvc: (ns, name) => o.pvcs?.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    pv: (name) => o.pvs?.find((v) => v.metadata.name === name),
    pvs: () => o.pvs ?? [],
    storageClass: (name) => o.storageClasses?.find((c) => c.metadata.name === name),
  });
  for (const n of o.nodes ?? []) cache.setNode(n);
  for (const p of o.pods ?? []) cache.setPod(p);
  return cache;
}

/** A plugin's filter verdicts for every node, as "node: reason" lines ("node: ok" when it fits). */
export function verdicts(c: ClusterState, run: (n: ClusterState['nodes'][number]) => { reasons: string[] } | undefined): string[] {
  return c.nodes.map((n) => `${n.name}: ${run(n)?.reasons.join(', ') ?? 'ok'}`);
}
