// Defaults for the core/v1 kinds other than pods: Services, Secrets, Namespaces, volumes and
// claims, Nodes, Endpoints, ReplicationControllers, LimitRanges and ResourceQuotas.
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { isIPv6String } from '../validation/names.js';
import { canonicalizeResourceList, each, ensureObject, maybe, setDefault, type Obj } from './common.js';
import { defaultPersistentVolumeClaimSpec, defaultPodTemplateSpec, defaultVolumeSources } from './pod.js';

export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

export function defaultService(svc: KubeObject): void {
  const s = ensureObject(svc, 'spec');
  if (!s.sessionAffinity) s.sessionAffinity = 'None';
  if (s.sessionAffinity === 'None') delete s.sessionAffinityConfig;
  if (s.sessionAffinity === 'ClientIP' && !(isObject(s.sessionAffinityConfig) && isObject(s.sessionAffinityConfig.clientIP) && s.sessionAffinityConfig.clientIP.timeoutSeconds != null)) {
    s.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
  }
  if (!s.type) s.type = 'ClusterIP';
  each(s.ports, (p) => {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  });
  const externallyAccessible = s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && Array.isArray(s.externalIPs) && s.externalIPs.length > 0);
  if (externallyAccessible && !s.externalTrafficPolicy) s.externalTrafficPolicy = 'Cluster';
  if (s.internalTrafficPolicy == null && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(s.type)) s.internalTrafficPolicy = 'Cluster';
  if (s.type === 'LoadBalancer') {
    setDefault(s, 'allocateLoadBalancerNodePorts', true);
    each((svc.status as Obj | undefined)?.loadBalancer?.ingress, (ing) => {
      if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
    });
  }
  // Upstream's service registry, before validating: clusterIPs mirrors clusterIP, and a
  // single-stack cluster serves each non-ExternalName Service in one IP family.
  if (s.type !== 'ExternalName') {
    if (s.clusterIP && (!Array.isArray(s.clusterIPs) || s.clusterIPs.length === 0)) s.clusterIPs = [s.clusterIP];
    if (!s.ipFamilyPolicy) s.ipFamilyPolicy = 'SingleStack';
    if (!Array.isArray(s.ipFamilies) || s.ipFamilies.length === 0) {
      const ip = Array.isArray(s.clusterIPs) ? s.clusterIPs.find((x: unknown) => typeof x === 'string' && x !== 'None') : undefined;
      s.ipFamilies = [ip && isIPv6String(ip) ? 'IPv6' : 'IPv4'];
    }
  }
}

/** Secrets: type Opaque, and stringData folded into data as the v1 API's conversion does. */
export function defaultSecret(secret: KubeObject): void {
  const o = secret as Obj;
  if (!o.type) o.type = 'Opaque';
  if (isObject(o.stringData)) {
    const data = ensureObject(o, 'data');
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
    delete o.stringData;
  }
}

export function defaultNamespace(ns: KubeObject): void {
  const name = ns.metadata?.name;
  if (name) ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': name };
  const status = ensureObject(ns, 'status');
  if (!status.phase) status.phase = 'Active';
}

export function defaultPersistentVolume(pv: KubeObject): void {
  const s = ensureObject(pv, 'spec');
  const status = ensureObject(pv, 'status');
  if (!status.phase) status.phase = 'Pending';
  if (!s.persistentVolumeReclaimPolicy) s.persistentVolumeReclaimPolicy = 'Retain';
  setDefault(s, 'volumeMode', 'Filesystem');
  canonicalizeResourceList(s.capacity);
  defaultVolumeSources(s);
}

export function defaultPersistentVolumeClaim(pvc: KubeObject): void {
  const status = ensureObject(pvc, 'status');
  if (!status.phase) status.phase = 'Pending';
  canonicalizeResourceList(status.capacity);
  defaultPersistentVolumeClaimSpec(ensureObject(pvc, 'spec'));
}

export function defaultNode(node: KubeObject): void {
  const status = (node as Obj).status;
  if (!isObject(status)) return;
  canonicalizeResourceList(status.capacity);
  canonicalizeResourceList(status.allocatable);
  if (status.allocatable == null && isObject(status.capacity)) status.allocatable = { ...status.capacity };
}

export function defaultEndpoints(ep: KubeObject): void {
  each((ep as Obj).subsets, (ss) => each(ss.ports, (p) => {
    if (!p.protocol) p.protocol = 'TCP';
  }));
}

export function defaultReplicationController(rc: KubeObject): void {
  const s = ensureObject(rc, 'spec');
  const labels = (s.template as Obj | undefined)?.metadata?.labels;
  if (isObject(labels)) {
    if (!isObject(s.selector) || Object.keys(s.selector).length === 0) s.selector = { ...labels };
    if (Object.keys(rc.metadata?.labels ?? {}).length === 0) rc.metadata = { ...rc.metadata, labels: { ...labels } };
  }
  setDefault(s, 'replicas', 1);
  setDefault(s, 'minReadySeconds', 0);
  defaultPodTemplateSpec(s.template);
}

export function defaultPodTemplate(t: KubeObject): void {
  defaultPodTemplateSpec((t as Obj).template);
}

/** Container limits default from max, default requests from default limits and then from min. */
export function defaultLimitRange(lr: KubeObject): void {
  each(ensureObject(lr, 'spec').limits, (item) => {
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) canonicalizeResourceList(item[f]);
    if (item.type !== 'Container') return;
    const def = ensureObject(item, 'default');
    const defReq = ensureObject(item, 'defaultRequest');
    for (const [k, v] of Object.entries(isObject(item.max) ? item.max : {})) setDefault(def, k, v);
    for (const [k, v] of Object.entries(def)) setDefault(defReq, k, v);
    for (const [k, v] of Object.entries(isObject(item.min) ? item.min : {})) setDefault(defReq, k, v);
  });
}

export function defaultResourceQuota(rq: KubeObject): void {
  maybe((rq as Obj).spec, (s) => canonicalizeResourceList(s.hard));
  maybe((rq as Obj).status, (s) => {
    canonicalizeResourceList(s.hard);
    canonicalizeResourceList(s.used);
  });
}

