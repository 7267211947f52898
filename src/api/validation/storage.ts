// PersistentVolume, PersistentVolumeClaim and the storage.k8s.io kinds (StorageClass, CSIDriver,
// CSINode, VolumeAttachment): access modes, capacity, volume sources, and what may change later.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import {
  arr, deepEqual, describeDiff, forbidden, has, immutable, invalid, notSupported, obj, required, str, type Obj,
} from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';
import { compareQuantities, quantityError } from './quantity.js';
import { validateNodeSelector } from './placement.js';
import { className, positiveQuantity, validateAccessModes, validateCSIDriverName, validateHostPath, validatePersistentVolumeClaimSpec, VOLUME_MODES } from './volumes.js';

const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];

const PV_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi', 'cinder', 'fc',
  'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'scaleIO', 'local', 'storageos', 'csi',
];
const PV_FORBIDDEN_NAME: Record<string, string> = { cephfs: 'cephFS' };

function validatePVSource(key: string, src: Obj, path: FieldPath, nodeAffinitySpecified: boolean): FieldError[] {
  const p = path.child(key);
  switch (key) {
    case 'hostPath':
      return validateHostPath(src, p);
    case 'nfs': {
      const errs: FieldError[] = [];
      if (!src.server) errs.push(required(p.child('server')));
      if (!src.path) errs.push(required(p.child('path')));
      if (!str(src.path).startsWith('/')) errs.push(invalid(p.child('path'), str(src.path), 'must be an absolute path'));
      return errs;
    }
    case 'local': {
      const errs: FieldError[] = [];
      if (!src.path) errs.push(required(p.child('path')));
      else if (str(src.path).split('/').includes('..')) errs.push(invalid(p.child('path'), src.path, "must not contain '..'"));
      if (!nodeAffinitySpecified) errs.push(required(path.child('nodeAffinity'), 'Local volume requires node affinity'));
      return errs;
    }
    case 'csi': {
      const errs = validateCSIDriverName(str(src.driver), p.child('driver'));
      if (!src.volumeHandle) errs.push(required(p.child('volumeHandle')));
      for (const ref of ['controllerPublishSecretRef', 'controllerExpandSecretRef', 'nodePublishSecretRef', 'nodeExpandSecretRef']) {
        if (!isObject(src[ref])) continue;
        const r = src[ref];
        if (!r.name) errs.push(required(p.child(ref, 'name')));
        else errs.push(...isDNS1123Subdomain(str(r.name)).map((m) => invalid(p.child(ref, 'name'), r.name, m)));
        if (!r.namespace) errs.push(required(p.child(ref, 'namespace')));
        else errs.push(...isDNS1123Label(str(r.namespace)).map((m) => invalid(p.child(ref, 'namespace'), r.namespace, m)));
      }
      return errs;
    }
    default:
      return [];
  }
}

function validatePersistentVolumeSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (arr(spec.accessModes).length === 0) errs.push(required(path.child('accessModes')));
  errs.push(...validateAccessModes(spec.accessModes, path.child('accessModes')));
  const capacity = obj(spec.capacity);
  if (Object.keys(capacity).length === 0) errs.push(required(path.child('capacity')));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported(path.child('capacity'), capacity, ['storage']));
  for (const [r, v] of Object.entries(capacity)) errs.push(...positiveQuantity(v, path.child('capacity').key(r)));
  if (spec.persistentVolumeReclaimPolicy && !RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)) {
    errs.push(notSupported(path.child('persistentVolumeReclaimPolicy'), spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
  }
  let nodeAffinitySpecified = false;
  if (isObject(spec.nodeAffinity)) {
    nodeAffinitySpecified = true;
    if (isObject(spec.nodeAffinity.required)) errs.push(...validateNodeSelector(spec.nodeAffinity.required, path.child('nodeAffinity', 'required')));
    else errs.push(required(path.child('nodeAffinity', 'required'), 'must specify required node constraints'));
  }
  let count = 0;
  for (const key of PV_SOURCES) {
    if (!isObject(spec[key])) continue;
    if (count > 0 && key !== 'flexVolume') {
      errs.push(forbidden(path.child(PV_FORBIDDEN_NAME[key] ?? key), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...validatePVSource(key, spec[key], path, nodeAffinitySpecified));
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  if (isObject(spec.hostPath) && spec.persistentVolumeReclaimPolicy === 'Recycle' && /^\/+$/.test(str(spec.hostPath.path))) {
    errs.push(forbidden(path.child('persistentVolumeReclaimPolicy'), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (spec.storageClassName) errs.push(...className(str(spec.storageClassName), path.child('storageClassName')));
  if (has(spec, 'volumeMode') && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported(path.child('volumeMode'), spec.volumeMode, VOLUME_MODES));
  if (has(spec, 'volumeAttributesClassName')) {
    if (!spec.volumeAttributesClassName) errs.push(required(path.child('volumeAttributesClassName'), 'an empty string is disallowed'));
    else errs.push(...className(str(spec.volumeAttributesClassName), path.child('volumeAttributesClassName')));
    if (!isObject(spec.csi)) errs.push(required(path.child('csi'), 'has to be specified when using volumeAttributesClassName'));
  }
  return errs;
}

function sourceOf(spec: Obj): Obj {
  const source: Obj = {};
  for (const key of PV_SOURCES) if (spec[key] !== undefined) source[key] = spec[key];
  return source;
}

export function validatePersistentVolume(pv: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(pv.spec);
  const errs = [
    ...validateObjectMeta(pv.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }),
    ...validatePersistentVolumeSpec(spec, FieldPath.of('spec')),
  ];
  if (!old) return errs;
  const oldSpec = obj(old.spec);
  errs.unshift(...validateObjectMetaUpdate(pv.metadata, old.metadata, { kubeFinalizers: true }));
  const newSource = sourceOf(spec);
  const oldSource = sourceOf(oldSpec);
  if (isObject(oldSource.csi) && !has(oldSource.csi, 'controllerExpandSecretRef') && isObject(newSource.csi)) {
    newSource.csi = { ...newSource.csi, controllerExpandSecretRef: undefined };
  }
  if (!deepEqual(newSource, oldSource)) {
    errs.push(forbidden(FieldPath.of('spec', 'persistentvolumesource'), `spec.persistentvolumesource is immutable after creation\n${describeDiff(oldSource, newSource)}`));
  }
  errs.push(...immutable(spec.volumeMode, oldSpec.volumeMode, FieldPath.of('volumeMode')));
  if (isObject(oldSpec.nodeAffinity) && !deepEqual(spec.nodeAffinity, oldSpec.nodeAffinity)) {
    errs.push(invalid(FieldPath.of('nodeAffinity'), spec.nodeAffinity ?? null, 'field is immutable, except for updating from beta label to GA'));
  }
  if (has(oldSpec, 'volumeAttributesClassName') && !has(spec, 'volumeAttributesClassName')) {
    errs.push(forbidden(FieldPath.of('spec', 'volumeAttributesClassName'), 'update from non-nil value to nil is forbidden'));
  }
  return errs;
}

export function validatePersistentVolumeClaim(pvc: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(pvc.spec);
  const errs: FieldError[] = [];
  if (old) errs.push(...validateObjectMetaUpdate(pvc.metadata, old.metadata, { kubeFinalizers: true }));
  errs.push(...validateObjectMeta(pvc.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }));
  errs.push(...validatePersistentVolumeClaimSpec(spec, FieldPath.of('spec')));
  if (!old) return errs;

  const oldSpec = obj(old.spec);
  const newClone: Obj = JSON.parse(JSON.stringify(spec));
  const oldClone: Obj = JSON.parse(JSON.stringify(oldSpec));
  if (!oldSpec.volumeName) oldClone.volumeName = newClone.volumeName;
  const oldAnnotationClass = obj(old.metadata?.annotations)['volume.beta.kubernetes.io/storage-class'];
  if (oldAnnotationClass !== undefined && !has(oldSpec, 'storageClassName') && newClone.storageClassName === oldAnnotationClass) {
    delete newClone.storageClassName;
  } else {
    const newAnnotationClass = obj(pvc.metadata?.annotations)['volume.beta.kubernetes.io/storage-class'];
    if ((newAnnotationClass ?? '') !== (oldAnnotationClass ?? '')) {
      errs.push(invalid(FieldPath.of('metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class'), newAnnotationClass ?? '', 'field is immutable'));
    }
    if (has(newClone, 'storageClassName') && !has(oldSpec, 'storageClassName') && (oldAnnotationClass === undefined || newClone.storageClassName === oldAnnotationClass)) {
      newClone.storageClassName = oldClone.storageClassName;
    }
  }
  const bound = obj(pvc.status).phase === 'Bound';
  if (bound && isObject(obj(newClone.resources).requests)) newClone.resources.requests.storage = obj(obj(oldSpec.resources).requests).storage;
  if (bound && has(newClone, 'volumeAttributesClassName')) newClone.volumeAttributesClassName = oldClone.volumeAttributesClassName;
  if (!deepEqual(newClone, oldClone)) {
    errs.push(forbidden(FieldPath.of('spec'), `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${describeDiff(oldClone, newClone)}`));
  }
  const newSize = obj(obj(spec.resources).requests).storage;
  const oldSize = obj(obj(oldSpec.resources).requests).storage;
  const statusSize = obj(obj(old.status).capacity).storage;
  if (newSize !== undefined && oldSize !== undefined && !quantityError(newSize) && !quantityError(oldSize) && compareQuantities(newSize, oldSize) < 0) {
    if (statusSize === undefined || quantityError(statusSize) || compareQuantities(newSize, statusSize) <= 0) {
      errs.push(forbidden(FieldPath.of('spec', 'resources', 'requests', 'storage'), 'field can not be less than status.capacity'));
    }
  }
  errs.push(...immutable(spec.volumeMode, oldSpec.volumeMode, FieldPath.of('volumeMode')));
  if (has(oldSpec, 'volumeAttributesClassName') && !deepEqual(spec.volumeAttributesClassName, oldSpec.volumeAttributesClassName)) {
    if (!has(spec, 'volumeAttributesClassName')) errs.push(forbidden(FieldPath.of('spec', 'volumeAttributesClassName'), 'update from non-nil value to nil is forbidden'));
    else if (spec.volumeAttributesClassName === '') errs.push(forbidden(FieldPath.of('spec', 'volumeAttributesClassName'), 'update from non-nil value to an empty string is forbidden'));
  }
  return errs;
}

const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PROVISIONER_PARAMETER_SIZE = 256 * 1024;
const MAX_PROVISIONER_PARAMETER_LEN = 512;

export function validateStorageClass(sc: KubeObject, old?: KubeObject): FieldError[] {
  const o = sc as Obj;
  const errs: FieldError[] = old
    ? validateObjectMetaUpdate(sc.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(sc.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  const provisioner = str(o.provisioner);
  if (!provisioner) errs.push(required(FieldPath.of('provisioner'), provisioner));
  else errs.push(...isQualifiedName(provisioner.toLowerCase()).map((m) => invalid(FieldPath.of('provisioner'), provisioner.toLowerCase(), m)));
  const params = obj(o.parameters);
  let size = 0;
  for (const [k, v] of Object.entries(params)) {
    if (!k) errs.push(invalid(FieldPath.of('parameters'), k, 'field can not be empty.'));
    size += k.length + str(v).length;
  }
  if (Object.keys(params).length > MAX_PROVISIONER_PARAMETER_LEN) errs.push(invalid(FieldPath.of('parameters'), params, `Provisioner Parameters exceeded max allowed: ${MAX_PROVISIONER_PARAMETER_LEN}`));
  if (size > MAX_PROVISIONER_PARAMETER_SIZE) errs.push({ type: 'FieldValueTooLong', field: 'parameters', detail: `may not be more than ${MAX_PROVISIONER_PARAMETER_SIZE} bytes` });
  if (has(o, 'reclaimPolicy') && !['Delete', 'Retain'].includes(o.reclaimPolicy)) errs.push(notSupported(FieldPath.of('reclaimPolicy'), o.reclaimPolicy, ['Delete', 'Retain']));
  if (!has(o, 'volumeBindingMode')) errs.push(required(FieldPath.of('volumeBindingMode')));
  else if (!BINDING_MODES.includes(o.volumeBindingMode)) errs.push(notSupported(FieldPath.of('volumeBindingMode'), o.volumeBindingMode, BINDING_MODES));
  arr(o.allowedTopologies).forEach((t, i) => {
    const p = FieldPath.of('allowedTopologies').index(i);
    const exprs = arr(obj(t).matchLabelExpressions);
    if (exprs.length === 0) errs.push(required(p.child('matchLabelExpressions'), 'must contain at least one key/value pair'));
    exprs.forEach((e, j) => {
      const ep = p.child('matchLabelExpressions').index(j);
      if (arr(obj(e).values).length === 0) errs.push(required(ep.child('values')));
      errs.push(...isQualifiedName(str(obj(e).key)).map((m) => invalid(ep.child('key'), obj(e).key, m)));
    });
  });
  if (old) {
    const prev = old as Obj;
    if (!deepEqual(prev.parameters, o.parameters)) errs.push(forbidden(FieldPath.of('parameters'), 'updates to parameters are forbidden.'));
    if (prev.provisioner !== o.provisioner) errs.push(forbidden(FieldPath.of('provisioner'), 'updates to provisioner are forbidden.'));
    if ((prev.reclaimPolicy ?? null) !== (o.reclaimPolicy ?? null)) errs.push(forbidden(FieldPath.of('reclaimPolicy'), 'updates to reclaimPolicy are forbidden.'));
    errs.push(...immutable(o.volumeBindingMode, prev.volumeBindingMode, FieldPath.of('volumeBindingMode')));
  }
  return errs;
}

export function validateCSIDriver(d: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(d.spec);
  const errs: FieldError[] = old
    ? validateObjectMetaUpdate(d.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(d.metadata, { namespaced: false, nameFn: (n) => validateCSIDriverName(n, FieldPath.of('metadata', 'name')).map((e) => e.detail ?? ''), kubeFinalizers: true });
  const p = FieldPath.of('spec');
  for (const f of ['attachRequired', 'podInfoOnMount', 'storageCapacity', 'requiresRepublish']) {
    if (!has(spec, f)) errs.push(required(p.child(f)));
  }
  if (has(spec, 'fsGroupPolicy') && !['File', 'None', 'ReadWriteOnceWithFSType'].includes(spec.fsGroupPolicy)) errs.push(notSupported(p.child('fsGroupPolicy'), spec.fsGroupPolicy, ['File', 'None', 'ReadWriteOnceWithFSType']));
  arr(spec.volumeLifecycleModes).forEach((m) => {
    if (!['Ephemeral', 'Persistent'].includes(m)) errs.push(notSupported(p.child('volumeLifecycleModes'), m, ['Ephemeral', 'Persistent']));
  });
  if (old) {
    const oldSpec = obj(old.spec);
    errs.push(...immutable(spec.attachRequired, oldSpec.attachRequired, p.child('attachRequired')));
    errs.push(...immutable(spec.podInfoOnMount, oldSpec.podInfoOnMount, p.child('podInfoOnMount')));
  }
  return errs;
}

export function validateCSINode(n: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = old
    ? validateObjectMetaUpdate(n.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(n.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  const seen = new Set<string>();
  arr(obj(n.spec).drivers).forEach((raw, i) => {
    const d = obj(raw);
    const p = FieldPath.of('spec', 'drivers').index(i);
    errs.push(...validateCSIDriverName(str(d.name), p.child('name')));
    if (!d.nodeID) errs.push(required(p.child('nodeID')));
    if (seen.has(d.name)) errs.push({ type: 'FieldValueDuplicate', field: p.child('name').toString(), value: d.name });
    seen.add(d.name);
  });
  return errs;
}

export function validateVolumeAttachment(va: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(va.spec);
  const errs: FieldError[] = old
    ? validateObjectMetaUpdate(va.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(va.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  const p = FieldPath.of('spec');
  errs.push(...validateCSIDriverName(str(spec.attacher), p.child('attacher')));
  if (!spec.nodeName) errs.push(required(p.child('nodeName')));
  else errs.push(...isDNS1123Subdomain(str(spec.nodeName)).map((m) => invalid(p.child('nodeName'), spec.nodeName, m)));
  const source = obj(spec.source);
  const count = (has(source, 'persistentVolumeName') ? 1 : 0) + (has(source, 'inlineVolumeSpec') ? 1 : 0);
  if (count !== 1) errs.push(required(p.child('source'), 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  if (old && !deepEqual(spec, obj(old.spec))) errs.push(invalid(p, spec, 'field is immutable'));
  return errs;
}
