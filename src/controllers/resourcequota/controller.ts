// The resource quota controller (upstream pkg/controller/resourcequota): recounts what each
// ResourceQuota tracks from the objects in its namespace and writes status.hard (the spec's
// limits) and status.used. Admission charges creates as they happen; this controller gives
// usage back when objects go or finish (replenishment), and recounts everything periodically.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/types.js';
import { evaluatorFor, groupResourceOf, type GroupResource } from '../../api/quota/evaluators.js';
import { add, equal, fromStrings, mask, toStrings, zero, type ResourceList } from '../../api/quota/resourcelist.js';
import { ApiClient, type ResourceRef } from '../../client/client.js';
import { Informer, objectKeyOf } from '../../client/informer.js';
import type { Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller, type Result } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';

export const resourceQuotaController: ControllerDescriptor = {
  name: 'resourcequota',
  // Upstream resyncs every 5 minutes; the fast profile sooner.
  setup: (ctx) => new ResourceQuotaController(ctx, { resyncMs: ctx.profile === 'fast' ? 30_000 : 5 * 60_000 }),
};

/** Resources watched for replenishment; anything else quota counts is listed at each sync. */
const watched: Array<Omit<ResourceRef, 'namespace'>> = [
  resources.pods,
  resources.services,
  resources.persistentVolumeClaims,
  { group: '', version: 'v1', plural: 'configmaps' },
  { group: '', version: 'v1', plural: 'secrets' },
  resources.deployments,
  resources.replicaSets,
  resources.statefulSets,
  resources.daemonSets,
  resources.jobs,
  resources.cronJobs,
];

export class ResourceQuotaController {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly quotas: Informer;
  private readonly informers = new Map<string, Informer>();
  private readonly preferredVersions = new Map<string, string>();
  readonly controller: Controller;

  constructor(ctx: ControllerContext, private readonly opts: { resyncMs: number }) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.quotas = ctx.informers.get(resources.resourceQuotas);
    this.controller = new Controller('resourcequota', (key) => this.sync(key), { clock: ctx.clock });
    this.quotas.on({
      add: (q) => this.controller.enqueue(objectKeyOf(q)),
      // Only a new spec.hard calls for a recount: status changes are this controller's and
      // admission's own, and recounting on them would race admission's charges.
      update: (old, cur) => {
        if (!equal(fromStrings((old.spec as any)?.hard), fromStrings((cur.spec as any)?.hard))) this.controller.enqueue(objectKeyOf(cur));
      },
    });
    for (const ref of watched) {
      const informer = ctx.informers.get(ref);
      this.informers.set(`${ref.group}/${ref.plural}`, informer);
      const evaluator = evaluatorFor({ group: ref.group, resource: ref.plural });
      informer.on({
        // What goes, or uses less than before, is given back; new objects were charged at admission.
        update: (old, cur) => {
          const now = this.clock.now();
          if (!equal(evaluator.usage(old, now), evaluator.usage(cur, now))) this.enqueueNamespace(cur.metadata.namespace);
        },
        delete: (obj) => this.enqueueNamespace(obj.metadata.namespace),
      });
    }
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private enqueueNamespace(namespace: string | undefined): void {
    if (!namespace) return;
    for (const q of this.quotas.list(namespace)) this.controller.enqueue(objectKeyOf(q));
  }

  private async sync(key: string): Promise<Result | void> {
    const quota = this.quotas.get(key);
    if (!quota) return;
    const hard = fromStrings((quota.spec as any)?.hard);
    const names = Object.keys(hard);
    // Group the tracked names by the resource they are measured on.
    const byResource = new Map<string, { gr: GroupResource; names: string[] }>();
    for (const name of names) {
      const gr = groupResourceOf(name);
      if (!gr) continue;
      const k = `${gr.group}/${gr.resource}`;
      byResource.set(k, { gr, names: [...(byResource.get(k)?.names ?? []), name] });
    }
    let used: ResourceList = {};
    const now = this.clock.now();
    for (const { gr, names: tracked } of byResource.values()) {
      const evaluator = evaluatorFor(gr);
      const matched = evaluator.matchingResources(tracked);
      if (matched.length === 0) continue;
      const objects = await this.objects(gr, quota.metadata.namespace!);
      if (objects === undefined) continue;
      let stats: ResourceList = Object.fromEntries(matched.map((n) => [n, zero()]));
      for (const obj of objects) if (evaluator.matchesScopes(quota, obj)) stats = add(stats, evaluator.usage(obj, now));
      used = add(used, mask(stats, matched));
    }
    const status = { hard: toStrings(hard), used: toStrings(mask(used, names)) };
    if (!isDeepStrictEqual(normalize((quota as any).status), normalize(status))) {
      await this.client.update({ ...resources.resourceQuotas, namespace: quota.metadata.namespace }, { ...quota, status } as KubeObject, 'status');
    }
    return { requeueAfterMs: this.opts.resyncMs };
  }

  /** The namespace's objects of a resource: from a watched informer, else listed now. */
  private async objects(gr: GroupResource, namespace: string): Promise<KubeObject[] | undefined> {
    const informer = this.informers.get(`${gr.group}/${gr.resource}`);
    if (informer) return informer.list(namespace);
    const version = await this.preferredVersion(gr.group);
    if (!version) return undefined;
    const list = await this.client.list({ group: gr.group, version, plural: gr.resource, namespace }).catch(() => undefined);
    return list?.items;
  }

  private async preferredVersion(group: string): Promise<string | undefined> {
    if (group === '') return 'v1';
    if (!this.preferredVersions.has(group)) {
      const g: any = await this.client.request('GET', `/apis/${group}`).catch(() => undefined);
      if (!g?.preferredVersion?.version) return undefined;
      this.preferredVersions.set(group, g.preferredVersion.version);
    }
    return this.preferredVersions.get(group);
  }
}

/** Status lists compared by value: "1Gi" and "1024Mi" are the same usage. */
function normalize(status: any): unknown {
  return { hard: toStrings(fromStrings(status?.hard)), used: toStrings(fromStrings(status?.used)) };
}
