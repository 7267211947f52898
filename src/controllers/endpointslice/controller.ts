// The EndpointSlice controller (upstream's "endpointslice"): for every Service with a selector,
// EndpointSlices (label kubernetes.io/service-name, managed-by endpointslice-controller.k8s.io,
// owned by the Service) listing the selected Pods with their conditions: `ready` (ready and not
// terminating, or the Service publishes not-ready addresses), `serving` (ready, even while
// terminating) and `terminating`, plus targetRef, nodeName, zone and, for Pods whose subdomain
// names the Service, hostname. Unlike Endpoints, terminating Pods stay listed (not ready), so
// proxies drop them from rotation at once yet can still fall back on them. At most 100
// endpoints per slice. Services without a selector get no slices from here.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { ApiClient, type ResourceRef } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller, type Result } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { findPort, isPodReady, podHandlers, selectorMatches, shouldPodBeInEndpoints, shouldSetHostname, splitKey } from '../endpointutil/endpointutil.js';
import { portsKey, reconcileSlices, type DesiredGroup, type Slice } from './reconciler.js';

type Obj = Record<string, any>;

export const MAX_ENDPOINTS_PER_SLICE = 100;
export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const controllerName = 'endpointslice-controller.k8s.io';
const headlessLabel = 'service.kubernetes.io/headless';
const zoneLabel = 'topology.kubernetes.io/zone';

export const endpointSlice: ControllerDescriptor = {
  name: 'endpointslice',
  setup: (ctx) => new EndpointSliceController(ctx),
};

const slicesOf = (namespace: string): ResourceRef => ({ ...resources.endpointSlices, namespace });

export class EndpointSliceController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly slices: Informer;
  /**
   * What this controller wrote and the cache may not show yet, per Service: slice name →
   * resourceVersion written, or 'deleted'. A sync waits until the cache has caught up, so it
   * never makes a second slice for endpoints it already placed (upstream's slice tracker).
   */
  private readonly written = new Map<string, Map<string, string>>();

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.services = ctx.informers.get(resources.services);
    this.pods = ctx.informers.get(resources.pods);
    this.nodes = ctx.informers.get(resources.nodes);
    this.slices = ctx.informers.get(resources.endpointSlices);
    this.slices.addIndex('service', (s) => (s.metadata.labels?.[managedByLabel] === controllerName && s.metadata.labels?.[serviceNameLabel] ? [`${s.metadata.namespace}/${s.metadata.labels[serviceNameLabel]}`] : []));
    this.controller = new Controller('endpointslice', (key) => this.sync(key), { clock: ctx.clock });
    const enqueue = (obj: KubeObject) => this.controller.enqueue(`${obj.metadata.namespace}/${obj.metadata.name}`);
    this.services.on({ add: enqueue, update: (_, s) => enqueue(s), delete: enqueue });
    this.pods.on(podHandlers(this.services, (key) => this.controller.enqueue(key)));
    const bySlice = (s: KubeObject) => {
      const name = s.metadata.labels?.[serviceNameLabel];
      if (name && s.metadata.labels?.[managedByLabel] === controllerName) this.controller.enqueue(`${s.metadata.namespace}/${name}`);
    };
    this.slices.on({ add: bySlice, update: (_, s) => bySlice(s), delete: bySlice });
  }

  start(): void {
    for (const svc of this.services.list()) this.controller.enqueue(`${svc.metadata.namespace}/${svc.metadata.name}`);
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private cacheBehind(key: string): boolean {
    const written = this.written.get(key);
    if (!written) return false;
    const [namespace] = splitKey(key);
    for (const [name, rv] of written) {
      const cached = this.slices.get(`${namespace}/${name}`);
      if (rv === 'deleted' ? cached !== undefined : !cached || Number(cached.metadata.resourceVersion) < Number(rv)) return true;
    }
    this.written.delete(key);
    return false;
  }

  private note(key: string, name: string, rv: string): void {
    let m = this.written.get(key);
    if (!m) this.written.set(key, (m = new Map()));
    m.set(name, rv);
  }

  async sync(key: string): Promise<Result | void> {
    const [namespace, name] = splitKey(key);
    const svc = this.services.get(key);
    if (!svc) {
      // The garbage collector would delete the owned slices; do it now so proxies stop at once.
      for (const s of this.slices.byIndex('service', key)) await this.client.delete(slicesOf(namespace), s.metadata.name!, { preconditions: { uid: s.metadata.uid } }).catch(ignoreGone);
      this.written.delete(key);
      return;
    }
    const spec = (svc.spec ?? {}) as Obj;
    if (spec.type === 'ExternalName' || !spec.selector || Object.keys(spec.selector).length === 0) return;
    if (this.cacheBehind(key)) return { requeueAfterMs: 100 };
    const existing = this.slices.byIndex('service', key).filter((s) => (s as Obj).addressType === 'IPv4') as unknown as Slice[];
    const desired = this.desiredGroups(svc);
    const labels = sliceLabels(svc);
    const owner = { apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true };
    const changes = reconcileSlices(
      existing,
      desired,
      MAX_ENDPOINTS_PER_SLICE,
      (ports) => ({ metadata: { generateName: `${name.slice(0, 57)}-`, namespace, labels, ownerReferences: [owner] }, addressType: 'IPv4', ports }),
      (s) => ({ ...s.metadata, labels, ownerReferences: [owner] }),
    );
    for (const s of changes.create) {
      const created = await this.client.create(slicesOf(namespace), { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...s } as unknown as KubeObject);
      this.note(key, created.metadata.name!, created.metadata.resourceVersion!);
    }
    for (const s of changes.update) {
      const updated = await this.client.update(slicesOf(namespace), { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...s } as unknown as KubeObject);
      this.note(key, updated.metadata.name!, updated.metadata.resourceVersion!);
    }
    for (const s of changes.delete) {
      await this.client.delete(slicesOf(namespace), s.metadata.name, { preconditions: { uid: s.metadata.uid } }).catch(ignoreGone);
      this.note(key, s.metadata.name, 'deleted');
    }
  }

  /** The selected Pods as endpoints, grouped by the ports they serve. */
  private desiredGroups(svc: KubeObject): DesiredGroup[] {
    const spec = (svc.spec ?? {}) as Obj;
    const groups = new Map<string, DesiredGroup>();
    const pods = this.pods.list(svc.metadata.namespace).filter((p) => selectorMatches(spec.selector, p.metadata.labels) && shouldPodBeInEndpoints(p, true));
    pods.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    for (const pod of pods) {
      const ports: Obj[] = [];
      for (const sp of spec.ports ?? []) {
        const port = findPort(pod, sp);
        if (port === undefined) continue;
        const p: Obj = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
        if (sp.appProtocol) p.appProtocol = sp.appProtocol;
        ports.push(p);
      }
      const k = portsKey(ports);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { ports, endpoints: [] }));
      g.endpoints.push(this.endpointFor(pod, svc));
    }
    return [...groups.values()];
  }

  private endpointFor(pod: KubeObject, svc: KubeObject): Obj {
    const podSpec = (pod.spec ?? {}) as Obj;
    const serving = isPodReady(pod);
    const terminating = Boolean(pod.metadata.deletionTimestamp);
    const ready = Boolean((svc.spec as Obj).publishNotReadyAddresses) || (serving && !terminating);
    const ep: Obj = {
      addresses: [(pod.status as Obj).podIP],
      conditions: { ready, serving, terminating },
    };
    if (shouldSetHostname(pod, svc)) ep.hostname = podSpec.hostname;
    ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
    if (podSpec.nodeName) {
      ep.nodeName = podSpec.nodeName;
      const zone = this.nodes.get(podSpec.nodeName)?.metadata.labels?.[zoneLabel];
      if (zone) ep.zone = zone;
    }
    return ep;
  }
}

/** The Service's labels, then ours: whose slice this is and who manages it. */
function sliceLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (k !== serviceNameLabel && k !== managedByLabel && k !== headlessLabel) labels[k] = v;
  if ((svc.spec as Obj).clusterIP === 'None') labels[headlessLabel] = '';
  labels[serviceNameLabel] = svc.metadata.name!;
  labels[managedByLabel] = controllerName;
  return labels;
}

function ignoreGone(err: unknown): void {
  if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
}
