// The garbage collector (upstream's garbagecollector controller): objects whose owners are
// all gone are deleted (background propagation), an owner deleted in the foreground waits for
// its blocking dependents, an owner deleted with the orphan finalizer has its dependents
// released. What it watches comes from discovery, re-read periodically and whenever a
// CustomResourceDefinition changes, so custom resources are collected like built-in ones.
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { discoverResources } from '../../client/discovery.js';
import type { EventRecorder } from '../../client/events.js';
import type { Clock } from '../runtime/clock.js';
import { Controller } from '../runtime/controller.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { attemptToDelete, NamespacedOwnerOfClusterScopedObject, type CollectorParts } from './attempttodelete.js';
import { deletableResources, DependencyGraph, type Located } from './graph.js';
import { Operations, RestMapper, RestMappingError } from './operations.js';
import { attemptToOrphan } from './orphan.js';
import { AbsentOwnerCache, identityText, referencedIdentity } from './references.js';

export interface GarbageCollectorOptions {
  /** How often discovery is read again (upstream 30 s). */
  resyncPeriodMs: number;
  /** How long to wait for the first lists before collecting anyway (upstream proceeds too). */
  initialSyncTimeoutMs: number;
  /** Objects processed at once (upstream --concurrent-gc-syncs, 20). */
  workers: number;
}

export const defaultOptions: GarbageCollectorOptions = { resyncPeriodMs: 30_000, initialSyncTimeoutMs: 60_000, workers: 20 };

export const garbageCollector: ControllerDescriptor = {
  name: 'garbagecollector',
  setup: (ctx) => new GarbageCollector(ctx, defaultOptions),
};

const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };

export class GarbageCollector {
  readonly graph: DependencyGraph;
  readonly deleteQueue: Controller;
  readonly orphanQueue: Controller;
  private readonly mapper = new RestMapper();
  private readonly parts: CollectorParts;
  private readonly events: EventRecorder;
  private readonly clock: Clock;
  private resyncTimer?: unknown;
  private resyncing?: Promise<void>;
  private resyncAgain = false;
  /** Set once the first monitors synced and the workers run; resyncs before that are run()'s. */
  private collecting = false;
  private stopped = false;
  private running?: Promise<void>;
  private readonly log = (line: string) => console.error(`garbagecollector: ${line}`);

  constructor(private readonly ctx: ControllerContext, private readonly opts: GarbageCollectorOptions) {
    this.clock = ctx.clock;
    this.events = ctx.recorder('garbage-collector-controller');
    const absentOwners = new AbsentOwnerCache(500);
    this.deleteQueue = new Controller('garbagecollector', (uid) => this.attemptToDelete(uid), { workers: opts.workers, clock: ctx.clock });
    this.orphanQueue = new Controller('garbagecollector-orphan', (uid) => attemptToOrphan(this.parts, uid), { workers: opts.workers, clock: ctx.clock });
    this.graph = new DependencyGraph(
      ctx.informers,
      {
        attemptToDelete: (uid) => this.deleteQueue.enqueue(uid),
        attemptToOrphan: (uid) => this.orphanQueue.enqueue(uid),
        invalidOwnerNamespace: (dependent, ref) => this.reportInvalidNamespace(dependent, ref),
      },
      absentOwners,
    );
    this.parts = { graph: this.graph, ops: new Operations(ctx.client, this.mapper), mapper: this.mapper, absentOwners, enqueue: (uid) => this.deleteQueue.enqueue(uid) };
    // A new or changed CRD may add or remove resources: look again soon rather than at the next period.
    ctx.informers.get(crds).on({ add: () => this.resyncSoon(), update: () => this.resyncSoon(), delete: () => this.resyncSoon() });
  }

  start(): void {
    this.running = this.run();
  }

  /** Resolves once the first monitors have synced and collection has begun (tests wait on it). */
  ready(): Promise<void> {
    return this.running ?? Promise.reject(new Error('the garbage collector was not started'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.resyncTimer);
    await Promise.all([this.deleteQueue.stop(), this.orphanQueue.stop()]);
    await this.running?.catch(() => undefined);
  }

  /** Discover, start the monitors, wait for their first lists, then collect. */
  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.resync();
        break;
      } catch (err) {
        this.log(`discovery failed: ${(err as Error).message} (retrying)`);
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 1000));
      }
    }
    const deadline = this.clock.now() + this.opts.initialSyncTimeoutMs;
    while (!this.stopped && !this.graph.monitorsSynced() && this.clock.now() < deadline) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 100));
    if (this.stopped) return;
    if (!this.graph.monitorsSynced()) this.log('not all resource monitors could be synced, proceeding anyway');
    this.graph.markSynced();
    this.deleteQueue.start();
    this.orphanQueue.start();
    this.collecting = true;
    this.scheduleResync(this.opts.resyncPeriodMs);
  }

  /** Read discovery and watch exactly the deletable resources it lists (one pass at a time). */
  resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      try {
        do {
          this.resyncAgain = false;
          const found = await discoverResources(this.ctx.client);
          if (found.resources.length === 0) throw new Error('discovery listed no resources');
          let wanted = deletableResources(found.resources);
          if (found.failed.size > 0) {
            // A group that failed to answer keeps the monitors it had.
            const failedGroups = new Set([...found.failed.keys()].map((gv) => (gv.includes('/') ? gv.split('/')[0] : '')));
            wanted = [...wanted, ...this.graph.monitoredResources.filter((r) => failedGroups.has(r.group) && !wanted.some((w) => w.group === r.group && w.plural === r.plural))];
          }
          this.mapper.reset(found.resources);
          const { added, removed } = this.graph.syncMonitors(wanted);
          if (added || removed) this.log(`monitoring ${wanted.length} resources (${added} added, ${removed} removed)`);
        } while (this.resyncAgain && !this.stopped);
      } finally {
        this.resyncing = undefined;
      }
    })();
    return this.resyncing;
  }

  private scheduleResync(ms: number): void {
    if (this.stopped) return;
    this.clock.clearTimeout(this.resyncTimer);
    this.resyncTimer = this.clock.setTimeout(() => {
      this.resync()
        .catch((err) => this.log(`discovery failed: ${(err as Error).message}`))
        .finally(() => this.scheduleResync(this.opts.resyncPeriodMs));
    }, ms);
  }

  private resyncSoon(): void {
    if (this.collecting) this.scheduleResync(500);
  }

  private async attemptToDelete(uid: string): Promise<void> {
    try {
      await attemptToDelete(this.parts, uid);
    } catch (err) {
      if (err instanceof NamespacedOwnerOfClusterScopedObject) return;
      // The owner's kind may be a custom resource discovery has not caught up with.
      if (err instanceof RestMappingError) this.resyncSoon();
      throw err;
    }
  }

  private reportInvalidNamespace(dependent: Located, ref: OwnerReference): void {
    const id = dependent.identity;
    const obj: KubeObject = { apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, namespace: id.namespace || undefined, uid: id.uid } };
    this.events.record(obj, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef ${identityText(referencedIdentity(ref, id.namespace))} does not exist in namespace "${id.namespace}"`);
  }
}
