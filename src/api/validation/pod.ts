// Pod, PodSpec and pod template validation, with upstream's field paths and messages: containers,
// volumes and their mounts, ports, env, probes, resources, security contexts, scheduling fields,
// and the narrow set of changes a pod update may make.
import type { FieldError } from '../errors.js';
import type { KubeObject, ObjectMeta } from '../types.js';
import { isObject } from '../types.js';
import {
  arr, clone, deepEqual, describeDiff, duplicate, forbidden, has, invalid, IS_NEGATIVE_ERROR_MSG, nonNegative,
  notFound, notSupported, obj, required, str, validateAnnotations, validateLabelName, validateLabelSelector, validateLabels, type Obj,
} from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  inclusiveRangeError, ipErrors, isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isDNS1123SubdomainWithUnderscore,
  isHTTPHeaderName, isQualifiedName, isRelaxedEnvVarName, isValidGroupID, isValidPortName, isValidPortNum, isValidUserID,
  nameIsDNSSubdomain,
} from './names.js';
import { FieldPath } from './path.js';
import { addQuantities, compareQuantities, formatQuantity, isInteger, isNegative, parseQuantityExact, quantityError, type Quantity } from './quantity.js';
import { validateNodeSelector, validateNodeSelectorTerm, validateTolerations } from './placement.js';
import { hasBacksteps, pathNoBacksteps, validateCSIDriverName, validateHostPath, validatePersistentVolumeClaimSpec } from './volumes.js';


const MAX_INT32 = 2147483647;
const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

export interface PodValidationOptions {
  /** The spec belongs to a Pod, not a template inside another object. */
  resourceIsPod?: boolean;
}

// ---------------------------------------------------------------- helpers

function dns1123Label(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

function dns1123Subdomain(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => invalid(path, value, m));
}

function qualifiedName(value: string, path: FieldPath): FieldError[] {
  return isQualifiedName(value).map((m) => invalid(path, value, m));
}

function validIP(value: string, path: FieldPath): FieldError[] {
  return ipErrors(value).map((m) => invalid(path, value, m));
}

function localDescendingPath(p: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(path, p, 'must be a relative path'));
  return [...errs, ...pathNoBacksteps(p, path)];
}

function localNonReservedPath(p: string, path: FieldPath): FieldError[] {
  const errs = localDescendingPath(p, path);
  if (p.startsWith('..') && !p.startsWith('../')) errs.push(invalid(path, p, "must not start with '..'"));
  return errs;
}

function fileMode(mode: unknown, path: FieldPath): FieldError[] {
  return typeof mode === 'number' && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

/** A port given as number or IANA name (probes, Service targetPort). */
export function validatePortNumOrName(port: unknown, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return isValidPortNum(0).map((m) => invalid(path, 0, m));
}

// ---------------------------------------------------------------- resources

const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);

export const isHugePageResourceName = (name: string) => name.startsWith('hugepages-');
const isNativeResource = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}
/** CPU, memory and ephemeral storage may be overcommitted; hugepages and extended resources may not. */
export const isOvercommitAllowed = (name: string) => isNativeResource(name) && !isHugePageResourceName(name);
const isStandardResourceName = (name: string) => STANDARD_RESOURCES.has(name) || isHugePageResourceName(name) || name.startsWith('requests.hugepages-');
const isStandardContainerResourceName = (name: string) => ['cpu', 'memory', 'ephemeral-storage'].includes(name) || isHugePageResourceName(name);
const isIntegerResourceName = (name: string) => INTEGER_RESOURCES.has(name) || isExtendedResourceName(name);

export function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length > 0) return errs;
  if (name.split('/').length === 1 && !isStandardResourceName(name)) return [invalid(path, name, 'must be a standard resource type or fully qualified')];
  return [];
}

function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (name.split('/').length === 1) {
    if (!isStandardContainerResourceName(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function validatePodResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (errs.length > 0) return errs;
  if (!['cpu', 'memory'].includes(name) && !isHugePageResourceName(name)) return [notSupported(path, name, ['cpu', 'memory'])];
  return [];
}

/** Parses a quantity field, or reports it at path with upstream's parse error. */
export function quantityAt(value: unknown, path: FieldPath, errs: FieldError[]): Quantity | undefined {
  const err = quantityError(value);
  if (err) {
    errs.push(invalid(path, value ?? null, err));
    return undefined;
  }
  return parseQuantityExact(value as string);
}

/** Non-negative, and whole for resources counted in units (pods, extended resources). */
export function validateResourceQuantityValue(resource: string, q: Quantity, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (isNegative(q)) errs.push(invalid(path, formatQuantity(q), IS_NEGATIVE_ERROR_MSG));
  if (isIntegerResourceName(resource) && !isInteger(q)) errs.push(invalid(path, formatQuantity(q), 'must be an integer'));
  return errs;
}

function hugePageSize(name: string): Quantity | undefined {
  try {
    return parseQuantityExact(name.slice('hugepages-'.length));
  } catch {
    return undefined;
  }
}

function hugePageErrors(name: string, q: Quantity, path: FieldPath): FieldError[] {
  const size = hugePageSize(name);
  if (!size) return [];
  const exp = Math.min(q.exponent, size.exponent);
  const a = q.mantissa * 10n ** BigInt(q.exponent - exp);
  const b = size.mantissa * 10n ** BigInt(size.exponent - exp);
  if (b === 0n || a % b !== 0n || a < 0n) return [invalid(path, formatQuantity(q), `${formatQuantity(q)} is not positive integer multiple of ${name}`)];
  return [];
}

type ResourceNameFn = (name: string, path: FieldPath) => FieldError[];

export function validateResourceRequirements(requirements: unknown, path: FieldPath, nameFn: ResourceNameFn = validateContainerResourceName, podClaimNames?: Set<string>): FieldError[] {
  const r = obj(requirements);
  const errs: FieldError[] = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits = new Map<string, Quantity>();
  let limCpuMem = false;
  let reqCpuMem = false;
  let limHuge = false;
  let reqHuge = false;
  for (const [name, value] of Object.entries(obj(r.limits))) {
    const p = limPath.key(name);
    errs.push(...nameFn(name, p));
    const q = quantityAt(value, p, errs);
    if (!q) continue;
    limits.set(name, q);
    errs.push(...validateResourceQuantityValue(name, q, p));
    if (isHugePageResourceName(name)) {
      limHuge = true;
      errs.push(...hugePageErrors(name, q, p));
    }
    if (name === 'cpu' || name === 'memory') limCpuMem = true;
  }
  for (const [name, value] of Object.entries(obj(r.requests))) {
    const p = reqPath.key(name);
    errs.push(...nameFn(name, p));
    const q = quantityAt(value, p, errs);
    if (!q) continue;
    errs.push(...validateResourceQuantityValue(name, q, p));
    const limit = limits.get(name);
    if (limit) {
      const cmp = compareQuantities(q, limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      else if (cmp > 0) errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) {
      reqHuge = true;
      errs.push(...hugePageErrors(name, q, p));
    }
    if (name === 'cpu' || name === 'memory') reqCpuMem = true;
  }
  if (!limCpuMem && !reqCpuMem && (reqHuge || limHuge)) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  if (podClaimNames) {
    const seen = new Set<string>();
    arr(r.claims).forEach((c, i) => {
      const name = str(obj(c).name);
      const p = path.child('claims').index(i);
      if (!name) errs.push(required(p));
      else if (seen.has(name)) errs.push(duplicate(p, name));
      else {
        seen.add(name);
        if (!podClaimNames.has(name)) {
          const e = notFound(p, name);
          e.detail = `must be one of the names in pod.spec.resourceClaims${podClaimNames.size === 0 ? ' which is empty' : `: ${[...podClaimNames].sort().join(', ')}`}`;
          errs.push(e);
        }
      }
    });
  }
  return errs;
}

// ---------------------------------------------------------------- volumes

const VOLUME_SOURCES: Array<[key: string, forbiddenName: string]> = [
  ['emptyDir', 'emptyDir'], ['hostPath', 'hostPath'], ['gitRepo', 'gitRepo'], ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'], ['secret', 'secret'], ['nfs', 'nfs'], ['iscsi', 'iscsi'], ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'], ['persistentVolumeClaim', 'persistentVolumeClaim'], ['rbd', 'rbd'], ['cinder', 'cinder'], ['cephfs', 'cephFS'],
  ['quobyte', 'quobyte'], ['downwardAPI', 'downwarAPI'], ['fc', 'fc'], ['flexVolume', 'flexVolume'], ['configMap', 'configMap'],
  ['azureFile', 'azureFile'], ['vsphereVolume', 'vsphereVolume'], ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'], ['azureDisk', 'azureDisk'], ['storageos', 'storageos'], ['projected', 'projected'],
  ['scaleIO', 'scaleIO'], ['csi', 'csi'], ['ephemeral', 'ephemeral'], ['image', 'image'],
];

/** Sources whose only checks are required fields; the path child is what upstream reports. */
const REQUIRED_SOURCE_FIELDS: Record<string, { child: string; fields: string[] }> = {
  gcePersistentDisk: { child: 'persistentDisk', fields: ['pdName'] },
  awsElasticBlockStore: { child: 'awsElasticBlockStore', fields: ['volumeID'] },
  iscsi: { child: 'iscsi', fields: ['targetPortal', 'iqn'] },
  glusterfs: { child: 'glusterfs', fields: ['endpoints', 'path'] },
  rbd: { child: 'rbd', fields: ['monitors', 'image'] },
  cinder: { child: 'cinder', fields: ['volumeID'] },
  cephfs: { child: 'cephfs', fields: ['monitors'] },
  quobyte: { child: 'quobyte', fields: ['volume'] },
  flexVolume: { child: 'flexVolume', fields: ['driver'] },
  azureFile: { child: 'azureFile', fields: ['secretName', 'shareName'] },
  vsphereVolume: { child: 'vsphereVolume', fields: ['volumePath'] },
  photonPersistentDisk: { child: 'photonPersistentDisk', fields: ['pdID'] },
  portworxVolume: { child: 'portworxVolume', fields: ['volumeID'] },
  azureDisk: { child: 'azureDisk', fields: ['diskName', 'diskURI'] },
  scaleIO: { child: 'scaleIO', fields: ['gateway', 'system', 'volumeName'] },
  storageos: { child: 'storageos', fields: ['volumeName'] },
};

const VOLUME_DOWNWARD_FIELDS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const ENV_DOWNWARD_FIELDS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const CONVERTIBLE_FIELD_LABELS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy',
  'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', 'spec.host',
]);
const CONTAINER_RESOURCE_FIELDS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

function validateKeyToPath(kp: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp.key) errs.push(required(path.child('key')));
  if (!kp.path) errs.push(required(path.child('path')));
  errs.push(...localNonReservedPath(str(kp.path), path.child('path')));
  errs.push(...fileMode(kp.mode, path.child('mode')));
  return errs;
}

function validateObjectFieldSelector(fs: Obj, expressions: string[], path: FieldPath): FieldError[] {
  if (!fs.apiVersion) return [required(path.child('apiVersion'))];
  if (!fs.fieldPath) return [required(path.child('fieldPath'))];
  const fp = str(fs.fieldPath);
  if (fs.apiVersion !== 'v1') return [invalid(path.child('fieldPath'), fp, `error converting fieldPath: unsupported pod version: ${fs.apiVersion}`)];
  const sub = /^([^[]+)\['(.*)'\]$/.exec(fp);
  if (sub) {
    if (sub[1] === 'metadata.annotations') return qualifiedName(sub[2].toLowerCase(), path);
    if (sub[1] === 'metadata.labels') return qualifiedName(sub[2], path);
    return [invalid(path.child('fieldPath'), fp, `error converting fieldPath: field label does not support subscript: ${fp}`)];
  }
  if (!CONVERTIBLE_FIELD_LABELS.has(fp)) return [invalid(path.child('fieldPath'), fp, `error converting fieldPath: field label not supported: ${fp}`)];
  const internal = fp === 'spec.host' ? 'spec.nodeName' : fp;
  if (!expressions.includes(internal)) return [notSupported(path.child('fieldPath'), internal, expressions)];
  return [];
}

function validateResourceFieldSelector(fs: Obj, path: FieldPath, volume: boolean): FieldError[] {
  const resource = str(fs.resource);
  if (volume && !fs.containerName) return [required(path.child('containerName'))];
  if (!resource) return [required(path.child('resource'))];
  if (!CONTAINER_RESOURCE_FIELDS.includes(resource) && !resource.startsWith('requests.hugepages-') && !resource.startsWith('limits.hugepages-')) {
    return [notSupported(path.child('resource'), resource, CONTAINER_RESOURCE_FIELDS)];
  }
  return [];
}

function validateDownwardAPIFile(file: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!file.path) errs.push(required(path.child('path')));
  errs.push(...localNonReservedPath(str(file.path), path.child('path')));
  if (isObject(file.fieldRef)) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, VOLUME_DOWNWARD_FIELDS, path.child('fieldRef')));
    if (isObject(file.resourceFieldRef)) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (isObject(file.resourceFieldRef)) {
    errs.push(...validateResourceFieldSelector(file.resourceFieldRef, path.child('resourceFieldRef'), true));
  } else {
    errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...fileMode(file.mode, path.child('mode')));
  return errs;
}

function validateProjected(src: Obj, path: FieldPath): FieldError[] {
  const errs = fileMode(src.defaultMode, path.child('defaultMode'));
  const allPaths = new Set<string>();
  const claimPath = (p: string, reportValue: unknown) => {
    if (!p) return;
    if (allPaths.has(p)) errs.push(invalid(path, reportValue, 'conflicting duplicate paths'));
    else allPaths.add(p);
  };
  arr(src.sources).forEach((raw, i) => {
    const source = obj(raw);
    const srcPath = path.child('sources').index(i);
    let count = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      if (!isObject(source[kind])) continue;
      count++;
      const s = source[kind];
      if (!s.name) errs.push(required(srcPath.child(kind, 'name')));
      arr(s.items).forEach((kp, j) => {
        errs.push(...validateKeyToPath(obj(kp), srcPath.child(kind, 'items').index(j)));
        claimPath(str(obj(kp).path), s.name ?? '');
      });
    }
    if (isObject(source.downwardAPI)) {
      count++;
      for (const f of arr(source.downwardAPI.items)) {
        errs.push(...validateDownwardAPIFile(obj(f), srcPath.child('downwardAPI')));
        claimPath(str(obj(f).path), str(obj(f).path));
      }
    }
    if (isObject(source.serviceAccountToken)) {
      count++;
      const t = source.serviceAccountToken;
      const exp = typeof t.expirationSeconds === 'number' ? t.expirationSeconds : 0;
      if (exp < 600) errs.push(invalid(srcPath.child('serviceAccountToken', 'expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(invalid(srcPath.child('serviceAccountToken', 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!t.path) errs.push(required(path.child('path')));
      else errs.push(...localNonReservedPath(str(t.path), path.child('path')));
    }
    if (isObject(source.clusterTrustBundle)) {
      count++;
      const b = source.clusterTrustBundle;
      const bp = srcPath.child('clusterTrustBundle');
      if (has(b, 'name') && has(b, 'signerName')) errs.push(invalid(bp, b, 'only one of name and signerName may be used'));
      else if (!has(b, 'name') && !has(b, 'signerName')) errs.push(required(bp, 'either name or signerName must be specified'));
      if (!b.path) errs.push(required(bp.child('path')));
      errs.push(...localNonReservedPath(str(b.path), bp.child('path')));
      claimPath(str(b.path), str(b.path));
    }
    if (count > 1) errs.push(forbidden(srcPath, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function validateVolumeSource(vol: Obj, path: FieldPath, podMeta: ObjectMeta | undefined, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const [key, forbiddenName] of VOLUME_SOURCES) {
    if (!isObject(vol[key])) continue;
    if (count > 0) {
      errs.push(forbidden(path.child(forbiddenName), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...validateSingleSource(key, vol[key], path, vol, podMeta, opts));
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

function validateSingleSource(key: string, src: Obj, path: FieldPath, vol: Obj, podMeta: ObjectMeta | undefined, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const p = path.child(key);
  switch (key) {
    case 'emptyDir':
      if (has(src, 'sizeLimit')) {
        const q = quantityAt(src.sizeLimit, p.child('sizeLimit'), errs);
        if (q && isNegative(q)) errs.push(forbidden(p.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
      }
      break;
    case 'hostPath':
      errs.push(...validateHostPath(src, p));
      break;
    case 'gitRepo':
      if (!src.repository) errs.push(required(p.child('repository')));
      errs.push(...localDescendingPath(str(src.directory), p.child('directory')));
      break;
    case 'secret':
      if (!src.secretName) errs.push(required(p.child('secretName')));
      errs.push(...fileMode(src.defaultMode, p.child('defaultMode')));
      arr(src.items).forEach((kp, i) => errs.push(...validateKeyToPath(obj(kp), p.child('items').index(i))));
      break;
    case 'configMap':
      if (!src.name) errs.push(required(p.child('name')));
      errs.push(...fileMode(src.defaultMode, p.child('defaultMode')));
      arr(src.items).forEach((kp, i) => errs.push(...validateKeyToPath(obj(kp), p.child('items').index(i))));
      break;
    case 'persistentVolumeClaim':
      if (!src.claimName) errs.push(required(p.child('claimName')));
      break;
    case 'nfs':
      if (!src.server) errs.push(required(p.child('server')));
      if (!src.path) errs.push(required(p.child('path')));
      if (!str(src.path).startsWith('/')) errs.push(invalid(p.child('path'), str(src.path), 'must be an absolute path'));
      break;
    case 'downwardAPI':
      errs.push(...fileMode(src.defaultMode, p.child('defaultMode')));
      for (const f of arr(src.items)) errs.push(...validateDownwardAPIFile(obj(f), p));
      break;
    case 'projected':
      errs.push(...validateProjected(src, p));
      break;
    case 'csi':
      errs.push(...validateCSIDriverName(str(src.driver), p.child('driver')));
      if (isObject(src.nodePublishSecretRef)) {
        if (!src.nodePublishSecretRef.name) errs.push(required(p.child('nodePublishSecretRef', 'name')));
        else errs.push(...dns1123Subdomain(str(src.nodePublishSecretRef.name), p.child('name')));
      }
      break;
    case 'ephemeral':
      if (!isObject(src.volumeClaimTemplate)) {
        errs.push(required(p.child('volumeClaimTemplate')));
      } else {
        const t = src.volumeClaimTemplate;
        const tp = p.child('volumeClaimTemplate');
        errs.push(...validateAnnotations(obj(t.metadata).annotations, tp.child('metadata', 'annotations')));
        errs.push(...validateLabels(obj(t.metadata).labels, tp.child('metadata', 'labels')));
        for (const k of Object.keys(obj(t.metadata))) {
          if (k !== 'labels' && k !== 'annotations') errs.push(forbidden(tp.child('metadata', k), 'cannot be set'));
        }
        errs.push(...validatePersistentVolumeClaimSpec(obj(t.spec), tp.child('spec')));
        const podName = str(podMeta?.name);
        if (podName && vol.name) {
          const pvcName = `${podName}-${vol.name}`;
          for (const m of isDNS1123Subdomain(pvcName)) errs.push(invalid(p.child('name'), vol.name, `PVC name "${pvcName}": ${m}`));
        }
      }
      break;
    case 'image':
      if (opts.resourceIsPod && !src.reference) errs.push(required(p.child('reference')));
      if (has(src, 'pullPolicy')) errs.push(...validatePullPolicy(src.pullPolicy, p.child('pullPolicy')));
      break;
    default: {
      const spec = REQUIRED_SOURCE_FIELDS[key];
      if (spec) for (const f of spec.fields) if (!has(src, f) || (Array.isArray(src[f]) && src[f].length === 0) || src[f] === '') errs.push(required(path.child(spec.child, f)));
    }
  }
  return errs;
}

/** Validates spec.volumes; returns the names of the volumes that are valid, which mounts may refer to. */
function validateVolumes(volumes: unknown, path: FieldPath, podMeta: ObjectMeta | undefined, opts: PodValidationOptions): { names: Map<string, Obj>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const names = new Map<string, Obj>();
  const createdPVCs = new Set<string>();
  if (podMeta?.name) for (const v of arr(volumes)) if (isObject(obj(v).ephemeral)) createdPVCs.add(`${podMeta.name}-${obj(v).name}`);
  arr(volumes).forEach((raw, i) => {
    const vol = obj(raw);
    const p = path.index(i);
    const name = str(vol.name);
    const el = validateVolumeSource(vol, p, podMeta, opts);
    if (!name) el.push(required(p.child('name')));
    else el.push(...dns1123Label(name, p.child('name')));
    if (names.has(name)) el.push(duplicate(p.child('name'), name));
    if (el.length === 0) names.set(name, vol);
    else errs.push(...el);
    const claim = str(obj(vol.persistentVolumeClaim).claimName);
    if (claim && createdPVCs.has(claim)) errs.push(invalid(p.child('persistentVolumeClaim', 'claimName'), claim, 'must not reference a PVC that gets created for an ephemeral volume'));
  });
  return { names, errs };
}

// ---------------------------------------------------------------- containers

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateContainerPorts(ports: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((raw, i) => {
    const port = obj(raw);
    const p = path.index(i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(p.child('name'), name, m)));
      else if (names.has(name)) errs.push(duplicate(p.child('name'), name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(required(p.child('containerPort')));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => invalid(p.child('containerPort'), port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => invalid(p.child('hostPort'), port.hostPort, m)));
    if (!port.protocol) errs.push(required(p.child('protocol')));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, PROTOCOLS));
  });
  return errs;
}

function validateEnv(vars: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(vars).forEach((raw, i) => {
    const ev = obj(raw);
    const p = path.index(i);
    const name = str(ev.name);
    if (!name) errs.push(required(p.child('name')));
    else errs.push(...isRelaxedEnvVarName(name).map((m) => invalid(p.child('name'), name, m)));
    errs.push(...validateEnvVarValueFrom(ev, p.child('valueFrom')));
  });
  return errs;
}

function validateEnvVarValueFrom(ev: Obj, path: FieldPath): FieldError[] {
  if (!isObject(ev.valueFrom)) return [];
  const vf = ev.valueFrom;
  const errs: FieldError[] = [];
  let count = 0;
  if (isObject(vf.fieldRef)) {
    count++;
    errs.push(...validateObjectFieldSelector(vf.fieldRef, ENV_DOWNWARD_FIELDS, path.child('fieldRef')));
  }
  if (isObject(vf.resourceFieldRef)) {
    count++;
    errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, path.child('resourceFieldRef'), false));
  }
  for (const kind of ['configMapKeyRef', 'secretKeyRef'] as const) {
    if (!isObject(vf[kind])) continue;
    count++;
    const s = vf[kind];
    errs.push(...nameIsDNSSubdomain(str(s.name), false).map((m) => invalid(path.child(kind, 'name'), str(s.name), m)));
    if (!s.key) errs.push(required(path.child(kind, 'key')));
    else errs.push(...isConfigMapKey(str(s.key)).map((m) => invalid(path.child(kind, 'key'), s.key, m)));
  }
  if (isObject(vf.fileKeyRef)) count++;
  if (count === 0) errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (str(ev.value).length !== 0) errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (count > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  return errs;
}

function validateEnvFrom(vars: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(vars).forEach((raw, i) => {
    const ev = obj(raw);
    const p = path.index(i);
    if (ev.prefix) errs.push(...isRelaxedEnvVarName(str(ev.prefix)).map((m) => invalid(p.child('prefix'), ev.prefix, m)));
    let count = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      if (!isObject(ev[kind])) continue;
      count++;
      const name = str(ev[kind].name);
      if (!name) errs.push(required(p.child(kind, 'name')));
      else errs.push(...nameIsDNSSubdomain(name, true).map((m) => invalid(p.child(kind, 'name'), name, m)));
    }
    if (count === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (count > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, devices: Map<string, string>, volumes: Map<string, Obj>, container: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  const devicePaths = new Set(devices.values());
  arr(mounts).forEach((raw, i) => {
    const m = obj(raw);
    const p = path.index(i);
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (!name) errs.push(required(p.child('name')));
    if (!volumes.has(name)) errs.push(notFound(p.child('name'), name));
    if (!mountPath) errs.push(required(p.child('mountPath')));
    if (mountPoints.has(mountPath)) errs.push(invalid(p.child('mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    if (devices.has(name)) errs.push(invalid(p.child('name'), name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mountPath)) errs.push(invalid(p.child('mountPath'), mountPath, 'must not already exist as a path in volumeDevices'));
    if (isObject(volumes.get(name)?.image)) {
      if (m.subPath) errs.push(invalid(p.child('subPath'), m.subPath, 'not allowed in image volume sources'));
      if (m.subPathExpr) errs.push(invalid(p.child('subPathExpr'), m.subPathExpr, 'not allowed in image volume sources'));
    }
    if (m.subPath) errs.push(...localDescendingPath(str(m.subPath), path.child('subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalid(p.child('subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...localDescendingPath(str(m.subPathExpr), path.child('subPathExpr')));
    }
    if (has(m, 'mountPropagation')) {
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      if (!supported.includes(m.mountPropagation)) errs.push(notSupported(path.child('mountPropagation'), m.mountPropagation, supported));
      const privileged = obj(container.securityContext).privileged === true;
      if (m.mountPropagation === 'Bidirectional' && !privileged) errs.push(forbidden(path.child('mountPropagation'), 'Bidirectional mount propagation is available only to privileged containers'));
    }
    if (has(m, 'recursiveReadOnly')) {
      const rro = m.recursiveReadOnly;
      if (rro === 'Enabled' || rro === 'IfPossible') {
        if (!m.readOnly) errs.push(forbidden(path.child('recursiveReadOnly'), 'may only be specified when readOnly is true'));
        if (has(m, 'mountPropagation') && m.mountPropagation !== 'None') errs.push(forbidden(path.child('recursiveReadOnly'), 'may only be specified when mountPropagation is None or not specified'));
      } else if (rro !== 'Disabled') {
        errs.push(notSupported(path.child('recursiveReadOnly'), rro, ['Disabled', 'Enabled', 'IfPossible']));
      }
    }
  });
  return errs;
}

function validateVolumeDevices(devices: unknown, mounts: Map<string, string>, volumes: Map<string, Obj>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  const names = new Set<string>();
  const mountPaths = new Set(mounts.values());
  arr(devices).forEach((raw, i) => {
    const d = obj(raw);
    const p = path.index(i);
    const name = str(d.name);
    const devicePath = str(d.devicePath);
    const vol = volumes.get(name);
    if (!name) errs.push(required(p.child('name')));
    if (names.has(name)) errs.push(invalid(p.child('name'), name, 'must be unique'));
    if (vol && !isObject(vol.persistentVolumeClaim) && !isObject(vol.ephemeral)) errs.push(invalid(p.child('name'), name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    if (!vol) errs.push(notFound(p.child('name'), name));
    if (!devicePath) errs.push(required(p.child('devicePath')));
    if (paths.has(devicePath)) errs.push(invalid(p.child('devicePath'), devicePath, 'must be unique'));
    if (devicePath && hasBacksteps(devicePath)) errs.push(invalid(p.child('devicePath'), devicePath, "can not contain backsteps ('..')"));
    else paths.add(devicePath);
    if (mounts.has(name)) errs.push(invalid(p.child('name'), name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(devicePath)) errs.push(invalid(p.child('devicePath'), devicePath, 'must not already exist as a path in volumeMounts'));
    if (name) names.add(name);
  });
  return errs;
}

function validatePullPolicy(policy: unknown, path: FieldPath): FieldError[] {
  const supported = ['Always', 'IfNotPresent', 'Never'];
  if (!policy) return [required(path)];
  return supported.includes(policy as string) ? [] : [notSupported(path, policy, supported)];
}

function validateHandler(handler: Obj, gracePeriod: number | undefined, path: FieldPath, allowSleep: boolean): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  const kinds = allowSleep ? ['exec', 'httpGet', 'tcpSocket', 'sleep'] : ['exec', 'httpGet', 'tcpSocket', 'grpc'];
  for (const kind of kinds) {
    if (!isObject(handler[kind])) continue;
    const h = handler[kind];
    const p = path.child(kind);
    if (count > 0) {
      errs.push(forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    switch (kind) {
      case 'exec':
        if (arr(h.command).length === 0) errs.push(required(p.child('command')));
        break;
      case 'httpGet':
        if (!h.path) errs.push(required(p.child('path')));
        errs.push(...validatePortNumOrName(h.port, p.child('port')));
        if (!['HTTP', 'HTTPS'].includes(h.scheme)) errs.push(notSupported(p.child('scheme'), h.scheme ?? '', ['HTTP', 'HTTPS']));
        for (const header of arr(h.httpHeaders)) errs.push(...isHTTPHeaderName(str(obj(header).name)).map((m) => invalid(p.child('httpHeaders'), obj(header).name, m)));
        break;
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(h.port, p.child('port')));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(typeof h.port === 'number' ? h.port : 0, p.child('port')));
        break;
      case 'sleep': {
        const seconds = typeof h.seconds === 'number' ? h.seconds : 0;
        if (gracePeriod !== undefined && (seconds < 0 || seconds > gracePeriod)) {
          errs.push(invalid(p, seconds, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`));
        }
        break;
      }
    }
  }
  if (count === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: unknown, gracePeriod: number | undefined, path: FieldPath, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!isObject(probe)) return [];
  const errs = validateHandler(probe, gracePeriod, path, false);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) errs.push(...nonNegative(probe[f], path.child(f)));
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (kind !== 'readiness' && (probe.successThreshold ?? 0) !== 1) errs.push(invalid(path.child('successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  if (kind === 'readiness' && has(probe, 'terminationGracePeriodSeconds')) errs.push(invalid(path.child('terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  return errs;
}

function validateLifecycle(lifecycle: Obj, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    if (isObject(lifecycle[hook])) errs.push(...validateHandler(lifecycle[hook], gracePeriod, path.child(hook), true));
  }
  if (has(lifecycle, 'stopSignal')) {
    // Upstream only accepts stopSignal when the pod declares its OS; the signal names are POSIX ones.
    if (!/^SIG[A-Z0-9+-]+$/.test(str(lifecycle.stopSignal))) errs.push(notSupported(path.child('stopSignal'), lifecycle.stopSignal, ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']));
  }
  return errs;
}

function validateResizePolicy(policies: unknown, path: FieldPath, podRestartPolicy: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(policies).forEach((raw, i) => {
    const pol = obj(raw);
    if (seen.has(pol.resourceName)) errs.push(duplicate(path.index(i), pol.resourceName));
    seen.add(pol.resourceName);
    if (!pol.resourceName) errs.push(required(path));
    else if (!['cpu', 'memory'].includes(pol.resourceName)) errs.push(notSupported(path, pol.resourceName, ['cpu', 'memory']));
    if (!pol.restartPolicy) errs.push(required(path));
    else if (!['NotRequired', 'RestartContainer'].includes(pol.restartPolicy)) errs.push(notSupported(path, pol.restartPolicy, ['NotRequired', 'RestartContainer']));
    if (podRestartPolicy === 'Never' && pol.restartPolicy !== 'NotRequired') errs.push(invalid(path, pol.restartPolicy ?? '', "must be 'NotRequired' when `restartPolicy` is 'Never'"));
  });
  return errs;
}

function validateSeccompProfile(sp: unknown, path: FieldPath): FieldError[] {
  if (!isObject(sp)) return [];
  const errs: FieldError[] = [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!sp.type) errs.push(required(path.child('type'), 'type is required when seccompProfile is set'));
  else if (!types.includes(sp.type)) errs.push(notSupported(path.child('type'), sp.type, types));
  if (sp.type === 'Localhost') {
    if (!has(sp, 'localhostProfile')) errs.push(required(path.child('localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...localDescendingPath(str(sp.localhostProfile), path.child('localhostProfile')));
  } else if (has(sp, 'localhostProfile')) {
    errs.push(invalid(path.child('localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

function validateAppArmorProfile(profile: unknown, path: FieldPath): FieldError[] {
  if (!isObject(profile)) return [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  switch (profile.type) {
    case 'Localhost': {
      if (!has(profile, 'localhostProfile')) return [required(path.child('localhostProfile'), 'must be set when AppArmor type is Localhost')];
      const lp = str(profile.localhostProfile);
      if (lp.trim() !== lp) return [invalid(path.child('localhostProfile'), lp, 'must not be padded with whitespace')];
      if (lp === '') return [required(path.child('localhostProfile'), 'must be set when AppArmor type is Localhost')];
      return [];
    }
    case 'RuntimeDefault':
    case 'Unconfined':
      return has(profile, 'localhostProfile') ? [invalid(path.child('localhostProfile'), profile.localhostProfile, 'can only be set when AppArmor type is Localhost')] : [];
    case undefined:
    case '':
      return [required(path.child('type'), 'type is required when appArmorProfile is set')];
    default:
      return [notSupported(path.child('type'), profile.type, types)];
  }
}

function validateSecurityContext(sc: unknown, path: FieldPath, hostUsers: boolean): FieldError[] {
  if (!isObject(sc)) return [];
  const errs: FieldError[] = [];
  if (typeof sc.runAsUser === 'number') errs.push(...isValidUserID(sc.runAsUser).map((m) => invalid(path.child('runAsUser'), sc.runAsUser, m)));
  if (typeof sc.runAsGroup === 'number') errs.push(...isValidGroupID(sc.runAsGroup).map((m) => invalid(path.child('runAsGroup'), sc.runAsGroup, m)));
  if (has(sc, 'procMount')) {
    if (!['Default', 'Unmasked'].includes(sc.procMount)) errs.push(notSupported(path.child('procMount'), sc.procMount, ['Default', 'Unmasked']));
    if (hostUsers && sc.procMount === 'Unmasked') errs.push(invalid(path.child('procMount'), sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    for (const cap of arr(obj(sc.capabilities).add)) {
      if (cap === 'CAP_SYS_ADMIN') errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child('appArmorProfile')));
  return errs;
}

/** Checks shared by regular, init and ephemeral containers. */
function validateContainerCommon(c: Obj, volumes: Map<string, Obj>, podClaimNames: Set<string>, path: FieldPath, restartPolicy: string, hostUsers: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(required(path.child('name')));
  else errs.push(...dns1123Label(name, path.child('name')));
  if (!c.image) errs.push(required(path.child('image')));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(required(path.child('terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(notSupported(path.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  const mounts = new Map(arr(c.volumeMounts).map((m) => [str(obj(m).name), str(obj(m).mountPath)] as [string, string]));
  const devices = new Map(arr(c.volumeDevices).map((d) => [str(obj(d).name), str(obj(d).devicePath)] as [string, string]));
  errs.push(...validateContainerPorts(c.ports, path.child('ports')));
  errs.push(...validateEnv(c.env, path.child('env')));
  errs.push(...validateEnvFrom(c.envFrom, path.child('envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, devices, volumes, c, path.child('volumeMounts')));
  errs.push(...validateVolumeDevices(c.volumeDevices, mounts, volumes, path.child('volumeDevices')));
  errs.push(...validatePullPolicy(c.imagePullPolicy, path.child('imagePullPolicy')));
  errs.push(...validateResourceRequirements(c.resources, path.child('resources'), validateContainerResourceName, podClaimNames));
  errs.push(...validateResizePolicy(c.resizePolicy, path.child('resizePolicy'), restartPolicy));
  errs.push(...validateSecurityContext(c.securityContext, path.child('securityContext'), hostUsers));
  return errs;
}

function hostPortConflicts(containers: Obj[], path: FieldPath, seen = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    arr(c.ports).forEach((raw, pi) => {
      const port = obj(raw);
      if (!port.hostPort) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

function validateContainers(containers: Obj[], volumes: Map<string, Obj>, claims: Set<string>, gracePeriod: number | undefined, path: FieldPath, restartPolicy: string, hostUsers: boolean): FieldError[] {
  if (containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, volumes, claims, p, restartPolicy, hostUsers));
    if (names.has(str(c.name))) errs.push(duplicate(p.child('name'), str(c.name)));
    else names.add(str(c.name));
    if (isObject(c.lifecycle)) errs.push(...validateLifecycle(c.lifecycle, gracePeriod, p.child('lifecycle')));
    errs.push(...validateProbe(c.livenessProbe, gracePeriod, p.child('livenessProbe'), 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, gracePeriod, p.child('readinessProbe'), 'readiness'));
    errs.push(...validateProbe(c.startupProbe, gracePeriod, p.child('startupProbe'), 'startup'));
    if (has(c, 'restartPolicy')) errs.push(forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(containers, path));
  return errs;
}

function validateInitContainers(inits: Obj[], regular: Obj[], volumes: Map<string, Obj>, claims: Set<string>, gracePeriod: number | undefined, path: FieldPath, restartPolicy: string, hostUsers: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(regular.map((c) => str(c.name)));
  inits.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, volumes, claims, p, restartPolicy, hostUsers));
    let restartAlways = false;
    if (has(c, 'restartPolicy')) {
      if (c.restartPolicy !== 'Always') errs.push(notSupported(p.child('restartPolicy'), c.restartPolicy, ['Always']));
      restartAlways = c.restartPolicy === 'Always';
    }
    if (names.has(str(c.name))) errs.push(duplicate(p.child('name'), str(c.name)));
    else if (c.name) names.add(str(c.name));
    errs.push(...hostPortConflicts([c], path));
    if (restartAlways) {
      if (isObject(c.lifecycle)) errs.push(...validateLifecycle(c.lifecycle, gracePeriod, p.child('lifecycle')));
      errs.push(...validateProbe(c.livenessProbe, gracePeriod, p.child('livenessProbe'), 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, gracePeriod, p.child('readinessProbe'), 'readiness'));
      errs.push(...validateProbe(c.startupProbe, gracePeriod, p.child('startupProbe'), 'startup'));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (has(c, f)) errs.push(forbidden(p.child(f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

const EPHEMERAL_ALLOWED = new Set(['name', 'image', 'command', 'args', 'workingDir', 'envFrom', 'env', 'volumeMounts', 'volumeDevices', 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty', 'targetContainerName']);

function validateEphemeralContainers(ephemeral: Obj[], regular: Obj[], inits: Obj[], volumes: Map<string, Obj>, claims: Set<string>, path: FieldPath, restartPolicy: string, hostUsers: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const others = new Set([...regular, ...inits].map((c) => str(c.name)));
  const all = new Set(others);
  ephemeral.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, volumes, claims, p, restartPolicy, hostUsers));
    errs.push(...imageWhitespace(c, p));
    if (all.has(str(c.name))) errs.push(duplicate(p.child('name'), str(c.name)));
    else all.add(str(c.name));
    if (c.targetContainerName && !others.has(c.targetContainerName)) errs.push(notFound(p.child('targetContainerName'), c.targetContainerName));
    for (const [k, v] of Object.entries(c)) {
      if (!EPHEMERAL_ALLOWED.has(k) && v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(isObject(v) && Object.keys(v).length === 0)) {
        errs.push(forbidden(p.child(k), 'cannot be set for an Ephemeral Container'));
      }
    }
    arr(c.volumeMounts).forEach((m, j) => {
      if (obj(m).subPath) errs.push(forbidden(p.child('volumeMounts').index(j).child('subPath'), 'cannot be set for an Ephemeral Container'));
      if (obj(m).subPathExpr) errs.push(forbidden(p.child('volumeMounts').index(j).child('subPathExpr'), 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}

function imageWhitespace(c: Obj, path: FieldPath): FieldError[] {
  const image = str(c.image);
  return image.length !== image.trim().length ? [invalid(path.child('image'), image, 'must not have leading or trailing whitespace')] : [];
}

// ---------------------------------------------------------------- scheduling

function validatePodAffinityTerm(term: Obj, path: FieldPath): FieldError[] {
  const errs = [...validateLabelSelector(term.labelSelector, path.child('labelSelector')), ...validateLabelSelector(term.namespaceSelector, path.child('namespaceSelector'))];
  for (const ns of arr(term.namespaces)) errs.push(...isDNS1123Label(String(ns)).map((m) => invalid(path.child('namespace'), ns, m)));
  for (const key of ['matchLabelKeys', 'mismatchLabelKeys']) {
    const keys = arr(term[key]);
    if (keys.length === 0) continue;
    if (!isObject(term.labelSelector)) errs.push(forbidden(path.child(key), 'must not be specified when labelSelector is not set'));
    else keys.forEach((k, i) => errs.push(...validateLabelName(String(k), path.child(key).index(i))));
  }
  const mismatch = new Set(arr(term.mismatchLabelKeys));
  arr(term.matchLabelKeys).forEach((k, i) => {
    if (mismatch.has(k)) errs.push(invalid(path.child('matchLabelKeys').index(i), k, 'exists in both matchLabelKeys and mismatchLabelKeys'));
  });
  if (!term.topologyKey) errs.push(required(path.child('topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(str(term.topologyKey), path.child('topologyKey')));
  return errs;
}

function validatePodAffinityKind(a: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(a.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => errs.push(...validatePodAffinityTerm(obj(t), path.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))));
  arr(a.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
    const w = obj(t);
    const p = path.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
    if (!(w.weight > 0 && w.weight <= 100)) errs.push(invalid(p.child('weight'), w.weight ?? 0, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(obj(w.podAffinityTerm), p.child('podAffinityTerm')));
  });
  return errs;
}

function validateAffinity(affinity: unknown, path: FieldPath): FieldError[] {
  if (!isObject(affinity)) return [];
  const errs: FieldError[] = [];
  if (isObject(affinity.nodeAffinity)) {
    const na = affinity.nodeAffinity;
    const p = path.child('nodeAffinity');
    if (isObject(na.requiredDuringSchedulingIgnoredDuringExecution)) errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, p.child('requiredDuringSchedulingIgnoredDuringExecution')));
    arr(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      const term = obj(t);
      const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      if (!(term.weight > 0 && term.weight <= 100)) errs.push(invalid(tp.child('weight'), term.weight ?? 0, 'must be in the range 1-100'));
      errs.push(...validateNodeSelectorTerm(obj(term.preference), tp.child('preference'), true));
    });
  }
  if (isObject(affinity.podAffinity)) errs.push(...validatePodAffinityKind(affinity.podAffinity, path.child('podAffinity')));
  if (isObject(affinity.podAntiAffinity)) errs.push(...validatePodAffinityKind(affinity.podAntiAffinity, path.child('podAntiAffinity')));
  return errs;
}

function validateTopologySpreadConstraints(constraints: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr(constraints).map(obj);
  list.forEach((c, i) => {
    const p = path.index(i);
    if (!(typeof c.maxSkew === 'number' && c.maxSkew > 0)) errs.push(invalid(p.child('maxSkew'), c.maxSkew ?? 0, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(p.child('topologyKey'), 'can not be empty'));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c.whenUnsatisfiable)) errs.push(notSupported(p.child('whenUnsatisfiable'), c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    if (list.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(duplicate(p.child('{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey ?? ''}, ${c.whenUnsatisfiable ?? ''}}`));
    }
    if (has(c, 'minDomains')) {
      if (!(c.minDomains > 0)) errs.push(invalid(p.child('minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') errs.push(invalid(p.child('minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable ?? ''}`));
    }
    for (const policy of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (has(c, policy) && !['Honor', 'Ignore'].includes(c[policy])) errs.push(notSupported(p.child(policy), c[policy], ['Honor', 'Ignore']));
    }
    const keys = arr(c.matchLabelKeys);
    if (keys.length > 0) {
      if (!isObject(c.labelSelector)) errs.push(forbidden(p.child('matchLabelKeys'), 'must not be specified when labelSelector is not set'));
      const selectorKeys = new Set([...Object.keys(obj(obj(c.labelSelector).matchLabels)), ...arr(obj(c.labelSelector).matchExpressions).map((e) => obj(e).key)]);
      keys.forEach((k, j) => {
        errs.push(...validateLabelName(String(k), p.child('matchLabelKeys').index(j)));
        if (selectorKeys.has(k)) errs.push(invalid(p.child('matchLabelKeys').index(j), k, 'exists in both matchLabelKeys and labelSelector'));
      });
    }
    errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  return errs;
}

function validateDNSConfig(config: unknown, dnsPolicy: string, path: FieldPath): FieldError[] {
  if (dnsPolicy === 'None') {
    if (!isObject(config)) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(config.nameservers).length === 0) return [required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!isObject(config)) return [];
  const errs: FieldError[] = [];
  const nameservers = arr(config.nameservers);
  if (nameservers.length > 3) errs.push(invalid(path.child('nameservers'), nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => errs.push(...validIP(String(ns), path.child('nameservers').index(i))));
  const searches = arr(config.searches).map(String);
  if (searches.length > 32) errs.push(invalid(path.child('searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(invalid(path.child('searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    if (s === '.') return;
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...isDNS1123SubdomainWithUnderscore(trimmed).map((m) => invalid(path.child('searches').index(i), trimmed, m)));
  });
  arr(config.options).forEach((o, i) => {
    if (!obj(o).name) errs.push(required(path.child('options').index(i), 'must not be empty'));
  });
  return errs;
}

function validatePodSecurityContext(spec: Obj, path: FieldPath): FieldError[] {
  const sc = spec.securityContext;
  if (!isObject(sc)) return [];
  const errs: FieldError[] = [];
  for (const [f, check] of [['fsGroup', isValidGroupID], ['runAsUser', isValidUserID], ['runAsGroup', isValidGroupID]] as const) {
    if (typeof sc[f] === 'number') errs.push(...check(sc[f]).map((m) => invalid(path.child(f), sc[f], m)));
  }
  arr(sc.supplementalGroups).forEach((g, i) => errs.push(...isValidGroupID(Number(g)).map((m) => invalid(path.child('supplementalGroups').index(i), g, m))));
  if (spec.shareProcessNamespace === true && spec.hostPID === true) errs.push(invalid(path.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  const sysctlNames = new Set<string>();
  arr(sc.sysctls).forEach((s, i) => {
    const name = str(obj(s).name);
    const p = path.child('sysctls').index(i).child('name');
    if (!name) errs.push(required(p));
    else if (name.length > 253 || !/^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/.test(name)) {
      errs.push(invalid(p, name, 'must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$'));
    } else if (sysctlNames.has(name)) errs.push(duplicate(p, name));
    if (spec.hostNetwork === true && name.startsWith('net.')) errs.push(invalid(p, name, "may not be specified when 'hostNetwork' is true"));
    if (spec.hostIPC === true && (name.startsWith('kernel.shm') || name.startsWith('kernel.msg') || name === 'kernel.sem' || name.startsWith('fs.mqueue.'))) errs.push(invalid(p, name, "may not be specified when 'hostIPC' is true"));
    sysctlNames.add(name);
  });
  if (has(sc, 'fsGroupChangePolicy') && !['Always', 'OnRootMismatch'].includes(sc.fsGroupChangePolicy)) errs.push(notSupported(path.child('fsGroupChangePolicy'), sc.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child('appArmorProfile')));
  if (has(sc, 'supplementalGroupsPolicy') && !['Merge', 'Strict'].includes(sc.supplementalGroupsPolicy)) errs.push(notSupported(path.child('supplementalGroupsPolicy'), sc.supplementalGroupsPolicy, ['Merge', 'Strict']));
  if (has(sc, 'seLinuxChangePolicy') && !['MountOption', 'Recursive'].includes(sc.seLinuxChangePolicy)) errs.push(notSupported(path.child('seLinuxChangePolicy'), sc.seLinuxChangePolicy, ['MountOption', 'Recursive']));
  return errs;
}

// ---------------------------------------------------------------- pod spec

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

export function validatePodSpec(specIn: unknown, path: FieldPath, opts: PodValidationOptions = {}, podMeta?: ObjectMeta): FieldError[] {
  const spec = obj(specIn);
  const errs: FieldError[] = [];
  if (!has(spec, 'terminationGracePeriodSeconds')) errs.push(required(path.child('terminationGracePeriodSeconds')));
  const gracePeriod = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : undefined;
  const hostUsers = spec.hostUsers !== false;
  const restartPolicy = str(spec.restartPolicy);

  const { names: volumes, errs: volErrs } = validateVolumes(spec.volumes, path.child('volumes'), podMeta, opts);
  errs.push(...volErrs);
  const claimNames = new Set(arr(spec.resourceClaims).map((c) => str(obj(c).name)).filter(Boolean));
  errs.push(...validatePodResourceClaims(spec.resourceClaims, path.child('resourceClaims')));
  const containers = arr(spec.containers).map(obj);
  const inits = arr(spec.initContainers).map(obj);
  errs.push(...validateContainers(containers, volumes, claimNames, gracePeriod, path.child('containers'), restartPolicy, hostUsers));
  errs.push(...validateInitContainers(inits, containers, volumes, claimNames, gracePeriod, path.child('initContainers'), restartPolicy, hostUsers));
  errs.push(...validateEphemeralContainers(arr(spec.ephemeralContainers).map(obj), containers, inits, volumes, claimNames, path.child('ephemeralContainers'), restartPolicy, hostUsers));
  if (isObject(spec.resources)) errs.push(...validatePodLevelResources(spec, path.child('resources')));

  if (spec.hostNetwork === true) {
    containers.forEach((c, i) => {
      arr(c.ports).forEach((raw, j) => {
        const port = obj(raw);
        const hp = port.hostPort ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== (port.containerPort ?? 0)) {
          errs.push(invalid(path.child('containers').index(i).child('ports').index(j).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }
  if (!restartPolicy) errs.push(required(path.child('restartPolicy')));
  else if (!RESTART_POLICIES.includes(restartPolicy)) errs.push(notSupported(path.child('restartPolicy'), restartPolicy, RESTART_POLICIES));
  const dnsPolicy = str(spec.dnsPolicy);
  if (!dnsPolicy) errs.push(required(path.child('dnsPolicy')));
  else if (!DNS_POLICIES.includes(dnsPolicy)) errs.push(notSupported(path.child('dnsPolicy'), dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec, path.child('securityContext')));
  arr(spec.imagePullSecrets).forEach((s, i) => {
    const ref = obj(s);
    if (Object.keys(ref).some((k) => k !== 'name')) errs.push(invalid(path.child('imagePullSecrets').index(i), ref, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec.affinity, path.child('affinity')));
  errs.push(...validateDNSConfig(spec.dnsConfig, dnsPolicy, path.child('dnsConfig')));
  arr(spec.readinessGates).forEach((g, i) => errs.push(...qualifiedName(str(obj(g).conditionType), path.child('readinessGates').index(i).child('conditionType'))));
  const gates = new Set<string>();
  arr(spec.schedulingGates).forEach((g, i) => {
    const name = str(obj(g).name);
    errs.push(...qualifiedName(name, path.child('schedulingGates').index(i)));
    if (gates.has(name)) errs.push(duplicate(path.child('schedulingGates').index(i), name));
    gates.add(name);
  });
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, path.child('topologySpreadConstraints')));
  if (spec.hostUsers === false) {
    if (spec.hostNetwork) errs.push(forbidden(path.child('hostNetwork'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostPID) errs.push(forbidden(path.child('HostPID'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostIPC) errs.push(forbidden(path.child('HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  }
  const sa = str(spec.serviceAccountName);
  if (sa) errs.push(...dns1123Subdomain(sa, path.child('serviceAccountName')));
  const nodeName = str(spec.nodeName);
  if (nodeName) errs.push(...dns1123Subdomain(nodeName, path.child('nodeName')));
  if (has(spec, 'activeDeadlineSeconds')) {
    const v = spec.activeDeadlineSeconds;
    if (!(v >= 1 && v <= MAX_INT32)) errs.push(invalid(path.child('activeDeadlineSeconds'), v, inclusiveRangeError(1, MAX_INT32)));
  }
  if (spec.hostname) errs.push(...dns1123Label(str(spec.hostname), path.child('hostname')));
  if (spec.subdomain) errs.push(...dns1123Label(str(spec.subdomain), path.child('subdomain')));
  errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  arr(spec.hostAliases).forEach((raw, i) => {
    const a = obj(raw);
    errs.push(...validIP(str(a.ip), path.child('hostAliases').index(i).child('ip')));
    arr(a.hostnames).forEach((h, j) => errs.push(...dns1123Subdomain(String(h), path.child('hostAliases').index(i).child('hostnames').index(j))));
  });
  if (spec.priorityClassName) errs.push(...dns1123Subdomain(str(spec.priorityClassName), path.child('priorityClassName')));
  if (has(spec, 'runtimeClassName')) errs.push(...dns1123Subdomain(str(spec.runtimeClassName), path.child('runtimeClassName')));
  if (has(spec, 'preemptionPolicy')) {
    if (!spec.preemptionPolicy) errs.push(required(path.child('preemptionPolicy')));
    else if (!['PreemptLowerPriority', 'Never'].includes(spec.preemptionPolicy)) errs.push(notSupported(path.child('preemptionPolicy'), spec.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  if (isObject(spec.overhead)) errs.push(...validateResourceRequirements({ limits: spec.overhead }, path.child('overhead')));
  if (isObject(spec.os)) {
    if (!spec.os.name) errs.push(required(path.child('os', 'name'), 'cannot be empty'));
    else if (!['linux', 'windows'].includes(spec.os.name)) errs.push(notSupported(path.child('os'), spec.os.name, ['linux', 'windows']));
  }
  return errs;
}

function validatePodResourceClaims(claims: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(claims).forEach((raw, i) => {
    const c = obj(raw);
    const p = path.index(i);
    const name = str(c.name);
    if (!name) errs.push(required(p.child('name')));
    else if (seen.has(name)) errs.push(duplicate(p.child('name'), name));
    else {
      errs.push(...dns1123Label(name, p.child('name')));
      seen.add(name);
    }
    const byName = has(c, 'resourceClaimName');
    const byTemplate = has(c, 'resourceClaimTemplateName');
    if (byName && byTemplate) errs.push(invalid(p, c, 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
    if (!byName && !byTemplate) errs.push(invalid(p, c, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
    if (byName) errs.push(...dns1123Subdomain(str(c.resourceClaimName), p.child('resourceClaimName')));
    if (byTemplate) errs.push(...dns1123Subdomain(str(c.resourceClaimTemplateName), p.child('resourceClaimTemplateName')));
  });
  return errs;
}

function validatePodLevelResources(spec: Obj, path: FieldPath): FieldError[] {
  const r = obj(spec.resources);
  const errs: FieldError[] = [];
  if (has(r, 'claims')) errs.push(forbidden(path.child('claims'), 'claims cannot be set for Resources at pod-level'));
  errs.push(...validateResourceRequirements({ limits: r.limits, requests: r.requests }, path, validatePodResourceName));
  if (errs.length > 0) return errs;
  const reqPath = path.child('requests');
  for (const name of ['cpu', 'memory']) {
    const podReq = obj(r.requests)[name];
    if (podReq === undefined) continue;
    let total: Quantity | undefined;
    for (const c of arr(spec.containers)) {
      const v = obj(obj(obj(c).resources).requests)[name];
      if (v === undefined || quantityError(v)) continue;
      const q = parseQuantityExact(v);
      total = total ? addQuantities(total, q) : q;
    }
    if (total && compareQuantities(total, podReq) > 0) {
      errs.push(invalid(reqPath.key(name), formatQuantity(parseQuantityExact(podReq)), `must be greater than or equal to aggregate container requests of ${formatQuantity(total)}`));
    }
  }
  arr(spec.containers).forEach((c, i) => {
    for (const [name, limit] of Object.entries(obj(obj(obj(c).resources).limits))) {
      const podLimit = obj(r.limits)[name];
      if (podLimit === undefined || quantityError(limit)) continue;
      if (compareQuantities(limit as string, podLimit) > 0) {
        errs.push(invalid(path.child('containers').index(i).key(name).child('limits'), formatQuantity(parseQuantityExact(limit as string)), `must be less than or equal to pod limits of ${formatQuantity(parseQuantityExact(podLimit))}`));
      }
    }
  });
  return errs;
}

// ---------------------------------------------------------------- annotations

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function validateSeccompAnnotationValue(p: string, path: FieldPath): FieldError[] {
  if (p === 'runtime/default' || p === 'docker/default' || p === 'unconfined') return [];
  if (p.startsWith('localhost/')) return localDescendingPath(p.slice('localhost/'.length), path);
  return [invalid(path, p, 'must be a valid seccomp profile')];
}

export function validatePodSpecificAnnotations(annotations: unknown, spec: Obj, path: FieldPath): FieldError[] {
  const a = obj(annotations);
  const errs: FieldError[] = [];
  if (MIRROR_POD_ANNOTATION in a && !spec.nodeName) errs.push(invalid(path.key(MIRROR_POD_ANNOTATION), a[MIRROR_POD_ANNOTATION], 'must set spec.nodeName if mirror pod annotation is set'));
  if (POD_DELETION_COST in a) {
    const v = str(a[POD_DELETION_COST]);
    if (!/^[-+]?\d+$/.test(v) || Number(v) > MAX_INT32 || Number(v) < -MAX_INT32 - 1) errs.push(invalid(path.key(POD_DELETION_COST), v, 'must be a 32bit integer'));
  }
  if (SECCOMP_POD_ANNOTATION in a) errs.push(...validateSeccompAnnotationValue(str(a[SECCOMP_POD_ANNOTATION]), path.child(SECCOMP_POD_ANNOTATION)));
  const containerNames = new Set([...arr(spec.containers), ...arr(spec.initContainers), ...arr(spec.ephemeralContainers)].map((c) => str(obj(c).name)));
  for (const [k, v] of Object.entries(a)) {
    if (k.startsWith(SECCOMP_CONTAINER_PREFIX)) errs.push(...validateSeccompAnnotationValue(str(v), path.child(k)));
    if (k.startsWith(APPARMOR_PREFIX)) {
      const container = k.slice(APPARMOR_PREFIX.length);
      if (!containerNames.has(container)) errs.push(invalid(path.key(k), container, 'container not found'));
      const profile = str(v);
      if (profile !== '' && profile !== 'runtime/default' && profile !== 'unconfined' && !profile.startsWith('localhost/')) errs.push(invalid(path.key(k), profile, `invalid AppArmor profile name: "${profile}"`));
    }
  }
  return errs;
}

// ---------------------------------------------------------------- entry points

/** A PodTemplateSpec embedded in another object: labels and annotations, then the spec. */
export function validatePodTemplateSpec(template: unknown, path: FieldPath, opts: PodValidationOptions = {}): FieldError[] {
  const t = obj(template);
  const meta = obj(t.metadata);
  const spec = obj(t.spec);
  const errs = [
    ...validateLabels(meta.labels, path.child('labels')),
    ...validateAnnotations(meta.annotations, path.child('annotations')),
    ...validatePodSpecificAnnotations(meta.annotations, spec, path.child('annotations')),
    ...validatePodSpec(spec, path.child('spec'), opts),
  ];
  if (arr(spec.ephemeralContainers).length > 0) errs.push(forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

function validatePodMetadataAndSpec(pod: KubeObject): FieldError[] {
  const spec = obj(pod.spec);
  const metaPath = FieldPath.of('metadata');
  const specPath = FieldPath.of('spec');
  const errs = [
    ...validateObjectMeta(pod.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }),
    ...validatePodSpecificAnnotations(pod.metadata?.annotations, spec, metaPath.child('annotations')),
    ...validatePodSpec(spec, specPath, { resourceIsPod: true }, pod.metadata),
  ];
  if (!spec.serviceAccountName) {
    arr(spec.volumes).forEach((v, vi) => {
      arr(obj(obj(v).projected).sources).forEach((s, si) => {
        if (isObject(obj(s).serviceAccountToken)) {
          errs.push(forbidden(specPath.child('volumes').index(vi).child('projected', 'sources').index(si).child('serviceAccountToken'), 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  arr(spec.containers).forEach((c, i) => errs.push(...imageWhitespace(obj(c), specPath.child('containers').index(i))));
  arr(spec.initContainers).forEach((c, i) => errs.push(...imageWhitespace(obj(c), specPath.child('initContainers').index(i))));
  return errs;
}

export function validatePodCreate(pod: KubeObject): FieldError[] {
  const spec = obj(pod.spec);
  const specPath = FieldPath.of('spec');
  const errs = validatePodMetadataAndSpec(pod);
  if (arr(spec.ephemeralContainers).length > 0) errs.push(forbidden(specPath.child('ephemeralContainers'), 'cannot be set on create'));
  if (spec.nodeName && arr(spec.schedulingGates).length > 0) errs.push(forbidden(specPath.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

const UPDATABLE_POD_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

export function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const spec = obj(pod.spec);
  const oldSpec = obj(old.spec);
  const metaPath = FieldPath.of('metadata');
  const specPath = FieldPath.of('spec');
  const errs = [
    ...validateObjectMetaUpdate(pod.metadata, old.metadata, { kubeFinalizers: true }),
    ...validatePodMetadataAndSpec(pod),
    ...validatePodAnnotationUpdates(obj(pod.metadata?.annotations), obj(old.metadata?.annotations), metaPath.child('annotations')),
  ];
  for (const kind of ['containers', 'initContainers']) {
    const n = arr(spec[kind]);
    const o = arr(oldSpec[kind]);
    if (n.length !== o.length) {
      errs.push(forbidden(specPath.child(kind), 'pod updates may not add or remove containers'));
      return errs;
    }
    n.forEach((c, i) => {
      if (!obj(c).image) errs.push(required(specPath.child(kind).index(i).child('image')));
    });
  }
  const newADS = spec.activeDeadlineSeconds;
  const oldADS = oldSpec.activeDeadlineSeconds;
  if (newADS !== undefined && newADS !== null) {
    if (newADS < 0 || newADS > MAX_INT32) {
      errs.push(invalid(specPath.child('activeDeadlineSeconds'), newADS, inclusiveRangeError(0, MAX_INT32)));
      return errs;
    }
    if (typeof oldADS === 'number' && oldADS < newADS) {
      errs.push(invalid(specPath.child('activeDeadlineSeconds'), newADS, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oldADS !== undefined && oldADS !== null) {
    errs.push(invalid(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(spec.tolerations, oldSpec.tolerations, specPath.child('tolerations')));
  const oldGates = new Set(arr(oldSpec.schedulingGates).map((g) => str(obj(g).name)));
  arr(spec.schedulingGates).forEach((g, i) => {
    const name = str(obj(g).name);
    if (!oldGates.has(name)) errs.push(forbidden(specPath.child('schedulingGates').index(i).child('name'), `only deletion is allowed, but found new scheduling gate '${name}'`));
  });
  if (deepEqual(spec, oldSpec)) return errs;

  const munged = clone(spec);
  for (const kind of ['containers', 'initContainers']) {
    arr(munged[kind]).forEach((c, i) => {
      c.image = obj(arr(oldSpec[kind])[i]).image;
    });
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if (arr(oldSpec.schedulingGates).length > 0) {
    // A gated pod may still gain node selector entries and node affinity before it is scheduled.
    const oldSelector = obj(oldSpec.nodeSelector);
    const newSelector = obj(munged.nodeSelector);
    if (Object.entries(oldSelector).every(([k, v]) => newSelector[k] === v)) munged.nodeSelector = oldSpec.nodeSelector;
    if (isObject(munged.affinity) || isObject(oldSpec.affinity)) {
      const a = { ...obj(munged.affinity), nodeAffinity: obj(oldSpec.affinity).nodeAffinity };
      munged.affinity = Object.values(a).some((v) => v !== undefined) ? a : oldSpec.affinity;
    }
  }
  if (!deepEqual(munged, oldSpec)) {
    errs.push(forbidden(specPath, `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS.join(',')}\n${describeDiff(oldSpec, munged)}`));
  }
  return errs;
}

function validatePodAnnotationUpdates(annotations: Obj, old: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(old)) {
    if (k in annotations && annotations[k] === v) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(forbidden(path.key(k), 'may not remove or update AppArmor annotations'));
    if (k === MIRROR_POD_ANNOTATION) errs.push(forbidden(path.key(k), 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(annotations)) {
    if (k in old) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(forbidden(path.key(k), 'may not add AppArmor annotations'));
    if (k === MIRROR_POD_ANNOTATION) errs.push(forbidden(path.key(k), 'may not add mirror pod annotation'));
  }
  return errs;
}

function validateOnlyAddedTolerations(newTolerations: unknown, oldTolerations: unknown, path: FieldPath): FieldError[] {
  const fresh = arr(newTolerations).map(obj);
  for (const old of arr(oldTolerations).map(obj)) {
    const found = fresh.some((t) => deepEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newTolerations, path);
}

/** PodTemplate objects (kind PodTemplate): metadata plus the template. */
export function validatePodTemplateObject(o: KubeObject, old?: KubeObject): FieldError[] {
  const meta = old
    ? validateObjectMetaUpdate(o.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(o.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  return [...meta, ...validatePodTemplateSpec(o.template, FieldPath.of('template'))];
}
