// The shape of a value as the patch algorithms see it, derived from the client-node models and
// the patch facts table. Objects without a model (custom resources) are "deduced": maps merge
// key by key and lists are atomic, as upstream treats objects it has no schema for.
import { fieldType, modelNames, type FieldType } from '../schema/models.js';
import { isAtomicStruct, listSemantics, patchMeta } from '../schema/patchmeta.js';

export type Shape =
  | { kind: 'struct'; model: string }
  | { kind: 'map'; values: Shape }
  | { kind: 'list'; listType: 'atomic' | 'set' | 'map'; keys: string[]; keyDefaults: Record<string, string>; items: Shape }
  /** Scalars, and structs, maps and untyped values that are owned and replaced whole. */
  | { kind: 'leaf' }
  | { kind: 'deduced' };

export interface Child {
  shape: Shape;
  /** A field the schema names (a struct field), as opposed to a key of a map. */
  named: boolean;
  /** Strategic-merge facts of this field. */
  patchStrategy: string[];
  mergeKey?: string;
  /** Upstream objects always carry this field, empty when unset (see PatchMeta.alwaysPresent). */
  alwaysPresent: boolean;
}

const LEAF: Shape = { kind: 'leaf' };
const DEDUCED: Shape = { kind: 'deduced' };

export function rootShape(model: string | undefined): Shape {
  return model && fieldType(model, 'metadata') !== undefined ? { kind: 'struct', model } : DEDUCED;
}

/** The shape of the value at `key` inside a value of shape `parent`. */
export function childOf(parent: Shape, key: string, isRoot = false): Child {
  if (parent.kind === 'struct') {
    const ft = fieldType(parent.model, key);
    if (!ft) return { shape: DEDUCED, named: false, patchStrategy: [], alwaysPresent: false };
    const meta = patchMeta(parent.model, key);
    return {
      shape: shapeOf(ft, parent.model, key),
      named: true,
      patchStrategy: meta.patchStrategy ? meta.patchStrategy.split(',') : [],
      mergeKey: meta.patchMergeKey,
      alwaysPresent: meta.alwaysPresent ?? false,
    };
  }
  if (parent.kind === 'map') return { shape: parent.values, named: false, patchStrategy: [], alwaysPresent: false };
  if (parent.kind === 'deduced' && isRoot) {
    // Every object has standard metadata, schema or not.
    if (key === 'metadata') return { shape: { kind: 'struct', model: 'V1ObjectMeta' }, named: true, patchStrategy: [], alwaysPresent: true };
    if (key === 'apiVersion' || key === 'kind') return { shape: LEAF, named: true, patchStrategy: [], alwaysPresent: false };
  }
  return { shape: DEDUCED, named: false, patchStrategy: [], alwaysPresent: false };
}

function shapeOf(ft: FieldType, model: string, field: string): Shape {
  const meta = patchMeta(model, field);
  switch (ft.kind) {
    case 'object':
      return meta.mapType === 'atomic' || isAtomicStruct(ft.model) ? LEAF : { kind: 'struct', model: ft.model };
    case 'map':
      return meta.mapType === 'atomic' ? LEAF : { kind: 'map', values: valueShape(ft.values) };
    case 'array': {
      const sem = listSemantics(model, field);
      return { kind: 'list', listType: sem.listType, keys: sem.keys, keyDefaults: sem.keyDefaults, items: valueShape(ft.items) };
    }
    default:
      return LEAF;
  }
}

/** Shape of list items and map values, which carry no field facts of their own. */
function valueShape(ft: FieldType): Shape {
  if (ft.kind === 'object') return isAtomicStruct(ft.model) ? LEAF : { kind: 'struct', model: ft.model };
  if (ft.kind === 'map') return { kind: 'map', values: valueShape(ft.values) };
  return LEAF;
}

// Groups whose kinds are built in, with the prefix client-node gives a model when two groups
// share a kind name (CoreV1Event, EventsV1Event).
const builtinGroups: Record<string, string> = {
  '': 'Core',
  apps: 'Apps',
  batch: 'Batch',
  autoscaling: 'Autoscaling',
  policy: 'Policy',
  'admissionregistration.k8s.io': 'Admissionregistration',
  'apiextensions.k8s.io': 'Apiextensions',
  'apiregistration.k8s.io': 'Apiregistration',
  'authentication.k8s.io': 'Authentication',
  'authorization.k8s.io': 'Authorization',
  'certificates.k8s.io': 'Certificates',
  'coordination.k8s.io': 'Coordination',
  'discovery.k8s.io': 'Discovery',
  'events.k8s.io': 'Events',
  'flowcontrol.apiserver.k8s.io': 'Flowcontrol',
  'networking.k8s.io': 'Networking',
  'node.k8s.io': 'Node',
  'rbac.authorization.k8s.io': 'Rbac',
  'scheduling.k8s.io': 'Scheduling',
  'storage.k8s.io': 'Storage',
};

let known: Set<string> | undefined;

/** The client-node model of a built-in kind ('apps/v1', 'Deployment' -> 'V1Deployment'), if there is one. */
export function modelForKind(apiVersion: string | undefined, kind: string | undefined): string | undefined {
  if (!apiVersion || !kind) return undefined;
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const prefix = builtinGroups[group];
  if (prefix === undefined) return undefined;
  known ??= new Set(modelNames());
  const v = version[0].toUpperCase() + version.slice(1);
  for (const name of [`${prefix}${v}${kind}`, `${v}${kind}`]) if (known.has(name)) return name;
  return undefined;
}
