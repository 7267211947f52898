// The remaining core/v1 kinds: ConfigMap, Secret, ServiceAccount, Namespace, Node, Endpoints,
// LimitRange, ResourceQuota, ReplicationController and Event.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import {
  arr, deepEqual, duplicate, forbidden, invalid, mapSelectorMatches, nonNegative, notSupported, obj, required, str, tooLong, type Obj,
  validateLabelName,
} from './common.js';
import { validateFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { byteLength, cidrErrors, ipErrors, isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isLabelValue, isQualifiedName, isValidPortNum, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';
import { validateTaintEffect } from './placement.js';
import { quantityAt, validatePodTemplateSpec, validateResourceName, validateResourceQuantityValue, isOvercommitAllowed, isHugePageResourceName } from './pod.js';
import { compareQuantities, formatQuantity, parseQuantityExact, type Quantity } from './quantity.js';

/** ConfigMaps and Secrets together may hold at most 1 MiB of data. */
export const MAX_DATA_SIZE = 1024 * 1024;

function namespacedMeta(o: KubeObject, old?: KubeObject): FieldError[] {
  return old
    ? validateObjectMetaUpdate(o.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(o.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
}

// ---------------------------------------------------------------- ConfigMap and Secret

function immutableData(o: Obj, old: Obj, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (o.immutable !== true) errs.push(forbidden(FieldPath.of('immutable'), 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!deepEqual(o[f], old[f])) errs.push(forbidden(FieldPath.of(f), 'field is immutable when `immutable` is set'));
  return errs;
}

export function validateConfigMap(cm: KubeObject, old?: KubeObject): FieldError[] {
  const o = cm as Obj;
  const errs = old ? [...validateObjectMetaUpdate(cm.metadata, old.metadata, { kubeFinalizers: true }), ...immutableData(o, old as Obj, ['data', 'binaryData'])] : [];
  errs.push(...validateObjectMeta(cm.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }));
  let total = 0;
  const binary = obj(o.binaryData);
  for (const [k, v] of Object.entries(obj(o.data))) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(FieldPath.of('data').key(k), k, m)));
    if (k in binary) errs.push(invalid(FieldPath.of('data').key(k), k, 'duplicate of key present in binaryData'));
    total += byteLength(str(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(FieldPath.of('binaryData').key(k), k, m)));
    total += Buffer.from(str(v), 'base64').length;
  }
  if (total > MAX_DATA_SIZE) errs.push(tooLong(FieldPath.of(''), MAX_DATA_SIZE));
  return errs;
}

export function validateSecret(secret: KubeObject, old?: KubeObject): FieldError[] {
  const o = secret as Obj;
  const errs: FieldError[] = [];
  if (old) {
    errs.push(...validateObjectMetaUpdate(secret.metadata, old.metadata, { kubeFinalizers: true }));
    errs.push(...immutableFieldValue(o.type ?? '', (old as Obj).type ?? '', FieldPath.of('type')));
    errs.push(...immutableData(o, old as Obj, ['data']));
  }
  errs.push(...validateObjectMeta(secret.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }));
  const dataPath = FieldPath.of('data');
  const data = obj(o.data);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(dataPath.key(k), k, m)));
    total += Buffer.from(str(v), 'base64').length;
  }
  if (total > MAX_DATA_SIZE) errs.push(tooLong(dataPath, MAX_DATA_SIZE));
  const decoded = (k: string) => Buffer.from(str(data[k]), 'base64').toString('utf8');
  switch (o.type) {
    case 'kubernetes.io/service-account-token':
      if (!obj(secret.metadata?.annotations)['kubernetes.io/service-account.name']) errs.push(required(FieldPath.of('metadata', 'annotations').key('kubernetes.io/service-account.name')));
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = o.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!(key in data)) {
        errs.push(required(dataPath.key(key)));
        break;
      }
      try {
        const parsed = JSON.parse(decoded(key));
        if (!isObject(parsed)) throw new SyntaxError('json: cannot unmarshal into Go value of type map[string]interface {}');
      } catch (e) {
        errs.push(invalid(dataPath.key(key), '<secret contents redacted>', (e as Error).message));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) errs.push(required(dataPath.key('username')), required(dataPath.key('password')));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!str(data['ssh-privatekey'])) errs.push(required(dataPath.key('ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!('tls.crt' in data)) errs.push(required(dataPath.key('tls.crt')));
      if (!('tls.key' in data)) errs.push(required(dataPath.key('tls.key')));
      break;
  }
  return errs;
}

function immutableFieldValue(n: unknown, o: unknown, path: FieldPath): FieldError[] {
  return deepEqual(n, o) ? [] : [invalid(path, n, 'field is immutable')];
}

export function validateServiceAccount(sa: KubeObject, old?: KubeObject): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(sa.metadata, old.metadata, { kubeFinalizers: true }) : [];
  return [...errs, ...validateObjectMeta(sa.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true })];
}

// ---------------------------------------------------------------- Namespace and Node

export function validateNamespace(ns: KubeObject, old?: KubeObject): FieldError[] {
  if (old) return validateObjectMetaUpdate(ns.metadata, old.metadata, { kubeFinalizers: true });
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameFn: nameIsDNSLabel, kubeFinalizers: true });
  for (const f of arr(obj(ns.spec).finalizers)) errs.push(...validateFinalizerName(str(f), FieldPath.of('spec', 'finalizers')));
  return errs;
}

function validateTaints(taints: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Map<string, Set<string>>();
  arr(taints).forEach((raw, i) => {
    const t = obj(raw);
    const p = path.index(i);
    errs.push(...validateLabelName(str(t.key), p.child('key')));
    const msgs = isLabelValue(str(t.value));
    if (msgs.length > 0) errs.push(invalid(p.child('value'), str(t.value), msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, p.child('effect')));
    const keys = unique.get(t.effect) ?? new Set<string>();
    if (keys.has(t.key)) {
      errs.push({ ...duplicate(p, t), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    keys.add(t.key);
    unique.set(t.effect, keys);
  });
  return errs;
}

function validateNodeResources(node: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const section of ['capacity', 'allocatable']) {
    for (const [k, v] of Object.entries(obj(obj(node.status)[section]))) {
      const p = FieldPath.of('status', section, k);
      const q = quantityAt(v, p, errs);
      if (q) errs.push(...validateResourceQuantityValue(k, q, p));
    }
  }
  return errs;
}

export function validateNode(node: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(node.spec);
  const metaPath = FieldPath.of('metadata');
  if (!old) {
    const errs = validateObjectMeta(node.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
    errs.push(...validateTaints(spec.taints, metaPath.child('taints')));
    errs.push(...validateNodeResources(node));
    const cidrs = arr(spec.podCIDRs).map(String);
    cidrs.forEach((c, i) => errs.push(...cidrErrors(c).map((m) => invalid(FieldPath.of('spec', 'podCIDRs').index(i), c, m))));
    if (cidrs.length > 1) {
      const v6 = cidrs.map((c) => c.includes(':'));
      if (cidrs.length > 2 || v6[0] === v6[1]) errs.push(invalid(FieldPath.of('spec', 'podCIDRs'), cidrs, 'may specify no more than one CIDR for each IP family'));
      const seen = new Set<string>();
      cidrs.forEach((c, i) => {
        if (seen.has(c)) errs.push(duplicate(FieldPath.of('spec', 'podCIDRs').index(i), c));
        seen.add(c);
      });
    }
    return errs;
  }
  const oldSpec = obj(old.spec);
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata, { kubeFinalizers: true });
  errs.push(...validateNodeResources(node));
  const seen = new Set<string>();
  arr(obj(node.status).addresses).forEach((a, i) => {
    const key = JSON.stringify([obj(a).type, obj(a).address]);
    if (seen.has(key)) errs.push(duplicate(FieldPath.of('status', 'addresses').index(i), a));
    seen.add(key);
  });
  const oldCIDRs = arr(oldSpec.podCIDRs);
  if (oldCIDRs.length > 0) {
    const newCIDRs = arr(spec.podCIDRs);
    if (oldCIDRs.length !== newCIDRs.length || oldCIDRs.some((c, i) => c !== newCIDRs[i])) {
      errs.push(forbidden(FieldPath.of('spec', 'podCIDRs'), 'node updates may not change podCIDR except from "" to valid'));
    }
  }
  if (oldSpec.providerID && oldSpec.providerID !== spec.providerID) errs.push(forbidden(FieldPath.of('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  errs.push(...validateTaints(spec.taints, metaPath.child('taints')));
  if ((spec.externalID ?? '') !== (oldSpec.externalID ?? '')) errs.push(forbidden(FieldPath.of('spec', 'externalID'), 'may not be updated'));
  return errs;
}

// ---------------------------------------------------------------- Endpoints

/**
 * Upstream also refuses loopback addresses here; unyo's Pod and Service addresses are all in
 * 127.0.0.0/8 (every Pod has its own), so loopback is the normal case and is allowed.
 */
export function validateNonSpecialIP(ip: string, path: FieldPath): FieldError[] {
  if (ipErrors(ip).length > 0 && !/^[\d.]+$/.test(ip) && !ip.includes(':')) return [invalid(path, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  if (ip === '0.0.0.0' || ip === '::') errs.push(invalid(path, ip, `may not be unspecified (${ip})`));
  if (/^169\.254\./.test(ip) || /^fe[89ab]/i.test(ip)) errs.push(invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (/^224\.0\.0\./.test(ip) || /^ff02:/i.test(ip)) errs.push(invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

export function validateEndpoints(ep: KubeObject, old?: KubeObject): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(ep.metadata, old.metadata, { kubeFinalizers: true }) : [];
  errs.push(...validateObjectMeta(ep.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }));
  arr((ep as Obj).subsets).forEach((raw, i) => {
    const ss = obj(raw);
    const p = FieldPath.of('subsets').index(i);
    if (arr(ss.addresses).length === 0 && arr(ss.notReadyAddresses).length === 0) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    for (const kind of ['addresses', 'notReadyAddresses']) {
      arr(ss[kind]).forEach((a, j) => {
        const addr = obj(a);
        const ap = p.child(kind).index(j);
        errs.push(...ipErrors(str(addr.ip)).map((m) => invalid(ap.child('ip'), str(addr.ip), m)));
        if (addr.hostname) errs.push(...isDNS1123Label(str(addr.hostname)).map((m) => invalid(ap.child('hostname'), addr.hostname, m)));
        if (addr.nodeName !== undefined && addr.nodeName !== null) errs.push(...isDNS1123Subdomain(str(addr.nodeName)).map((m) => invalid(ap.child('nodeName'), addr.nodeName, m)));
        errs.push(...validateNonSpecialIP(str(addr.ip), ap.child('ip')));
      });
    }
    const ports = arr(ss.ports).map(obj);
    ports.forEach((port, j) => {
      const pp = p.child('ports').index(j);
      if (ports.length > 1 && !port.name) errs.push(required(pp.child('name')));
      else if (port.name) errs.push(...isDNS1123Label(str(port.name)).map((m) => invalid(pp.child('name'), port.name, m)));
      errs.push(...isValidPortNum(port.port ?? 0).map((m) => invalid(pp.child('port'), port.port ?? 0, m)));
      if (!port.protocol) errs.push(required(pp.child('protocol')));
      else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(notSupported(pp.child('protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']));
      if (port.appProtocol !== undefined && port.appProtocol !== null) errs.push(...isQualifiedName(str(port.appProtocol)).map((m) => invalid(pp.child('appProtocol'), port.appProtocol, m)));
    });
  });
  return errs;
}

// ---------------------------------------------------------------- LimitRange and ResourceQuota

const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];
const QUOTA_RESOURCES_STANDARD = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'storage',
  'requests.storage', 'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory',
  'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);

function limitRangeResourceName(type: string, name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if ((type === 'Pod' || type === 'Container') && name.split('/').length === 1 && !['cpu', 'memory', 'ephemeral-storage'].includes(name) && !isHugePageResourceName(name)) {
    errs.push(invalid(path, name, 'must be a standard resource for containers'));
  }
  return errs;
}

export function validateLimitRange(lr: KubeObject, old?: KubeObject): FieldError[] {
  const errs = namespacedMeta(lr, old);
  const types = new Set<string>();
  arr(obj(lr.spec).limits).forEach((raw, i) => {
    const limit = obj(raw);
    const p = FieldPath.of('spec', 'limits').index(i);
    const type = str(limit.type);
    const typeErrs = isQualifiedName(type).map((m) => invalid(p.child('type'), type, m));
    if (typeErrs.length === 0 && type.split('/').length === 1 && !LIMIT_TYPES.includes(type)) typeErrs.push(invalid(p.child('type'), type, 'must be a standard limit type or fully qualified'));
    errs.push(...typeErrs);
    if (types.has(type)) errs.push(duplicate(p.child('type'), type));
    types.add(type);
    const sections: Record<string, Map<string, Quantity>> = {};
    const keys = new Set<string>();
    const read = (section: string) => {
      const m = new Map<string, Quantity>();
      for (const [k, v] of Object.entries(obj(limit[section]))) {
        const sp = p.child(section).key(k);
        errs.push(...limitRangeResourceName(type, k, sp));
        const q = quantityAt(v, sp, errs);
        if (q) m.set(k, q);
        keys.add(k);
      }
      sections[section] = m;
    };
    read('max');
    read('min');
    if (type === 'Pod') {
      if (Object.keys(obj(limit.default)).length > 0) errs.push(forbidden(p.child('default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(obj(limit.defaultRequest)).length > 0) errs.push(forbidden(p.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
      sections.default = new Map();
      sections.defaultRequest = new Map();
    } else {
      read('default');
      read('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim' && !sections.min.has('storage') && !sections.max.has('storage')) {
      errs.push(required(p.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
    read('maxLimitRequestRatio');
    const f = formatQuantity;
    for (const k of keys) {
      const min = sections.min.get(k);
      const max = sections.max.get(k);
      const def = sections.default.get(k);
      const defReq = sections.defaultRequest.get(k);
      const ratio = sections.maxLimitRequestRatio.get(k);
      if (min && max && compareQuantities(min, max) > 0) errs.push(invalid(p.child('min').key(k), f(min), `min value ${f(min)} is greater than max value ${f(max)}`));
      if (defReq && min && compareQuantities(min, defReq) > 0) errs.push(invalid(p.child('defaultRequest').key(k), f(defReq), `min value ${f(min)} is greater than default request value ${f(defReq)}`));
      if (defReq && max && compareQuantities(defReq, max) > 0) errs.push(invalid(p.child('defaultRequest').key(k), f(defReq), `default request value ${f(defReq)} is greater than max value ${f(max)}`));
      if (defReq && def && compareQuantities(defReq, def) > 0) errs.push(invalid(p.child('defaultRequest').key(k), f(defReq), `default request value ${f(defReq)} is greater than default limit value ${f(def)}`));
      if (def && min && compareQuantities(min, def) > 0) errs.push(invalid(p.child('default').key(k), f(min), `min value ${f(min)} is greater than default value ${f(def)}`));
      if (def && max && compareQuantities(def, max) > 0) errs.push(invalid(p.child('default').key(k), f(max), `default value ${f(def)} is greater than max value ${f(max)}`));
      if (ratio && compareQuantities(ratio, parseQuantityExact('1')) < 0) errs.push(invalid(p.child('maxLimitRequestRatio').key(k), f(ratio), `ratio ${f(ratio)} is less than 1`));
      if (ratio && min && max) {
        const limit = parseFloatQ(max) / parseFloatQ(min);
        if (parseFloatQ(ratio) > limit) errs.push(invalid(p.child('maxLimitRequestRatio').key(k), f(ratio), `ratio ${f(ratio)} is greater than max/min = ${limit.toFixed(6)}`));
      }
      if (!isOvercommitAllowed(k) && def && defReq && compareQuantities(def, defReq) !== 0) {
        errs.push(invalid(p.child('defaultRequest').key(k), f(defReq), `default value ${f(def)} must equal to defaultRequest value ${f(defReq)} in ${k}`));
      }
    }
  });
  return errs;
}

function parseFloatQ(q: Quantity): number {
  return Number(q.mantissa) * 10 ** q.exponent;
}

function quotaResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (name.split('/').length === 1 && !QUOTA_RESOURCES_STANDARD.has(name) && !name.startsWith('requests.hugepages-') && !name.startsWith('count/')) {
    errs.push(invalid(path, name, 'must be a standard resource for quota'));
  }
  return errs;
}

const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];

export function validateResourceQuota(rq: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(rq.spec);
  const errs = namespacedMeta(rq, old);
  for (const [k, v] of Object.entries(obj(spec.hard))) {
    const p = FieldPath.of('spec', 'hard').key(k);
    errs.push(...quotaResourceName(k, p));
    const q = quantityAt(v, p, errs);
    if (q) errs.push(...validateResourceQuantityValue(k, q, p));
  }
  const scopes = arr(spec.scopes);
  for (const scope of scopes) if (!QUOTA_SCOPES.includes(scope)) errs.push(invalid(FieldPath.of('spec', 'scopes'), scopes, 'unsupported scope'));
  const has2 = (a: string, b: string) => scopes.includes(a) && scopes.includes(b);
  if (has2('BestEffort', 'NotBestEffort') || has2('Terminating', 'NotTerminating')) errs.push(invalid(FieldPath.of('spec', 'scopes'), scopes, 'conflicting scopes'));
  if (old && !deepEqual([...new Set(scopes)].sort(), [...new Set(arr(obj(old.spec).scopes))].sort())) errs.push(invalid(FieldPath.of('spec', 'scopes'), scopes, 'field is immutable'));
  return errs;
}

// ---------------------------------------------------------------- ReplicationController

export function validateReplicationController(rc: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(rc.spec);
  const p = FieldPath.of('spec');
  const errs = namespacedMeta(rc, old);
  errs.push(...nonNegative(spec.minReadySeconds, p.child('minReadySeconds')));
  const selector = obj(spec.selector) as Record<string, string>;
  if (Object.keys(selector).length === 0) errs.push(required(p.child('selector')));
  errs.push(...nonNegative(spec.replicas, p.child('replicas')));
  if (!isObject(spec.template)) {
    errs.push(required(p.child('template')));
    return errs;
  }
  const labels = obj(obj(spec.template.metadata).labels) as Record<string, string>;
  if (Object.keys(selector).length > 0 && !mapSelectorMatches(selector, labels)) errs.push(invalid(p.child('template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplateSpec(spec.template, p.child('template')));
  const podSpec = obj(spec.template.spec);
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported(p.child('template', 'spec', 'restartPolicy'), podSpec.restartPolicy ?? '', ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined) errs.push(forbidden(p.child('template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicationController is not Supported'));
  return errs;
}

// ---------------------------------------------------------------- Event (core/v1)

const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'CSIDriver', 'CSINode', 'VolumeAttachment']);
const NAMESPACED_KINDS = new Set(['Pod', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'PersistentVolumeClaim', 'Endpoints', 'ReplicationController', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Lease', 'EndpointSlice', 'Role', 'RoleBinding', 'Event', 'LimitRange', 'ResourceQuota', 'PodTemplate', 'ControllerRevision']);

/** core/v1 Events keep their legacy validation: names are not checked, namespaces must agree. */
export function validateCoreEvent(ev: KubeObject, old?: KubeObject): FieldError[] {
  const o = ev as Obj;
  const errs: FieldError[] = old ? validateObjectMetaUpdate(ev.metadata, old.metadata, { kubeFinalizers: true }) : [];
  if (!ev.metadata?.name) errs.push(required(FieldPath.of('metadata', 'name'), 'name or generateName is required'));
  const namespace = str(ev.metadata?.namespace);
  const involved = obj(o.involvedObject);
  const involvedNs = str(involved.namespace);
  const eventTime = o.eventTime;
  if (!eventTime) {
    if (!involvedNs) {
      if (namespace !== '' && namespace !== 'default') errs.push(invalid(FieldPath.of('involvedObject', 'namespace'), involvedNs, 'does not match event.namespace'));
    } else if (namespace !== involvedNs) {
      errs.push(invalid(FieldPath.of('involvedObject', 'namespace'), involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNs && namespace !== 'kube-system') errs.push(invalid(FieldPath.of('involvedObject', 'namespace'), involvedNs, 'does not match event.namespace'));
    if (!o.reportingComponent) errs.push(required(FieldPath.of('reportingController')));
    errs.push(...isQualifiedName(str(o.reportingComponent)).map((m) => invalid(FieldPath.of('reportingController'), str(o.reportingComponent), m)));
    if (!o.reportingInstance) errs.push(required(FieldPath.of('reportingInstance')));
    if (str(o.reportingInstance).length > 128) errs.push(invalid(FieldPath.of('repotingIntance'), '', 'can have at most 128 characters'));
    if (!o.action) errs.push(required(FieldPath.of('action')));
    if (str(o.action).length > 128) errs.push(invalid(FieldPath.of('action'), '', 'can have at most 128 characters'));
    if (!o.reason) errs.push(required(FieldPath.of('reason')));
    if (str(o.reason).length > 128) errs.push(invalid(FieldPath.of('reason'), '', 'can have at most 128 characters'));
    if (str(o.message).length > 1024) errs.push(invalid(FieldPath.of('message'), '', 'can have at most 1024 characters'));
  }
  const kind = str(involved.kind);
  if (NAMESPACED_KINDS.has(kind) && !involvedNs) errs.push(required(FieldPath.of('involvedObject', 'namespace'), `required for kind ${kind}`));
  if (CLUSTER_SCOPED_KINDS.has(kind) && involvedNs) errs.push(invalid(FieldPath.of('involvedObject', 'namespace'), involvedNs, `not allowed for kind ${kind}`));
  if (namespace) errs.push(...isDNS1123Subdomain(namespace).map((m) => invalid(FieldPath.of('namespace'), namespace, m)));
  return errs;
}
