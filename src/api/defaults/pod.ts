// Defaults for pods and everything that embeds a pod template: the PodSpec fields upstream fills
// (restart and DNS policy, scheduler, grace period), each container's pull policy and termination
// message settings, ports' protocol, probe timings, volume file modes, and downward API versions.
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { addQuantities, compareQuantities, parseQuantityExact, quantityError, type Quantity } from '../validation/quantity.js';
import { canonicalizeQuantity, canonicalizeRequirements, canonicalizeResourceList, each, ensureObject, maybe, setDefault, type Obj } from './common.js';

/** File mode 0644, upstream's default for secret, configMap, downwardAPI and projected volumes. */
export const DEFAULT_FILE_MODE = 0o644;
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/**
 * The tag of an image reference as upstream's parser sees it: "latest" when none is given, empty
 * when the reference only pins a digest or cannot be parsed.
 */
export function imageTag(image: string): string {
  if (!image || /[A-Z]/.test(image.split('@')[0].split('/').slice(-1)[0].split(':')[0]) || /\s/.test(image)) return '';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: Obj): void {
  maybe(h.httpGet, (g) => {
    setDefault(g, 'path', '/');
    setDefault(g, 'scheme', 'HTTP');
  });
  maybe(h.grpc, (g) => setDefault(g, 'service', ''));
}

function defaultProbe(p: Obj): void {
  for (const [k, v] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (!p[k]) p[k] = v;
  }
  defaultHandler(p);
}

function defaultFieldRef(f: Obj): void {
  setDefault(f, 'apiVersion', 'v1');
}

export function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(typeof c.image === 'string' ? c.image : '');
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  each(c.ports, (p) => {
    if (!p.protocol) p.protocol = 'TCP';
  });
  each(c.env, (e) => maybe(e.valueFrom, (vf) => maybe(vf.fieldRef, defaultFieldRef)));
  canonicalizeRequirements(c.resources);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) maybe(c[probe], defaultProbe);
  maybe(c.lifecycle, (l) => {
    maybe(l.postStart, defaultHandler);
    maybe(l.preStop, defaultHandler);
  });
}

export function defaultPersistentVolumeClaimSpec(spec: Obj): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
  canonicalizeRequirements(spec.resources);
}

function defaultDownwardAPIItems(items: unknown): void {
  each(items, (item) => maybe(item.fieldRef, defaultFieldRef));
}

/** Defaults shared by pod volumes and persistent volume sources. */
export function defaultVolumeSources(v: Obj): void {
  maybe(v.hostPath, (h) => setDefault(h, 'type', ''));
  maybe(v.iscsi, (s) => setDefault(s, 'iscsiInterface', 'default'));
  maybe(v.rbd, (s) => {
    setDefault(s, 'pool', 'rbd');
    setDefault(s, 'user', 'admin');
    setDefault(s, 'keyring', '/etc/ceph/keyring');
  });
  maybe(v.azureDisk, (s) => {
    setDefault(s, 'cachingMode', 'ReadWrite');
    setDefault(s, 'fsType', 'ext4');
    setDefault(s, 'readOnly', false);
    setDefault(s, 'kind', 'Shared');
  });
  maybe(v.scaleIO, (s) => {
    setDefault(s, 'storageMode', 'ThinProvisioned');
    setDefault(s, 'fsType', 'xfs');
  });
}

const VOLUME_SOURCE_KEYS = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs', 'persistentVolumeClaim',
  'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

export function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCE_KEYS.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  defaultVolumeSources(v);
  maybe(v.emptyDir, (e) => canonicalizeQuantity(e, 'sizeLimit'));
  for (const key of ['secret', 'configMap']) maybe(v[key], (s) => setDefault(s, 'defaultMode', DEFAULT_FILE_MODE));
  maybe(v.downwardAPI, (d) => {
    setDefault(d, 'defaultMode', DEFAULT_FILE_MODE);
    defaultDownwardAPIItems(d.items);
  });
  maybe(v.projected, (p) => {
    setDefault(p, 'defaultMode', DEFAULT_FILE_MODE);
    each(p.sources, (s) => {
      maybe(s.downwardAPI, (d) => defaultDownwardAPIItems(d.items));
      maybe(s.serviceAccountToken, (t) => setDefault(t, 'expirationSeconds', 3600));
    });
  });
  maybe(v.ephemeral, (e) => maybe(e.volumeClaimTemplate, (t) => maybe(t.spec, defaultPersistentVolumeClaimSpec)));
  maybe(v.image, (img) => {
    if (!img.pullPolicy) img.pullPolicy = defaultPullPolicy(typeof img.reference === 'string' ? img.reference : '');
  });
}

/** Fields every PodSpec gets, in pods and in templates alike. */
export function defaultPodSpec(spec: Obj): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
  if (!spec.schedulerName) spec.schedulerName = DEFAULT_SCHEDULER_NAME;
  // The v1 API keeps the deprecated serviceAccount field as an alias of serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  each(spec.volumes, defaultVolume);
  each(spec.containers, defaultContainer);
  each(spec.initContainers, defaultContainer);
  each(spec.ephemeralContainers, defaultContainer);
  canonicalizeResourceList(spec.overhead);
  canonicalizeRequirements(spec.resources);
}

export function defaultPodTemplateSpec(template: unknown): void {
  maybe(template, (t) => defaultPodSpec(ensureObject(t, 'spec')));
}

/** Requests a container omits but limits name default to those limits (pods only, not templates). */
function defaultRequestsFromLimits(c: Obj): void {
  const limits = c.resources?.limits;
  if (!isObject(limits)) return;
  const requests = ensureObject(c.resources, 'requests');
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
}

export function defaultPod(pod: KubeObject): void {
  const spec = ensureObject(pod, 'spec');
  each(spec.containers, defaultRequestsFromLimits);
  each(spec.initContainers, defaultRequestsFromLimits);
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const list of [spec.containers, spec.initContainers]) {
      each(list, (c) => each(c.ports, (p) => {
        if (!p.hostPort) p.hostPort = p.containerPort;
      }));
    }
  }
  // What the Priority admission plugin fills when no PriorityClass is named and none is the
  // global default: the pod runs at priority 0 and may preempt lower priorities.
  if (!spec.priorityClassName) {
    setDefault(spec, 'priority', 0);
    setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  }
  defaultPodSpec(spec);
}

/** The QoS class upstream records in a new pod's status: Guaranteed, Burstable or BestEffort. */
export function podQOSClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const add = (sums: Map<string, Quantity>, name: string, q: Quantity) => sums.set(name, sums.has(name) ? addQuantities(sums.get(name)!, q) : q);
  const positive = (v: unknown): Quantity | undefined => {
    if (quantityError(v)) return undefined;
    const q = parseQuantityExact(v as string);
    return q.mantissa > 0n ? q : undefined;
  };
  for (const c of [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])]) {
    if (!isObject(c)) continue;
    for (const [name, v] of Object.entries(isObject(c.resources?.requests) ? c.resources.requests : {})) {
      const q = QOS_RESOURCES.includes(name) ? positive(v) : undefined;
      if (q) add(requests, name, q);
    }
    const found = new Set<string>();
    for (const [name, v] of Object.entries(isObject(c.resources?.limits) ? c.resources.limits : {})) {
      const q = QOS_RESOURCES.includes(name) ? positive(v) : undefined;
      if (!q) continue;
      found.add(name);
      add(limits, name, q);
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantities(lim, req) !== 0) guaranteed = false;
    }
    if (guaranteed && requests.size === limits.size) return 'Guaranteed';
  }
  return 'Burstable';
}

const QOS_RESOURCES = ['cpu', 'memory'];
