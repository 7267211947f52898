// The ReplicaSet controller (upstream pkg/controller/replicaset): keeps spec.replicas active
// Pods for every ReplicaSet. It claims Pods by selector with controller references, creates
// missing Pods in slow-start batches and deletes surplus ones least valuable first, and
// reports the counts in status. Expectations keep it from acting twice on a cache that has not
// yet seen its own creates and deletes. Pods being deleted (a deletionTimestamp, e.g. evicted
// from a NotReady node) no longer count, so their replacements start at once.
import { ApiError } from '../../api/errors.js';
import { fromLabelSelector, matches } from '../../api/labels.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { ApiClient } from '../../client/client.js';
import { core } from '../../client/client.js';
import { objectKeyOf, type Informer } from '../../client/informer.js';
import type { Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor, Runnable } from '../runtime/context.js';
import { Controller, type Result } from '../runtime/controller.js';
import { ControllerRefManager } from '../runtime/controllerref.js';
import { Expectations } from '../runtime/expectations.js';
import { resources } from '../runtime/informers.js';
import { controllerOf, controllerRef } from '../runtime/owners.js';
import { isPodActive, msUntilAvailable, type Pod } from '../runtime/pods.js';
import { PodControl, isNamespaceTerminating } from './podcontrol.js';
import { podsToDelete } from './podranking.js';
import { slowStartBatch } from './slowstart.js';
import { calculateStatus, statusChanged } from './status.js';
import { replicaSetObject, replicaSetsRef, specReplicas, type ReplicaSet, type ReplicaSetStatus } from './types.js';

export const replicaSet: ControllerDescriptor = {
  name: 'replicaset',
  setup: (ctx) => new ReplicaSetController(ctx),
};

export interface ReplicaSetControllerOptions {
  /** Most Pods created or deleted in one pass (upstream BurstReplicas, 500). */
  burstReplicas?: number;
  workers?: number;
  log?: (line: string) => void;
}

export class ReplicaSetController implements Runnable {
  readonly controller: Controller;
  readonly expectations: Expectations;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly podControl: PodControl;
  private readonly burstReplicas: number;

  constructor(ctx: ControllerContext, opts: ReplicaSetControllerOptions = {}) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.burstReplicas = opts.burstReplicas ?? 500;
    this.expectations = new Expectations(ctx.clock);
    this.podControl = new PodControl(ctx.client, ctx.recorder('replicaset-controller'));
    this.controller = new Controller('replicaset', (key) => this.sync(key), { clock: ctx.clock, workers: opts.workers ?? 5, log: opts.log });
    this.replicaSets = ctx.informers.get<ReplicaSet>(resources.replicaSets);
    this.pods = ctx.informers.get<Pod>(resources.pods);
    this.replicaSets.on({
      add: (rs) => this.enqueue(rs),
      update: (_old, rs) => this.enqueue(rs),
      delete: (rs) => {
        this.expectations.forget(objectKeyOf(rs));
        this.enqueue(rs);
      },
    });
    this.pods.on({ add: (p) => this.podAdded(p), update: (o, p) => this.podUpdated(o, p), delete: (p) => this.podDeleted(p) });
  }

  start(): void {
    this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private enqueue(rs: ReplicaSet): void {
    this.controller.enqueue(objectKeyOf(rs));
  }

  // ------------------------------------------------------------------ pod events

  /** The ReplicaSet a controller reference names, if it is in the cache with that uid. */
  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): ReplicaSet | undefined {
    if (!ref || ref.kind !== 'ReplicaSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const rs = this.replicaSets.get(`${namespace}/${ref.name}`);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan Pod: they may adopt it. */
  private selectingReplicaSets(pod: Pod): ReplicaSet[] {
    return this.replicaSets.list(pod.metadata.namespace).filter((rs) => {
      const sel = fromLabelSelector(rs.spec.selector);
      return sel.length > 0 && matches(sel, pod.metadata.labels);
    });
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    const ref = controllerOf(pod);
    if (ref) {
      const rs = this.resolve(pod.metadata.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(objectKeyOf(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of this.selectingReplicaSets(pod)) this.enqueue(rs);
  }

  private podUpdated(old: Pod, cur: Pod): void {
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // A graceful deletion shows first as an update: the Pod stops counting now, not when it is gone.
      this.podDeleted(cur);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.resolve(old.metadata.namespace, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolve(cur.metadata.namespace, curRef);
      if (rs) this.enqueue(rs);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.selectingReplicaSets(cur)) this.enqueue(rs);
  }

  private podDeleted(pod: Pod): void {
    const rs = this.resolve(pod.metadata.namespace, controllerOf(pod));
    if (!rs) return;
    this.expectations.deletionObserved(objectKeyOf(rs), pod.metadata.uid!);
    this.enqueue(rs);
  }

  // ------------------------------------------------------------------ reconcile

  async sync(key: string): Promise<Result | void> {
    const cached = this.replicaSets.get(key);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    const rs = structuredClone(cached);
    const needsSync = this.expectations.satisfied(key);
    const active = await this.claimPods(rs, this.pods.list(rs.metadata.namespace).filter(isPodActive));
    let manageError: Error | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(active, rs);
      } catch (err) {
        manageError = err as Error;
      }
    }
    const now = this.clock.now();
    await this.updateStatus(rs, calculateStatus(rs, active, manageError, now));
    if (manageError) throw manageError;
    // Ready Pods become available once minReadySeconds pass: look again then.
    let wait: number | undefined;
    for (const pod of active) {
      const ms = msUntilAvailable(pod, rs.spec.minReadySeconds ?? 0, now);
      if (ms !== undefined) wait = Math.min(wait ?? Infinity, ms);
    }
    if (wait !== undefined) return { requeueAfterMs: wait + 1 };
  }

  private claimPods(rs: ReplicaSet, pods: Pod[]): Promise<Pod[]> {
    const selector = fromLabelSelector(rs.spec.selector);
    const manager = new ControllerRefManager({
      client: this.client,
      owner: rs,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'ReplicaSet',
      ownerResource: replicaSetsRef(rs.metadata.namespace),
      resource: core('pods', rs.metadata.namespace),
      matches: (pod) => selector.length > 0 && matches(selector, pod.metadata.labels),
    });
    return manager.claim(pods);
  }

  /** Create or delete Pods so that `active` moves towards spec.replicas (at most burstReplicas at once). */
  private async manageReplicas(active: Pod[], rs: ReplicaSet): Promise<void> {
    const key = objectKeyOf(rs);
    const diff = active.length - specReplicas(rs);
    const owner = replicaSetObject(rs);
    if (diff < 0) {
      const want = Math.min(-diff, this.burstReplicas);
      this.expectations.expectCreations(key, want);
      const ref = controllerRef(rs, 'apps/v1', 'ReplicaSet');
      const { successes, error } = await slowStartBatch(want, 1, async () => {
        try {
          await this.podControl.createPod(owner, rs.spec.template, ref);
        } catch (err) {
          if (!isNamespaceTerminating(err)) throw err;
        }
      });
      // Creates never attempted or failed will not be seen by the informer.
      for (let i = successes; i < want; i++) this.expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const victims = podsToDelete(active, this.relatedPods(rs), Math.min(diff, this.burstReplicas), this.clock.now());
      this.expectations.expectDeletions(key, victims.map((p) => p.metadata.uid!));
      const results = await Promise.allSettled(
        victims.map((pod) =>
          this.podControl.deletePod(owner, pod).catch((err) => {
            this.expectations.deletionObserved(key, pod.metadata.uid!);
            if (!(err instanceof ApiError && err.code === 404)) throw err;
          }),
        ),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  /** Pods of this ReplicaSet and of its siblings (same controller): used to spot doubled-up nodes. */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerOf(rs);
    const uids = new Set([rs.metadata.uid]);
    if (owner) for (const other of this.replicaSets.list(rs.metadata.namespace)) if (controllerOf(other)?.uid === owner.uid) uids.add(other.metadata.uid);
    return this.pods.list(rs.metadata.namespace).filter((p) => uids.has(controllerOf(p)?.uid));
  }

  /** Write status if it changed, with the generation it reflects; one retry on a fresh copy after a conflict. */
  private async updateStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<void> {
    if (!statusChanged(rs, status)) return;
    status.observedGeneration = rs.metadata.generation;
    const ref = replicaSetsRef(rs.metadata.namespace);
    try {
      await this.client.update(ref, { ...rs, status } as KubeObject, 'status');
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      const fresh = await this.client.get<ReplicaSet>(ref, rs.metadata.name!);
      if (fresh.metadata.uid !== rs.metadata.uid) return;
      await this.client.update(ref, { ...fresh, status: { ...status, observedGeneration: rs.metadata.generation } } as KubeObject, 'status');
    }
  }
}
