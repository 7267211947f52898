// Defaulting by GroupKind, as upstream applies it when decoding a request body: `applyDefaults`
// fills absent fields for the served version. `prepareForCreate` holds the create-only changes
// upstream's registry strategies make (they must not be re-applied on every update).
import { groupKindKey } from '../resources.js';
import type { KubeObject } from '../types.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './apps.js';
import { defaultHorizontalPodAutoscaler } from './autoscaling.js';
import { defaultCronJob, defaultJob, generateJobSelector } from './batch.js';
import { defaultCustomResourceDefinition, defaultEndpointSlice, defaultPriorityClass, defaultRoleBinding } from './cluster.js';
import { ensureObject } from './common.js';
import {
  defaultEndpoints, defaultLimitRange, defaultNamespace, defaultNode, defaultPersistentVolume, defaultPersistentVolumeClaim, defaultPodTemplate,
  defaultReplicationController, defaultResourceQuota, defaultSecret, defaultService,
} from './core.js';
import { defaultPod, podQOSClass } from './pod.js';
import { defaultCSIDriver, defaultStorageClass } from './storage.js';

type Defaulter = (obj: KubeObject, version: string) => void;

const defaulters: Record<string, Defaulter> = {
  Pod: defaultPod,
  PodTemplate: defaultPodTemplate,
  ReplicationController: defaultReplicationController,
  Service: defaultService,
  Secret: defaultSecret,
  Namespace: defaultNamespace,
  Node: defaultNode,
  PersistentVolume: defaultPersistentVolume,
  PersistentVolumeClaim: defaultPersistentVolumeClaim,
  Endpoints: defaultEndpoints,
  LimitRange: defaultLimitRange,
  ResourceQuota: defaultResourceQuota,
  [groupKindKey('apps', 'Deployment')]: defaultDeployment,
  [groupKindKey('apps', 'ReplicaSet')]: defaultReplicaSet,
  [groupKindKey('apps', 'DaemonSet')]: defaultDaemonSet,
  [groupKindKey('apps', 'StatefulSet')]: defaultStatefulSet,
  [groupKindKey('batch', 'Job')]: defaultJob,
  [groupKindKey('batch', 'CronJob')]: defaultCronJob,
  [groupKindKey('autoscaling', 'HorizontalPodAutoscaler')]: defaultHorizontalPodAutoscaler,
  [groupKindKey('discovery.k8s.io', 'EndpointSlice')]: defaultEndpointSlice,
  [groupKindKey('storage.k8s.io', 'StorageClass')]: defaultStorageClass,
  [groupKindKey('storage.k8s.io', 'CSIDriver')]: defaultCSIDriver,
  [groupKindKey('rbac.authorization.k8s.io', 'RoleBinding')]: defaultRoleBinding,
  [groupKindKey('rbac.authorization.k8s.io', 'ClusterRoleBinding')]: defaultRoleBinding,
  [groupKindKey('scheduling.k8s.io', 'PriorityClass')]: defaultPriorityClass,
  [groupKindKey('apiextensions.k8s.io', 'CustomResourceDefinition')]: defaultCustomResourceDefinition,
};

/** Fills the fields upstream defaults for this GroupKind at the served version; unknown kinds are left as they are. */
export function applyDefaults(gk: string, obj: KubeObject, version: string): void {
  defaulters[gk]?.(obj, version);
}

/**
 * Create-only changes upstream's registry makes before validating a new object. Run after
 * applyDefaults and after metadata.uid is assigned (a Job's generated selector uses it):
 * - Namespace: the `kubernetes` finalizer, and an Active phase.
 * - Job: pod template labels and selector generated from name and uid, unless manualSelector.
 * - Pod: phase Pending and the QoS class in status.
 * - PersistentVolumeClaim: dataSource and dataSourceRef mirror each other when only one is set
 *   (a cross-namespace dataSourceRef has no dataSource twin).
 */
export function prepareForCreate(gk: string, obj: KubeObject): void {
  switch (gk) {
    case 'Namespace': {
      const spec = ensureObject(obj, 'spec');
      const finalizers: string[] = Array.isArray(spec.finalizers) ? spec.finalizers : [];
      if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
      obj.status = { phase: 'Active' };
      break;
    }
    case groupKindKey('batch', 'Job'):
      generateJobSelector(obj);
      break;
    case 'Pod':
      obj.status = { phase: 'Pending', qosClass: podQOSClass(ensureObject(obj, 'spec')) };
      break;
    case 'PersistentVolumeClaim':
      normalizeDataSources(ensureObject(obj, 'spec'));
      break;
  }
}

export { generateJobSelector, podQOSClass };
export { defaultPullPolicy, imageTag } from './pod.js';

function normalizeDataSources(spec: Record<string, any>): void {
  const copy = (ref: Record<string, any>) => ({ ...(ref.apiGroup !== undefined ? { apiGroup: ref.apiGroup } : {}), kind: ref.kind, name: ref.name });
  if (spec.dataSource && !spec.dataSourceRef) spec.dataSourceRef = copy(spec.dataSource);
  else if (spec.dataSourceRef && !spec.dataSource && !spec.dataSourceRef.namespace) spec.dataSource = copy(spec.dataSourceRef);
}
