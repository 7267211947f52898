// The DaemonSet controller (upstream pkg/controller/daemon): one Pod per eligible node. Each
// pass over a DaemonSet records its template as a ControllerRevision, creates Pods on nodes
// that should run one and deletes them where none belongs (manage), then, if the informer
// cache has caught up, replaces old Pods within the update budget (rolling), prunes history
// and writes status. Pods are pinned to their node with node affinity; the scheduler binds them.
import { ApiError } from '../../api/errors.js';
import { fromLabelSelector, matches, type Selector } from '../../api/labels.js';
import type { KubeObject } from '../../api/types.js';
import { core, type ApiClient } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { ControllerHistory } from '../history/history.js';
import { podRevisionLabel, type ControllerRevision } from '../history/revision.js';
import { ControllerRefManager } from '../runtime/controllerref.js';
import type { Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller, type Result } from '../runtime/controller.js';
import { Expectations } from '../runtime/expectations.js';
import { resources } from '../runtime/informers.js';
import { controllerKey, controllerOf, controllerRef } from '../runtime/owners.js';
import { podFromTemplate, podPhase } from '../runtime/pods.js';
import { manage } from './manage.js';
import { addTolerations, daemonTolerations, nodeShouldRunDaemonPod, pinToNode, targetNodeName } from './placement.js';
import { daemonSetsRef, DaemonSetRevisions } from './revisions.js';
import { allowsSurge, rollingUpdate } from './rolling.js';
import { daemonSetCounts } from './status.js';

export const daemonSet: ControllerDescriptor = {
  name: 'daemonset',
  setup: (ctx) => new DaemonSetController(ctx),
};

/** Creations and deletions asked for in one pass at most (upstream burstReplicas). */
const burstReplicas = 250;
/** Backoff before a failed daemon Pod on a node is deleted again (upstream 1 s doubling to 15 min). */
const failedBackoff = { initialMs: 1000, maxMs: 15 * 60_000 };

export class DaemonSetController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly daemonSets: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly revisions: DaemonSetRevisions;
  private readonly expectations: Expectations;
  private readonly events: EventRecorder;
  private readonly failedBackoff = new Map<string, { delayMs: number; at: number }>();

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.daemonSets = ctx.informers.get(resources.daemonSets);
    this.pods = ctx.informers.get(resources.pods);
    this.nodes = ctx.informers.get(resources.nodes);
    const revisionInformer = ctx.informers.get<ControllerRevision>(resources.controllerRevisions);
    this.revisions = new DaemonSetRevisions(ctx.client, new ControllerHistory(ctx.client, revisionInformer));
    this.expectations = new Expectations(ctx.clock);
    this.events = ctx.recorder('daemonset-controller');
    this.controller = new Controller('daemonset', (key) => this.sync(key), { clock: ctx.clock });

    this.daemonSets.on({
      add: (ds) => this.enqueue(ds),
      update: (_, ds) => this.enqueue(ds),
      delete: (ds) => {
        this.expectations.forget(key(ds));
        this.enqueue(ds);
      },
    });
    this.pods.on({
      add: (pod) => (pod.metadata.deletionTimestamp ? this.podGone(pod) : this.podAdded(pod)),
      update: (old, pod) => this.podUpdated(old, pod),
      delete: (pod) => this.podGone(pod),
    });
    this.nodes.on({
      add: () => this.enqueueAll(),
      update: (old, node) => {
        // Heartbeats change status only; placement depends on labels, taints and the rest of spec.
        if (JSON.stringify([old.metadata.labels, old.spec]) !== JSON.stringify([node.metadata.labels, node.spec])) this.enqueueAll();
      },
      delete: () => this.enqueueAll(),
    });
    const byOwner = (rev: KubeObject) => {
      const k = controllerKey(rev, 'DaemonSet');
      if (k) this.controller.enqueue(k);
    };
    revisionInformer.on({ add: byOwner, update: (_, rev) => byOwner(rev), delete: byOwner });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private enqueue(ds: KubeObject): void {
    this.controller.enqueue(key(ds));
  }

  private enqueueAll(): void {
    for (const ds of this.daemonSets.list()) this.enqueue(ds);
  }

  /** The DaemonSet controlling a Pod, if it still exists with the referenced uid. */
  private owner(pod: KubeObject): KubeObject | undefined {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const ds = this.daemonSets.get(`${pod.metadata.namespace}/${ref.name}`);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  }

  /** Orphans: every DaemonSet whose selector matches may adopt it. */
  private enqueueSelecting(pod: KubeObject): void {
    for (const ds of this.daemonSets.list(pod.metadata.namespace)) {
      const sel = (ds.spec as any)?.selector;
      if (sel && matches(fromLabelSelector(sel), pod.metadata.labels)) this.enqueue(ds);
    }
  }

  private podAdded(pod: KubeObject): void {
    const ds = this.owner(pod);
    if (ds) {
      this.expectations.creationObserved(key(ds));
      this.enqueue(ds);
    } else if (!controllerOf(pod)) this.enqueueSelecting(pod);
  }

  private podUpdated(old: KubeObject, pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
      this.podGone(pod);
      return;
    }
    const oldOwner = this.owner(old);
    const owner = this.owner(pod);
    if (oldOwner && oldOwner !== owner) this.enqueue(oldOwner);
    if (owner) this.enqueue(owner);
    else if (!controllerOf(pod)) this.enqueueSelecting(pod);
  }

  private podGone(pod: KubeObject): void {
    const ds = this.owner(pod);
    if (!ds) return;
    this.expectations.deletionObserved(key(ds), pod.metadata.uid!);
    this.enqueue(ds);
  }

  async sync(dsKey: string): Promise<Result | void> {
    const ds = this.daemonSets.get(dsKey);
    if (!ds) {
      this.expectations.forget(dsKey);
      return;
    }
    const spec = (ds.spec ?? {}) as any;
    const sel = spec.selector ?? {};
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
      this.events.record(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // A DaemonSet being deleted may already have lost its history: its status cannot be trusted.
    if (ds.metadata.deletionTimestamp) return;
    const selector = fromLabelSelector(sel);
    const ref = controllerRef(ds, 'apps/v1', 'DaemonSet');
    const pods = await this.claimPods(ds, selector);
    const { current, old } = await this.revisions.construct(ds, selector, ref, () => pods);
    const hash = current.metadata.labels![podRevisionLabel];
    const nodes = this.nodes.list();
    const placement = memoPlacement(ds);
    const podsByNode = groupByNode(pods);
    const now = this.clock.now();
    let requeueAfterMs: number | undefined;

    if (!this.expectations.satisfied(dsKey)) return this.writeStatus(ds, nodes, podsByNode, placement, hash, false);

    const managed = manage({
      nodes,
      podsByNode,
      placement,
      hash,
      surge: allowsSurge(ds),
      minReadySeconds: Number(spec.minReadySeconds ?? 0),
      now,
      mayDeleteFailed: (nodeName) => {
        const wait = this.failedPodWait(`${dsKey}/${nodeName}`, now);
        if (wait > 0) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, wait);
        return wait <= 0;
      },
    });
    for (const pod of managed.failedPods) {
      if (!managed.podsToDelete.includes(pod)) continue;
      this.events.record(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${targetNodeName(pod)}, will try to kill it`);
    }
    await this.forceDelete(managed.podsOnMissingNodes);
    await this.syncNodes(ds, dsKey, managed.podsToDelete, managed.nodesNeedingPods, hash);
    const deletedFailed = managed.failedPods.filter((p) => managed.podsToDelete.includes(p)).length;
    if (deletedFailed > 0) throw new Error(`deleted ${deletedFailed} failed pods of DaemonSet ${dsKey}`);

    if (this.expectations.satisfied(dsKey) && spec.updateStrategy?.type === 'RollingUpdate') {
      const rolling = rollingUpdate({ ds, nodes, podsByNode, placement, hash, now });
      await this.syncNodes(ds, dsKey, rolling.podsToDelete, rolling.nodesToCreate, hash);
    }
    await this.revisions.cleanup(ds, old, pods);
    const result = await this.writeStatus(ds, nodes, podsByNode, placement, hash, true);
    if (requeueAfterMs !== undefined) return { requeueAfterMs: Math.min(requeueAfterMs, result?.requeueAfterMs ?? Infinity) };
    return result;
  }

  /** The DaemonSet's Pods after adoption and release; terminal Pods already being deleted are done with. */
  private async claimPods(ds: KubeObject, selector: Selector): Promise<KubeObject[]> {
    const refs = new ControllerRefManager({
      client: this.client,
      owner: ds,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'DaemonSet',
      ownerResource: daemonSetsRef(ds.metadata.namespace),
      resource: core('pods', ds.metadata.namespace),
      matches: (pod) => matches(selector, pod.metadata.labels),
    });
    const claimed = await refs.claim(this.pods.list(ds.metadata.namespace));
    return claimed.filter((p) => !(p.metadata.deletionTimestamp && ['Succeeded', 'Failed'].includes(podPhase(p))));
  }

  /** How long a failed Pod on this node must still wait before it is deleted again (0: now, and the backoff grows). */
  private failedPodWait(backoffKey: string, now: number): number {
    const b = this.failedBackoff.get(backoffKey);
    if (b && now - b.at < b.delayMs) return b.delayMs - (now - b.at);
    const delayMs = b ? Math.min(b.delayMs * 2, failedBackoff.maxMs) : failedBackoff.initialMs;
    this.failedBackoff.set(backoffKey, { delayMs, at: now });
    return 0;
  }

  private async forceDelete(pods: KubeObject[]): Promise<void> {
    for (const pod of pods) {
      await this.client.delete(core('pods', pod.metadata.namespace), pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }).catch((err) => {
        if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
      });
    }
  }

  /**
   * Delete the given Pods and create one on each given node, expectations set first so the
   * next pass waits for the cache. Creations go in slow-start batches (1, 2, 4, ...) that stop
   * at the first failure, so a quota or admission refusal costs one request, not hundreds.
   */
  private async syncNodes(ds: KubeObject, dsKey: string, podsToDelete: KubeObject[], nodesNeedingPods: string[], hash: string): Promise<void> {
    const creates = nodesNeedingPods.slice(0, burstReplicas);
    const deletes = podsToDelete.slice(0, burstReplicas);
    if (!creates.length && !deletes.length) return;
    this.expectations.expect(dsKey, creates.length, deletes.map((p) => p.metadata.uid!));
    const errors: unknown[] = [];
    const template = structuredClone((ds.spec as any).template ?? {});
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [podRevisionLabel]: hash };
    template.spec ??= {};
    addTolerations(template.spec, daemonTolerations(!!template.spec.hostNetwork));
    const ref = controllerRef(ds, 'apps/v1', 'DaemonSet');

    let pos = 0;
    for (let batch = Math.min(1, creates.length); pos < creates.length; batch = Math.min(2 * batch, creates.length - pos)) {
      const results = await Promise.allSettled(
        creates.slice(pos, pos + batch).map(async (nodeName) => {
          const pod = podFromTemplate(template, ds, ref);
          pinToNode(pod.spec, nodeName);
          try {
            const created = await this.client.create(core('pods', ds.metadata.namespace), pod);
            this.events.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
          } catch (err) {
            this.expectations.creationObserved(dsKey);
            this.events.record(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
            throw err;
          }
        }),
      );
      pos += batch;
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length) {
        errors.push(...failed.map((f) => f.reason));
        for (let i = pos; i < creates.length; i++) this.expectations.creationObserved(dsKey);
        break;
      }
    }

    await Promise.all(
      deletes.map(async (pod) => {
        try {
          await this.client.delete(core('pods', pod.metadata.namespace), pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
          this.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(dsKey, pod.metadata.uid!);
          if (err instanceof ApiError && err.code === 404) return;
          this.events.record(ds, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          errors.push(err);
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  /** Write status when it changed; observedGeneration moves only after a full pass. */
  private async writeStatus(ds: KubeObject, nodes: KubeObject[], podsByNode: Map<string, KubeObject[]>, placement: (n: KubeObject) => ReturnType<typeof nodeShouldRunDaemonPod>, hash: string, observed: boolean): Promise<Result | void> {
    const counts = daemonSetCounts({ ds, nodes, podsByNode, placement, hash, now: this.clock.now() });
    const status = (ds.status ?? {}) as Record<string, any>;
    const generation = ds.metadata.generation ?? 0;
    const unchanged = Object.entries(counts).every(([k, v]) => (status[k] ?? 0) === v) && (status.observedGeneration ?? 0) >= generation;
    if (!unchanged) {
      const next: Record<string, unknown> = { ...counts };
      if (observed) next.observedGeneration = generation;
      await this.client.patch(daemonSetsRef(ds.metadata.namespace), ds.metadata.name!, { status: next }, 'merge', { subresource: 'status' });
    }
    // minReadySeconds turn Ready Pods available without any event to wake us.
    const minReady = Number((ds.spec as any)?.minReadySeconds ?? 0);
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) return { requeueAfterMs: minReady * 1000 };
  }
}

function key(obj: KubeObject): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}

/** Placement per node, computed once per pass. */
function memoPlacement(ds: KubeObject): (node: KubeObject) => ReturnType<typeof nodeShouldRunDaemonPod> {
  const cache = new Map<string, ReturnType<typeof nodeShouldRunDaemonPod>>();
  return (node) => {
    let p = cache.get(node.metadata.name!);
    if (!p) cache.set(node.metadata.name!, (p = nodeShouldRunDaemonPod(node, ds)));
    return p;
  };
}

function groupByNode(pods: KubeObject[]): Map<string, KubeObject[]> {
  const byNode = new Map<string, KubeObject[]>();
  for (const pod of pods) {
    const node = targetNodeName(pod);
    if (!node) continue;
    let list = byNode.get(node);
    if (!list) byNode.set(node, (list = []));
    list.push(pod);
  }
  return byNode;
}
