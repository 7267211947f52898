// What the Endpoints and EndpointSlice controllers share (upstream's
// pkg/controller/util/endpoint and endpointslice/util): which Pods a Service selects, which of
// them belong in its endpoints, the port a Service port reaches on each Pod (named target
// ports resolve per Pod), and the Services to look at again when a Pod changes.
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';

type Obj = Record<string, any>;

export function isPodReady(pod: KubeObject): boolean {
  return ((pod.status as Obj | undefined)?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Whether a Pod is an endpoint at all: it has an IP and has not finished; a terminating Pod
 * only when includeTerminating (EndpointSlices list terminating Pods, Endpoints do not unless
 * the Service publishes not-ready addresses).
 */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  const status = (pod.status ?? {}) as Obj;
  if (status.phase === 'Failed' || status.phase === 'Succeeded') return false;
  if (!status.podIP) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** A Pod's hostname is published when its subdomain names the Service (StatefulSet Pods). */
export function shouldSetHostname(pod: KubeObject, svc: KubeObject): boolean {
  const spec = (pod.spec ?? {}) as Obj;
  return Boolean(spec.hostname) && spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/** The container port a Service port targets on this Pod, or undefined when the Pod has no such named port. */
export function findPort(pod: KubeObject, servicePort: Obj): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  const spec = (pod.spec ?? {}) as Obj;
  // Sidecars (init containers that keep running) serve ports as well.
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? []).filter((c: Obj) => c.restartPolicy === 'Always')];
  for (const c of containers) for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Services whose selector picks a Pod with these labels, as namespace/name keys. */
export function servicesSelecting(services: Informer, namespace: string, labels: Record<string, string> | undefined): string[] {
  return services
    .list(namespace)
    .filter((svc) => {
      const selector = (svc.spec as Obj | undefined)?.selector;
      return selector && Object.keys(selector).length > 0 && selectorMatches(selector, labels);
    })
    .map((svc) => `${svc.metadata.namespace}/${svc.metadata.name}`);
}

/** What of a Pod its endpoints depend on; a change elsewhere (say, a container restart count) is ignored. */
function endpointFacts(pod: KubeObject): unknown {
  const spec = (pod.spec ?? {}) as Obj;
  const status = (pod.status ?? {}) as Obj;
  return JSON.stringify([
    status.podIP,
    status.podIPs,
    status.phase,
    isPodReady(pod),
    pod.metadata.deletionTimestamp,
    spec.nodeName,
    spec.hostname,
    spec.subdomain,
    (spec.containers ?? []).map((c: Obj) => c.ports),
    (spec.initContainers ?? []).map((c: Obj) => [c.restartPolicy, c.ports]),
  ]);
}

/**
 * Pod event handlers that enqueue the Services a change concerns: those selecting the Pod's
 * labels before and after, when its labels or its endpoint facts changed.
 */
export function podHandlers(services: Informer, enqueue: (key: string) => void) {
  const forPod = (pod: KubeObject) => servicesSelecting(services, pod.metadata.namespace!, pod.metadata.labels).forEach(enqueue);
  return {
    add: forPod,
    delete: forPod,
    update: (oldPod: KubeObject, newPod: KubeObject) => {
      const labelsChanged = JSON.stringify(oldPod.metadata.labels ?? {}) !== JSON.stringify(newPod.metadata.labels ?? {});
      if (!labelsChanged && endpointFacts(oldPod) === endpointFacts(newPod)) return;
      const keys = new Set([...servicesSelecting(services, newPod.metadata.namespace!, newPod.metadata.labels), ...(labelsChanged ? servicesSelecting(services, oldPod.metadata.namespace!, oldPod.metadata.labels) : [])]);
      keys.forEach(enqueue);
    },
  };
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
