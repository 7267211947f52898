// The StatefulSet controller (upstream pkg/controller/statefulset): stable Pods `<set>-<ordinal>`
// with their own PersistentVolumeClaims, started in order, updated from the highest ordinal down,
// with ControllerRevision history. A pass claims the set's Pods and revisions, runs the control
// loop (control.ts), records status and prunes history.
import { fromLabelSelector, matches } from '../../api/labels.js';
import type { KubeObject } from '../../api/types.js';
import { core, type ApiClient, type ResourceRef } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { ControllerHistory } from '../history/history.js';
import { sortRevisions, type ControllerRevision } from '../history/revision.js';
import { ControllerRefManager } from '../runtime/controllerref.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller, type Result } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { controllerOf } from '../runtime/owners.js';
import { completeRollingUpdate, StatefulSetControl, type Revisions, type StatefulSetStatus } from './control.js';
import { isMemberOf, replicasOf } from './identity.js';
import { StatefulPodControl } from './podcontrol.js';

export const statefulSet: ControllerDescriptor = {
  name: 'statefulset',
  setup: (ctx) => new StatefulSetController(ctx),
};

export const statefulSetsRef = (namespace?: string): ResourceRef => ({ group: 'apps', version: 'v1', plural: 'statefulsets', namespace });

export class StatefulSetController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly history: ControllerHistory;
  private readonly control: StatefulSetControl;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.sets = ctx.informers.get(resources.statefulSets);
    this.pods = ctx.informers.get(resources.pods);
    const claims = ctx.informers.get(resources.persistentVolumeClaims);
    this.history = new ControllerHistory(ctx.client, ctx.informers.get<ControllerRevision>(resources.controllerRevisions));
    const podControl = new StatefulPodControl(ctx.client, claims, ctx.recorder('statefulset-controller'));
    this.control = new StatefulSetControl(podControl, this.history, () => ctx.clock.now());
    this.controller = new Controller('statefulset', (key) => this.sync(key), { clock: ctx.clock });

    this.sets.on({ add: (s) => this.enqueue(s), update: (_, s) => this.enqueue(s), delete: (s) => this.enqueue(s) });
    this.pods.on({
      add: (pod) => this.podChanged(pod),
      update: (old, pod) => {
        const oldOwner = this.owner(old);
        if (oldOwner && oldOwner !== this.owner(pod)) this.enqueue(oldOwner);
        this.podChanged(pod);
      },
      delete: (pod) => {
        const set = this.owner(pod);
        if (set) this.enqueue(set);
      },
    });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private enqueue(set: KubeObject): void {
    this.controller.enqueue(`${set.metadata.namespace}/${set.metadata.name}`);
  }

  private owner(pod: KubeObject): KubeObject | undefined {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'StatefulSet') return undefined;
    const set = this.sets.get(`${pod.metadata.namespace}/${ref.name}`);
    return set?.metadata.uid === ref.uid ? set : undefined;
  }

  private podChanged(pod: KubeObject): void {
    const set = this.owner(pod);
    if (set) return this.enqueue(set);
    if (controllerOf(pod)) return;
    // An orphan: every set that would adopt it looks.
    for (const s of this.sets.list(pod.metadata.namespace)) {
      const sel = (s.spec as any)?.selector;
      if (sel && matches(fromLabelSelector(sel), pod.metadata.labels)) this.enqueue(s);
    }
  }

  async sync(key: string): Promise<Result | void> {
    const set = this.sets.get(key);
    if (!set) return;
    const sel = (set.spec as any)?.selector;
    if (!sel || Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) return;
    const selector = fromLabelSelector(sel);
    const ownerResource = statefulSetsRef(set.metadata.namespace);
    const revisions = sortRevisions(await this.history.claim(set, { apiVersion: 'apps/v1', kind: 'StatefulSet', resource: ownerResource }, selector));
    // Upstream claims only Pods named like the set's own, `<set>-<ordinal>`.
    const refs = new ControllerRefManager({
      client: this.client,
      owner: set,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'StatefulSet',
      ownerResource,
      resource: core('pods', set.metadata.namespace),
      matches: (pod) => matches(selector, pod.metadata.labels) && isMemberOf(set, pod),
    });
    const pods = await refs.claim(this.pods.list(set.metadata.namespace));

    let revs: Revisions | undefined;
    let status: StatefulSetStatus | undefined;
    let failure: unknown;
    try {
      revs = await this.control.revisions(set, revisions);
      const result = await this.control.update(set, revs, pods);
      status = result.status;
      failure = result.error;
      await this.writeStatus(set, status);
    } catch (err) {
      failure ??= err;
    }
    await this.control.truncateHistory(set, pods, revisions, revs);
    if (failure) throw failure;
    // minReadySeconds turn Ready Pods available without any event to wake us.
    const minReady = Number((set.spec as any)?.minReadySeconds ?? 0);
    if (minReady > 0 && status && status.availableReplicas !== replicasOf(set)) return { requeueAfterMs: minReady * 1000 };
  }

  /** Record status when it moved (upstream updateStatefulSetStatus after completeRollingUpdate). */
  private async writeStatus(set: KubeObject, status: StatefulSetStatus): Promise<void> {
    completeRollingUpdate(set, status);
    const old = (set.status ?? {}) as Record<string, unknown>;
    const fields = ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;
    const same = fields.every((f) => (old[f] ?? (typeof status[f] === 'number' ? 0 : '')) === status[f]) && status.observedGeneration <= Number(old.observedGeneration ?? 0);
    if (same) return;
    await this.client.patch(statefulSetsRef(set.metadata.namespace), set.metadata.name!, { status }, 'merge', { subresource: 'status' });
  }
}
