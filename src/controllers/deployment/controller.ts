// The Deployment controller (upstream pkg/controller/deployment): rolls a Deployment's pod
// template out through ReplicaSets. This file watches Deployments, ReplicaSets and Pods,
// claims ReplicaSets by selector, and dispatches each pass as upstream does: a Deployment
// being deleted only gets status; paused or rescaled ones are scaled (sync.ts); a rollback
// request is served (rollback.ts); otherwise the strategy rolls out (rolling.ts, recreate.ts),
// reporting progress (progress.ts). Pure arithmetic lives in util/.
import { fromLabelSelector, matches } from '../../api/labels.js';
import type { OwnerReference } from '../../api/types.js';
import { objectKeyOf, type Informer } from '../../client/informer.js';
import type { ControllerContext, ControllerDescriptor, Runnable } from '../runtime/context.js';
import { Controller, type Result } from '../runtime/controller.js';
import { ControllerRefManager } from '../runtime/controllerref.js';
import { resources } from '../runtime/informers.js';
import { controllerOf } from '../runtime/owners.js';
import type { Pod } from '../runtime/pods.js';
import { replicaSetsRef } from '../replicaset/types.js';
import { rolloutRecreate, type PodMap } from './recreate.js';
import { rollback, rollbackTo } from './rollback.js';
import { rolloutRolling } from './rolling.js';
import { checkPausedConditions, isScalingEvent, sync, syncStatusOnly, updateDeploymentStatus } from './sync.js';
import { deploymentObject, deploymentsRef, type Deployment, type DeploymentDeps, type ReplicaSet } from './types.js';

export const deployment: ControllerDescriptor = {
  name: 'deployment',
  setup: (ctx) => new DeploymentController(ctx),
};

export interface DeploymentControllerOptions {
  workers?: number;
  log?: (line: string) => void;
}

export class DeploymentController implements Runnable {
  readonly controller: Controller;
  private readonly deps: DeploymentDeps;
  private readonly deployments: Informer<Deployment>;

  constructor(ctx: ControllerContext, opts: DeploymentControllerOptions = {}) {
    this.deployments = ctx.informers.get<Deployment>(resources.deployments);
    const replicaSets = ctx.informers.get<ReplicaSet>(resources.replicaSets);
    const pods = ctx.informers.get<Pod>(resources.pods);
    this.deps = { client: ctx.client, events: ctx.recorder('deployment-controller'), clock: ctx.clock, replicaSets, pods };
    this.controller = new Controller('deployment', (key) => this.syncDeployment(key), { clock: ctx.clock, workers: opts.workers ?? 5, log: opts.log });
    this.deployments.on({ add: (d) => this.enqueue(d), update: (_o, d) => this.enqueue(d), delete: (d) => this.enqueue(d) });
    replicaSets.on({ add: (rs) => this.replicaSetAdded(rs), update: (o, rs) => this.replicaSetUpdated(o, rs), delete: (rs) => this.replicaSetDeleted(rs) });
    pods.on({ delete: (p) => this.podDeleted(p) });
  }

  start(): void {
    this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  private enqueue(d: Deployment): void {
    this.controller.enqueue(objectKeyOf(d));
  }

  // ------------------------------------------------------------------ events

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const d = this.deployments.get(`${namespace}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  /** Deployments whose selector matches an orphan ReplicaSet: they may adopt it. */
  private selectingDeployments(rs: ReplicaSet): Deployment[] {
    return this.deployments.list(rs.metadata.namespace).filter((d) => {
      const sel = fromLabelSelector(d.spec.selector);
      return sel.length > 0 && matches(sel, rs.metadata.labels);
    });
  }

  private replicaSetAdded(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp) return this.replicaSetDeleted(rs);
    const ref = controllerOf(rs);
    if (ref) {
      const d = this.resolve(rs.metadata.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.selectingDeployments(rs)) this.enqueue(d);
  }

  private replicaSetUpdated(old: ReplicaSet, cur: ReplicaSet): void {
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const d = this.resolve(old.metadata.namespace, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolve(cur.metadata.namespace, curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const d of this.selectingDeployments(cur)) this.enqueue(d);
  }

  private replicaSetDeleted(rs: ReplicaSet): void {
    const d = this.resolve(rs.metadata.namespace, controllerOf(rs));
    if (d) this.enqueue(d);
  }

  /** Recreate waits for old Pods to be gone: their deletion is what lets it continue. */
  private podDeleted(pod: Pod): void {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.deps.replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolve(rs.metadata.namespace, controllerOf(rs));
    if (d?.spec.strategy?.type === 'Recreate') this.enqueue(d);
  }

  // ------------------------------------------------------------------ reconcile

  async syncDeployment(key: string): Promise<Result | void> {
    const cached = this.deployments.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const selector = fromLabelSelector(d.spec.selector);
    if (selector.length === 0) {
      this.deps.events.record(deploymentObject(d), 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await updateDeploymentStatus(this.deps, d);
      }
      return;
    }
    const rsList = await this.replicaSetsFor(d);
    if (d.metadata.deletionTimestamp) return syncStatusOnly(this.deps, d, rsList);
    await checkPausedConditions(this.deps, d);
    if (d.spec.paused) return sync(this.deps, d, rsList, rollbackTo(d) !== undefined);
    // A rollback rewrites the template; nothing else may happen until it is done.
    if (rollbackTo(d) !== undefined) return rollback(this.deps, d, rsList);
    if (await isScalingEvent(this.deps, d, rsList)) return sync(this.deps, d, rsList, false);
    switch (d.spec.strategy?.type) {
      case 'Recreate':
        return rolloutRecreate(this.deps, d, rsList, this.podMap(d, rsList));
      case 'RollingUpdate':
        return rolloutRolling(this.deps, d, rsList);
      default:
        throw new Error(`unexpected deployment strategy type: ${d.spec.strategy?.type}`);
    }
  }

  /** The ReplicaSets this Deployment controls, after adopting orphans and releasing mismatches. */
  private replicaSetsFor(d: Deployment): Promise<ReplicaSet[]> {
    const selector = fromLabelSelector(d.spec.selector);
    const manager = new ControllerRefManager({
      client: this.deps.client,
      owner: d,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'Deployment',
      ownerResource: deploymentsRef(d.metadata.namespace),
      resource: replicaSetsRef(d.metadata.namespace),
      matches: (rs) => matches(selector, rs.metadata.labels),
    });
    return manager.claim(this.deps.replicaSets.list(d.metadata.namespace));
  }

  /** The Deployment's Pods grouped by ReplicaSet (for Recreate, which waits for old Pods). */
  private podMap(d: Deployment, rsList: ReplicaSet[]): PodMap {
    const selector = fromLabelSelector(d.spec.selector);
    const map: PodMap = new Map(rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const pod of this.deps.pods.list(d.metadata.namespace)) {
      if (!matches(selector, pod.metadata.labels)) continue;
      map.get(controllerOf(pod)?.uid ?? '')?.push(pod);
    }
    return map;
  }
}
