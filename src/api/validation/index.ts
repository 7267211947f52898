// Validation of API objects by GroupKind, with upstream's field paths and messages. `validate`
// checks a create when `old` is absent and an update otherwise; kinds this file does not know
// (custom resources) get ObjectMeta validation only.
import type { FieldError } from '../errors.js';
import { builtinResources, groupKindKey } from '../resources.js';
import type { KubeObject } from '../types.js';
import { validateCustomResourceDefinition } from './apiextensions.js';
import { validateControllerRevision, validateDaemonSet, validateDeployment, validateReplicaSet, validateStatefulSet } from './apps.js';
import { validateHorizontalPodAutoscaler } from './autoscaling.js';
import { validateCronJob, validateJob } from './batch.js';
import { validateCertificateSigningRequest } from './certificates.js';
import {
  validateConfigMap, validateCoreEvent, validateEndpoints, validateLimitRange, validateNamespace, validateNode, validateReplicationController,
  validateResourceQuota, validateSecret, validateServiceAccount,
} from './core.js';
import { validateLease } from './coordination.js';
import { validateEndpointSlice } from './discovery.js';
import { validateEventsV1Event } from './events.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validatePodCreate, validatePodTemplateObject, validatePodUpdate } from './pod.js';
import { validatePodDisruptionBudget } from './policy.js';
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './rbac.js';
import { validatePriorityClass } from './scheduling.js';
import { validateService } from './service.js';
import { validateCSIDriver, validateCSINode, validatePersistentVolume, validatePersistentVolumeClaim, validateStorageClass, validateVolumeAttachment } from './storage.js';

export type Validator = (obj: KubeObject, old?: KubeObject, opts?: ValidateOptions) => FieldError[];

const validators: Record<string, Validator> = {
  Pod: (o, old) => (old ? validatePodUpdate(o, old) : validatePodCreate(o)),
  PodTemplate: validatePodTemplateObject,
  Service: validateService,
  ConfigMap: validateConfigMap,
  Secret: validateSecret,
  ServiceAccount: validateServiceAccount,
  Namespace: validateNamespace,
  Node: validateNode,
  Endpoints: validateEndpoints,
  LimitRange: validateLimitRange,
  ResourceQuota: validateResourceQuota,
  ReplicationController: validateReplicationController,
  Event: validateCoreEvent,
  PersistentVolume: validatePersistentVolume,
  PersistentVolumeClaim: validatePersistentVolumeClaim,
  [groupKindKey('apps', 'Deployment')]: validateDeployment,
  [groupKindKey('apps', 'ReplicaSet')]: validateReplicaSet,
  [groupKindKey('apps', 'DaemonSet')]: validateDaemonSet,
  [groupKindKey('apps', 'StatefulSet')]: validateStatefulSet,
  [groupKindKey('apps', 'ControllerRevision')]: validateControllerRevision,
  [groupKindKey('batch', 'Job')]: validateJob,
  [groupKindKey('batch', 'CronJob')]: validateCronJob,
  [groupKindKey('autoscaling', 'HorizontalPodAutoscaler')]: validateHorizontalPodAutoscaler,
  [groupKindKey('policy', 'PodDisruptionBudget')]: validatePodDisruptionBudget,
  [groupKindKey('certificates.k8s.io', 'CertificateSigningRequest')]: validateCertificateSigningRequest,
  [groupKindKey('coordination.k8s.io', 'Lease')]: validateLease,
  [groupKindKey('discovery.k8s.io', 'EndpointSlice')]: validateEndpointSlice,
  [groupKindKey('storage.k8s.io', 'StorageClass')]: validateStorageClass,
  [groupKindKey('storage.k8s.io', 'CSIDriver')]: validateCSIDriver,
  [groupKindKey('storage.k8s.io', 'CSINode')]: validateCSINode,
  [groupKindKey('storage.k8s.io', 'VolumeAttachment')]: validateVolumeAttachment,
  [groupKindKey('rbac.authorization.k8s.io', 'Role')]: validateRole,
  [groupKindKey('rbac.authorization.k8s.io', 'ClusterRole')]: validateClusterRole,
  [groupKindKey('rbac.authorization.k8s.io', 'RoleBinding')]: validateRoleBinding,
  [groupKindKey('rbac.authorization.k8s.io', 'ClusterRoleBinding')]: validateClusterRoleBinding,
  [groupKindKey('events.k8s.io', 'Event')]: validateEventsV1Event,
  [groupKindKey('scheduling.k8s.io', 'PriorityClass')]: validatePriorityClass,
  [groupKindKey('apiextensions.k8s.io', 'CustomResourceDefinition')]: validateCustomResourceDefinition,
};

export interface ValidateOptions {
  /** Scope of a kind this file does not know (a custom resource): namespace then required or forbidden. */
  namespaced?: boolean;
  /** The subresource an update goes through ('' for the object itself), for kinds whose rules differ by path. */
  subresource?: string;
}

const builtinScope = new Map(builtinResources.map((r) => [groupKindKey(r.group, r.kind), r.namespaced]));

export function validate(gk: string, obj: KubeObject, old?: KubeObject, opts: ValidateOptions = {}): FieldError[] {
  const validator = validators[gk];
  const errs = validator
    ? validator(obj, old, opts)
    : old
      ? validateObjectMetaUpdate(obj.metadata, old.metadata)
      : validateObjectMeta(obj.metadata, { namespaced: opts.namespaced ?? builtinScope.get(gk), nameFn: nameIsDNSSubdomain });
  return dedupe(errs);
}

/** Drops repeated identical errors, as upstream's aggregate message does. */
function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const key = JSON.stringify([e.type, e.field, e.value, e.detail, e.supported]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { parseQuantity, parseQuantityExact, canonicalQuantity, compareQuantities, formatQuantity, milliValue, quantityError, isQuantity } from './quantity.js';
export { parseCronSchedule, cronScheduleError, isValidTimeZone, type CronSchedule } from './cron.js';
export { compileSelector } from './common.js';
