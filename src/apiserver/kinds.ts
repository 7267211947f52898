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
import { fieldType, type FieldType } from '../api/schema/models.js';

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

export function validateObject(resource: ResourceType, obj: KubeObject, old?: KubeObject, subresource = ''): FieldError[] {
  return validate(gk(resource), obj, old, { namespaced: resource.namespaced, subresource });
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

/**
 * Built-in objects lose empty maps and lists, as Go's omitempty drops them when upstream
 * encodes an object: removing the last label leaves no `labels: {}` behind. Empty structs
 * (emptyDir: {}) are values and stay.
 */
export function dropEmptyCollections(model: string, obj: Record<string, any>): void {
  for (const key of Object.keys(obj)) {
    const t = fieldType(model, key);
    if (t) dropIn(t, obj, key);
  }
}

function dropIn(t: FieldType, parent: Record<string, any>, key: string): void {
  const v = parent[key];
  if (v === null || typeof v !== 'object') return;
  if (t.kind === 'map' || t.kind === 'array') {
    if (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0) {
      delete parent[key];
      return;
    }
    const inner = t.kind === 'map' ? t.values : t.items;
    if (inner.kind === 'object') for (const item of Object.values(v)) if (item && typeof item === 'object' && !Array.isArray(item)) dropEmptyCollections(inner.model, item);
    return;
  }
  if (t.kind === 'object' && !Array.isArray(v)) dropEmptyCollections(t.model, v);
}
