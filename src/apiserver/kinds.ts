// Kind-specific behaviour the generic verbs call into: defaulting, validation, the fields a
// status update may change, and when metadata.generation moves. One place that joins the pure
// api/ modules to the request path.
import type { KubeObject } from '../api/types.js';
import type { FieldError } from '../api/errors.js';
import { groupKindKey, type ResourceType } from '../api/resources.js';
import { applyDefaults, prepareForCreate as prepareKindForCreate } from '../api/defaults/index.js';
import { validate } from '../api/validation/index.js';
import { validateAndPrune } from '../api/schema/structural.js';
import { isDeepStrictEqual } from 'node:util';

export function gk(resource: ResourceType): string {
  return groupKindKey(resource.group, resource.kind);
}

export function defaultObject(resource: ResourceType, obj: KubeObject): FieldError[] {
  if (resource.crd) {
    if (!resource.crd.schema) return [];
    const result = validateAndPrune(resource.crd.schema, obj, { preserveUnknownFields: resource.crd.preserveUnknownFields });
    return result.errors;
  }
  applyDefaults(gk(resource), obj, resource.version);
  return [];
}

export function validateObject(resource: ResourceType, obj: KubeObject, old?: KubeObject): FieldError[] {
  return validate(gk(resource), obj, old, { namespaced: resource.namespaced });
}

/** Kinds whose status a create keeps as sent (agents create Nodes with their status). */
const keepStatusOnCreate = new Set(['Node', 'Event', 'Lease.coordination.k8s.io']);

/**
 * What a create sets once, as upstream's PrepareForCreate does: the status a new object
 * starts with, then the kind's own preparation (Pod phase and QoS class, the Namespace
 * finalizer, a Job's generated selector). Runs after uid and creationTimestamp are set.
 */
export function prepareForCreate(resource: ResourceType, obj: KubeObject): void {
  resetStatus(resource, obj);
  if (!resource.crd) prepareKindForCreate(gk(resource), obj);
}

function resetStatus(resource: ResourceType, obj: KubeObject): void {
  const key = gk(resource);
  if (!resource.subresources.includes('status') || keepStatusOnCreate.has(key)) return;
  switch (key) {
    case 'Pod':
      break;
    case 'Namespace':
      obj.status = { phase: 'Active' };
      break;
    case 'PersistentVolumeClaim':
    case 'PersistentVolume':
      obj.status = { phase: 'Pending' };
      break;
    case 'CustomResourceDefinition.apiextensions.k8s.io':
      break;
    default:
      delete obj.status;
  }
}

/** Whether a change is one that bumps metadata.generation: anything outside metadata and status. */
export function specChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return !isDeepStrictEqual(strip(oldObj), strip(newObj));
}
