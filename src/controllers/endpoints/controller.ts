// The Endpoints controller (upstream's "endpoint"): for every Service with a selector, an
// Endpoints object of the same name listing the selected Pods, ready ones under `addresses`
// and the rest under `notReadyAddresses` (all under `addresses` when the Service publishes
// not-ready addresses), each with its nodeName, targetRef and, for Pods whose subdomain names
// the Service, its hostname. Terminating Pods are left out. Ports are resolved per Pod, so a
// named targetPort may map to different numbers. Services without a selector are the user's.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { ApiClient, core } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { findPort, isPodReady, podHandlers, selectorMatches, shouldPodBeInEndpoints, shouldSetHostname, splitKey } from '../endpointutil/endpointutil.js';
import { repackSubsets, type EndpointAddress, type EndpointPort, type EndpointSubset } from './subsets.js';

type Obj = Record<string, any>;

/** Upstream truncates Endpoints at 1000 addresses and says so in an annotation. */
export const MAX_ENDPOINTS = 1000;
const overCapacity = 'endpoints.kubernetes.io/over-capacity';
const headlessLabel = 'service.kubernetes.io/headless';

export const endpoints: ControllerDescriptor = {
  name: 'endpoint',
  setup: (ctx) => new EndpointsController(ctx),
};

export class EndpointsController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.services = ctx.informers.get(resources.services);
    this.pods = ctx.informers.get(resources.pods);
    this.endpoints = ctx.informers.get(resources.endpoints);
    this.controller = new Controller('endpoint', (key) => this.sync(key), { clock: ctx.clock });
    const enqueue = (obj: KubeObject) => this.controller.enqueue(`${obj.metadata.namespace}/${obj.metadata.name}`);
    this.services.on({ add: enqueue, update: (_, s) => enqueue(s), delete: enqueue });
    this.pods.on(podHandlers(this.services, (key) => this.controller.enqueue(key)));
    // Someone changed or deleted an Endpoints object we own: put it back.
    this.endpoints.on({ update: (_, e) => enqueue(e), delete: enqueue });
  }

  start(): void {
    for (const svc of this.services.list()) this.controller.enqueue(`${svc.metadata.namespace}/${svc.metadata.name}`);
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const svc = this.services.get(key);
    const current = this.endpoints.get(key);
    if (!svc) {
      // The Service is gone: so are its Endpoints (unless they were never ours to manage).
      if (current) await this.client.delete(core('endpoints', namespace), name, { preconditions: { uid: current.metadata.uid } }).catch(ignoreNotFound);
      return;
    }
    const spec = (svc.spec ?? {}) as Obj;
    if (spec.type === 'ExternalName' || !spec.selector || Object.keys(spec.selector).length === 0) return;
    const subsets = this.desiredSubsets(svc);
    const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
    const truncated = total > MAX_ENDPOINTS ? truncate(subsets, MAX_ENDPOINTS) : subsets;
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (spec.clusterIP === 'None') labels[headlessLabel] = '';
    else delete labels[headlessLabel];
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (truncated !== subsets) annotations[overCapacity] = 'truncated';
    else delete annotations[overCapacity];
    const want: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels },
      subsets: truncated,
    } as KubeObject;
    if (Object.keys(annotations).length) want.metadata.annotations = annotations;
    if (current) {
      const same =
        JSON.stringify((current as Obj).subsets ?? []) === JSON.stringify(truncated) &&
        JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels) &&
        JSON.stringify(current.metadata.annotations ?? {}) === JSON.stringify(annotations);
      if (same) return;
      await this.client.update(core('endpoints', namespace), { ...want, metadata: { ...current.metadata, labels, annotations: Object.keys(annotations).length ? annotations : undefined } });
      return;
    }
    // Should the object exist already (the cache is behind), the create fails and the retry sees it.
    await this.client.create(core('endpoints', namespace), want);
  }

  /** Every selected Pod's address under each Service port it serves, repacked as upstream does. */
  private desiredSubsets(svc: KubeObject): EndpointSubset[] {
    const spec = (svc.spec ?? {}) as Obj;
    const publishNotReady = Boolean(spec.publishNotReadyAddresses);
    const entries: Array<{ address: EndpointAddress; ready: boolean; port?: EndpointPort }> = [];
    for (const pod of this.pods.list(svc.metadata.namespace)) {
      if (!selectorMatches(spec.selector, pod.metadata.labels)) continue;
      if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
      const podSpec = (pod.spec ?? {}) as Obj;
      const address: EndpointAddress = { ip: (pod.status as Obj).podIP, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! } };
      if (podSpec.nodeName) address.nodeName = podSpec.nodeName;
      if (shouldSetHostname(pod, svc)) address.hostname = podSpec.hostname;
      const ready = publishNotReady || isPodReady(pod);
      // Not ready Pods that will never run again (restartPolicy Never/OnFailure, done) are not listed at all.
      if (!ready && !mayBecomeReady(pod)) continue;
      const ports: Obj[] = spec.ports ?? [];
      if (ports.length === 0) {
        if (spec.clusterIP === 'None') entries.push({ address, ready });
        continue;
      }
      for (const sp of ports) {
        const port = findPort(pod, sp);
        if (port === undefined) continue;
        const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
        if (sp.name) ep.name = sp.name;
        if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
        entries.push({ address, ready, port: ep });
      }
    }
    return repackSubsets(entries);
  }
}

/** Upstream's shouldPodBeInEndpoints for not-ready Pods: one that can still start (again) is listed. */
function mayBecomeReady(pod: KubeObject): boolean {
  const policy = (pod.spec as Obj | undefined)?.restartPolicy ?? 'Always';
  const phase = (pod.status as Obj | undefined)?.phase;
  if (policy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (policy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

/** Keep at most max addresses, ready ones first, spread over the subsets in order. */
function truncate(subsets: EndpointSubset[], max: number): EndpointSubset[] {
  let left = max;
  const out = subsets.map((s) => ({ ...s }));
  for (const s of out) {
    const kept = (s.addresses ?? []).slice(0, left);
    left -= kept.length;
    if (kept.length) s.addresses = kept;
    else delete s.addresses;
  }
  for (const s of out) {
    const kept = (s.notReadyAddresses ?? []).slice(0, left);
    left -= kept.length;
    if (kept.length) s.notReadyAddresses = kept;
    else delete s.notReadyAddresses;
  }
  return out.filter((s) => s.addresses || s.notReadyAddresses);
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
}
