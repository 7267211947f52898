// Kind-specific behaviour the generic verbs call into: defaulting, validation, the fields a
// status update may change, and when metadata.generation moves. One place that joins the pure
// api/ modules to the request path.
import type { KubeObject } from '../api/types.js';
import type { FieldError } from '../api/errors.js';
import { groupKindKey, type ResourceType } from '../api/resources.js';
import { applyDefaults } from '../api/defaults/index.js';
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
  return validate(gk(resource), obj, old);
}

/** Kinds whose status a create keeps as sent (agents create Nodes with their status). */
const keepStatusOnCreate = new Set(['Node', 'Event', 'Lease.coordination.k8s.io']);

/** Initial status on create, as upstream's PrepareForCreate does. */
export function prepareForCreate(resource: ResourceType, obj: KubeObject): void {
  const key = gk(resource);
  if (!resource.subresources.includes('status') || keepStatusOnCreate.has(key)) return;
  switch (key) {
    case 'Pod':
      obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
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

function qosClass(pod: KubeObject): string {
  const containers = [...(((pod.spec as any)?.containers as any[]) ?? []), ...(((pod.spec as any)?.initContainers as any[]) ?? [])];
  let anyRequest = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anyRequest = true;
    for (const r of ['cpu', 'memory']) {
      const limit = lim[r];
      const request = req[r] ?? limit;
      if (limit === undefined || request !== limit) guaranteed = false;
    }
  }
  if (guaranteed) return 'Guaranteed';
  return anyRequest ? 'Burstable' : 'BestEffort';
}
