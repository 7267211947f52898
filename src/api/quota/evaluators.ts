// What an object costs against a ResourceQuota (upstream pkg/quota/v1/evaluator/core): every
// object counts as `count/<resource>[.<group>]`; Pods also as pods, cpu, memory and their
// requests./limits. forms; Services as services, nodeports and load balancers; claims as
// persistentvolumeclaims and requests.storage (also per StorageClass). Pod quotas may be
// scoped (Terminating, BestEffort, PriorityClass, ...); the others match unscoped quotas only.
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { podQOSClass } from '../defaults/pod.js';
import { compareQuantities } from '../validation/quantity.js';
import { add, fromStrings, quantity, type ResourceList } from './resourcelist.js';

export interface GroupResource {
  group: string;
  /** The plural resource name ("pods", "deployments"). */
  resource: string;
}

export interface Evaluator {
  /** Whether a create or update of this kind is charged. */
  handles(operation: string): boolean;
  /** The names among `names` this evaluator can measure. */
  matchingResources(names: string[]): string[];
  usage(obj: KubeObject, now: number): ResourceList;
  /** Whether the object falls within the quota's scopes. */
  matchesScopes(quota: KubeObject, obj: KubeObject): boolean;
  /** Why the object may not be admitted under a quota tracking `required`, if it may not. */
  constraints(required: string[], obj: KubeObject): string | undefined;
}

export function objectCountName(gr: GroupResource): string {
  return gr.group ? `count/${gr.resource}.${gr.group}` : `count/${gr.resource}`;
}

const one = () => quantity(1);

/** The scope requirements of a quota: spec.scopes plus spec.scopeSelector. */
function scopeRequirements(quota: KubeObject): Array<{ scopeName: string; operator: string; values?: string[] }> {
  const spec = (quota.spec ?? {}) as any;
  const reqs = (spec.scopes ?? []).map((s: string) => ({ scopeName: s, operator: 'Exists' }));
  return [...reqs, ...(spec.scopeSelector?.matchExpressions ?? [])];
}

/** Objects other than Pods are only tracked by unscoped quotas. */
const noScopes = (quota: KubeObject) => scopeRequirements(quota).length === 0;

function objectCountEvaluator(gr: GroupResource, legacy?: string): Evaluator {
  const names = [objectCountName(gr), ...(legacy ? [legacy] : [])];
  return {
    handles: (op) => op === 'CREATE',
    matchingResources: (list) => list.filter((n) => names.includes(n)),
    usage: () => Object.fromEntries(names.map((n) => [n, one()])),
    matchesScopes: (quota) => noScopes(quota),
    constraints: () => undefined,
  };
}

// ---- Pods ----

const podResources = new Set([
  'pods', 'count/pods', 'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
/** Quotas on these make every container state them (a compatibility rule upstream keeps). */
const validationSet = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

function isExtendedRequest(name: string): boolean {
  return name.startsWith('requests.') && name.includes('/') && !name.slice('requests.'.length).startsWith('kubernetes.io/');
}

function addList(into: ResourceList, more: ResourceList): void {
  for (const [k, v] of Object.entries(add(into, more))) into[k] = v;
}

function maxList(into: ResourceList, other: ResourceList): void {
  for (const [k, v] of Object.entries(other)) if (!(k in into) || compareQuantities(v, into[k]) > 0) into[k] = v;
}

/**
 * A Pod's effective requests or limits (upstream PodRequests/PodLimits): its containers
 * summed, restartable (sidecar) init containers added, other init containers taking the max,
 * plus the overhead (for limits, only where a limit is set).
 */
export function podResourceList(spec: any, kind: 'requests' | 'limits'): ResourceList {
  const total: ResourceList = {};
  for (const c of spec?.containers ?? []) addList(total, fromStrings(c?.resources?.[kind]));
  const sidecars: ResourceList = {};
  const init: ResourceList = {};
  for (const c of spec?.initContainers ?? []) {
    const own = fromStrings(c?.resources?.[kind]);
    if (c?.restartPolicy === 'Always') {
      addList(total, own);
      addList(sidecars, own);
      maxList(init, sidecars);
    } else {
      const effective = { ...own };
      addList(effective, sidecars);
      maxList(init, effective);
    }
  }
  maxList(total, init);
  const overhead = fromStrings(spec?.overhead);
  for (const [k, v] of Object.entries(overhead)) {
    if (kind === 'requests' || k in total) addList(total, { [k]: v });
  }
  return total;
}

/** Compute usage from requests and limits (upstream podComputeUsageHelper). */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: one() };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (r in requests) {
      out[r] = requests[r];
      out[`requests.${r}`] = requests[r];
    }
    if (r in limits) out[`limits.${r}`] = limits[r];
  }
  for (const [r, q] of Object.entries(requests)) {
    if (r.startsWith('hugepages-')) {
      out[r] = q;
      out[`requests.${r}`] = q;
    } else if (r.includes('/') && !r.startsWith('kubernetes.io/')) {
      out[`requests.${r}`] = q;
    }
  }
  return out;
}

/** Finished Pods, and Pods stuck terminating past their grace period, use no compute quota. */
export function podCountsForQuota(pod: KubeObject, now: number): boolean {
  const phase = (pod.status as any)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const m = pod.metadata;
  if (m.deletionTimestamp && m.deletionGracePeriodSeconds != null && now > Date.parse(m.deletionTimestamp) + m.deletionGracePeriodSeconds * 1000) return false;
  return true;
}

function podMatchesScope(req: { scopeName: string; operator: string; values?: string[] }, pod: KubeObject): boolean {
  const spec = (pod.spec ?? {}) as any;
  switch (req.scopeName) {
    case 'Terminating':
      return spec.activeDeadlineSeconds != null && spec.activeDeadlineSeconds >= 0;
    case 'NotTerminating':
      return !(spec.activeDeadlineSeconds != null && spec.activeDeadlineSeconds >= 0);
    case 'BestEffort':
      return podQOSClass(spec) === 'BestEffort';
    case 'NotBestEffort':
      return podQOSClass(spec) !== 'BestEffort';
    case 'PriorityClass': {
      const pc: string = spec.priorityClassName ?? '';
      if (req.operator === 'Exists') return pc !== '';
      if (req.operator === 'DoesNotExist') return pc === '';
      if (req.operator === 'In') return (req.values ?? []).includes(pc);
      if (req.operator === 'NotIn') return !(req.values ?? []).includes(pc);
      return false;
    }
    case 'CrossNamespacePodAffinity': {
      const terms = [
        ...(spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(spec.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w: any) => w.podAffinityTerm),
        ...(spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w: any) => w.podAffinityTerm),
      ];
      const cross = terms.some((t: any) => (t?.namespaces ?? []).length > 0 || isObject(t?.namespaceSelector));
      return req.operator === 'DoesNotExist' ? !cross : cross;
    }
    default:
      return false;
  }
}

const podEvaluator: Evaluator = {
  handles: (op) => op === 'CREATE',
  matchingResources: (names) => names.filter((n) => podResources.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || isExtendedRequest(n)),
  usage(pod, now) {
    // Every Pod in storage counts in count/pods; the rest only while it can run.
    const out: ResourceList = { 'count/pods': one() };
    if (!podCountsForQuota(pod, now)) return out;
    const spec = pod.spec as any;
    return { ...out, ...computeUsage(podResourceList(spec, 'requests'), podResourceList(spec, 'limits')) };
  },
  matchesScopes: (quota, pod) => scopeRequirements(quota).every((r) => podMatchesScope(r, pod)),
  constraints(required, pod) {
    const needed = required.filter((r) => validationSet.includes(r));
    if (needed.length === 0) return undefined;
    const missing = new Map<string, Set<string>>();
    const spec = pod.spec as any;
    for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
      const have = computeUsage(fromStrings(c?.resources?.requests), fromStrings(c?.resources?.limits));
      for (const r of needed) if (!(r in have)) missing.set(r, new Set([...(missing.get(r) ?? []), c.name]));
    }
    if (missing.size === 0) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
};

// ---- Services ----

const serviceResources = ['services', 'count/services', 'services.nodeports', 'services.loadbalancers'];

const serviceEvaluator: Evaluator = {
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (names) => names.filter((n) => serviceResources.includes(n)),
  usage(svc) {
    const spec = (svc.spec ?? {}) as any;
    const ports: any[] = spec.ports ?? [];
    const out: ResourceList = { 'count/services': one(), services: one() };
    if (spec.type === 'NodePort') out['services.nodeports'] = quantity(ports.length);
    if (spec.type === 'LoadBalancer') {
      // Node ports are not allocated yet: count what the Service asks for.
      out['services.nodeports'] = quantity(spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length);
      out['services.loadbalancers'] = one();
    }
    return out;
  },
  matchesScopes: noScopes,
  constraints: () => undefined,
};

// ---- PersistentVolumeClaims ----

const storageClassSuffix = '.storageclass.storage.k8s.io/';

function claimClass(pvc: KubeObject): string {
  return ((pvc.spec as any)?.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '') as string;
}

const pvcEvaluator: Evaluator = {
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (names) =>
    names.filter((n) => ['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage'].includes(n) || (n.includes(storageClassSuffix) && /\/(requests\.storage|persistentvolumeclaims)$/.test(n))),
  usage(pvc) {
    const out: ResourceList = { 'count/persistentvolumeclaims': one(), persistentvolumeclaims: one() };
    const cls = claimClass(pvc);
    if (cls) out[`${cls}${storageClassSuffix}persistentvolumeclaims`] = one();
    const requested = fromStrings((pvc.spec as any)?.resources?.requests).storage;
    const allocated = fromStrings((pvc.status as any)?.allocatedResources).storage;
    // A resize in progress is charged at the larger of the two.
    const storage = requested && allocated ? (compareQuantities(allocated, requested) > 0 ? allocated : requested) : (requested ?? allocated);
    if (storage) {
      out['requests.storage'] = storage;
      if (cls) out[`${cls}${storageClassSuffix}requests.storage`] = storage;
    }
    return out;
  },
  matchesScopes: noScopes,
  constraints: () => undefined,
};

/** Core resources whose object count also has a name without the count/ prefix. */
const legacyCountNames = new Set(['configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas']);

export function evaluatorFor(gr: GroupResource): Evaluator {
  if (gr.group === '') {
    if (gr.resource === 'pods') return podEvaluator;
    if (gr.resource === 'services') return serviceEvaluator;
    if (gr.resource === 'persistentvolumeclaims') return pvcEvaluator;
    if (legacyCountNames.has(gr.resource)) return objectCountEvaluator(gr, gr.resource);
  }
  return objectCountEvaluator(gr);
}

/**
 * The resource a quota name is measured on, for names the controller can recount: pods,
 * services and claims by their own names, everything else by `count/<resource>[.<group>]`.
 */
export function groupResourceOf(name: string): GroupResource | undefined {
  if (podEvaluator.matchingResources([name]).length) return { group: '', resource: 'pods' };
  if (serviceEvaluator.matchingResources([name]).length) return { group: '', resource: 'services' };
  if (pvcEvaluator.matchingResources([name]).length) return { group: '', resource: 'persistentvolumeclaims' };
  if (legacyCountNames.has(name)) return { group: '', resource: name };
  const m = /^count\/([a-z0-9-]+)(?:\.(.+))?$/.exec(name);
  return m ? { group: m[2] ?? '', resource: m[1] } : undefined;
}
