// The Job controller (upstream pkg/controller/job): runs a Job's Pods to completion. This file
// is the dispatcher: it maps Pod and Job events to Job keys (Pod events are batched for a
// second, as upstream does, so a burst of Pod changes costs one sync), claims the Pods a Job
// selects, and strips the tracking finalizer from Pods no Job will count. sync.ts holds the
// reconcile itself.
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../api/errors.js';
import { fromLabelSelector, matches } from '../../api/labels.js';
import { ApiClient, core, type ResourceRef } from '../../client/client.js';
import { EventRecorder } from '../../client/events.js';
import { Informer, objectKeyOf } from '../../client/informer.js';
import type { Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller } from '../runtime/controller.js';
import { Expectations } from '../runtime/expectations.js';
import { resources } from '../runtime/informers.js';
import { controllerOf } from '../runtime/owners.js';
import { ControllerRefManager } from '../runtime/controllerref.js';
import type { Pod } from '../runtime/pods.js';
import { BackoffStore } from './backoff.js';
import { isJobFinished, type Job } from './conditions.js';
import { hasTrackingFinalizer, trackingFinalizer } from './pods.js';
import { syncJob } from './sync.js';

export const jobController: ControllerDescriptor = {
  name: 'job',
  setup: (ctx) => new JobController(ctx),
};

export const jobsRef = (namespace?: string): ResourceRef => ({ group: 'batch', version: 'v1', plural: 'jobs', namespace });

export interface JobControllerOptions {
  /** Delay that batches Pod events into one sync (upstream 1 s). */
  batchPeriodMs?: number;
  /** Pod failure backoff base and cap (upstream 10 s and 10 min). */
  podFailureBackoffMs?: number;
  maxPodFailureBackoffMs?: number;
}

/** Pod UIDs whose tracking finalizer removal was asked for and not yet seen, per Job. */
export class FinalizerExpectations {
  private readonly byKey = new Map<string, Set<string>>();
  expected(key: string): Set<string> {
    return new Set(this.byKey.get(key));
  }
  expectRemoved(key: string, uids: string[]): void {
    const set = this.byKey.get(key) ?? new Set();
    for (const u of uids) set.add(u);
    this.byKey.set(key, set);
  }
  observed(key: string, uid: string): void {
    this.byKey.get(key)?.delete(uid);
  }
  delete(key: string): void {
    this.byKey.delete(key);
  }
}

export class JobController {
  readonly client: ApiClient;
  readonly clock: Clock;
  readonly events: EventRecorder;
  readonly jobs: Informer<Job>;
  readonly pods: Informer<Pod>;
  readonly expectations: Expectations;
  readonly finalizerExpectations = new FinalizerExpectations();
  readonly backoff = new BackoffStore();
  readonly controller: Controller;
  private readonly orphans: Controller;
  readonly batchPeriodMs: number;
  readonly podFailureBackoffMs?: number;
  readonly maxPodFailureBackoffMs?: number;

  constructor(ctx: ControllerContext, opts: JobControllerOptions = {}) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.events = ctx.recorder('job-controller');
    this.expectations = new Expectations(ctx.clock);
    this.batchPeriodMs = opts.batchPeriodMs ?? 1000;
    this.podFailureBackoffMs = opts.podFailureBackoffMs;
    this.maxPodFailureBackoffMs = opts.maxPodFailureBackoffMs;
    this.jobs = ctx.informers.get<Job>(resources.jobs);
    this.pods = ctx.informers.get<Pod>(resources.pods);
    this.controller = new Controller('job', (key) => syncJob(this, key), { clock: ctx.clock });
    this.orphans = new Controller('job-orphan-pod', (key) => this.syncOrphanPod(key), { clock: ctx.clock, workers: 1 });
    this.jobs.on({
      add: (job) => this.controller.enqueue(objectKeyOf(job)),
      update: (old, cur) => this.updateJob(old, cur),
      delete: (job) => {
        this.controller.enqueue(objectKeyOf(job));
        this.cleanupPodFinalizers(job);
      },
    });
    this.pods.on({ add: (p) => this.addPod(p), update: (o, c) => this.updatePod(o, c), delete: (p) => this.deletePod(p, true) });
  }

  start(): void {
    this.controller.start();
    this.orphans.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.controller.stop(), this.orphans.stop()]);
  }

  enqueueBatched(key: string): void {
    this.controller.enqueueAfter(key, this.batchPeriodMs);
  }

  /** The Job a controller reference names, if it exists with that uid. */
  resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): Job | undefined {
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = this.jobs.get(`${namespace}/${ref.name}`);
    return job?.metadata.uid === ref.uid ? job : undefined;
  }

  /** Jobs in the Pod's namespace whose selector matches it (candidates to adopt an orphan). */
  private matchingJobs(pod: Pod): Job[] {
    return this.jobs.list(pod.metadata.namespace).filter((j) => j.spec?.selector && matches(fromLabelSelector(j.spec.selector), pod.metadata.labels));
  }

  private updateJob(old: Job, cur: Job): void {
    const key = objectKeyOf(cur);
    if (old.metadata.generation === cur.metadata.generation) this.enqueueBatched(key);
    else this.controller.enqueue(key);
    // Finished Jobs should hold no finalizers; this is the backstop.
    if (isJobFinished(cur)) this.cleanupPodFinalizers(cur);
    const ads = cur.spec?.activeDeadlineSeconds;
    if (cur.status?.startTime && ads != null && ads !== old.spec?.activeDeadlineSeconds) {
      this.controller.enqueueAfter(key, ads * 1000 - (this.clock.now() - Date.parse(cur.status.startTime)));
    }
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod, false);
    const ref = controllerOf(pod);
    if (ref) {
      const job = this.resolve(pod.metadata.namespace, ref);
      if (!job) return;
      const key = objectKeyOf(job);
      this.expectations.creationObserved(key);
      this.enqueueBatched(key);
      return;
    }
    if (hasTrackingFinalizer(pod)) this.orphans.enqueue(objectKeyOf(pod));
    for (const job of this.matchingJobs(pod)) this.enqueueBatched(objectKeyOf(job));
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (cur.metadata.deletionTimestamp) return this.deletePod(cur, false);
    const finalizerRemoved = !hasTrackingFinalizer(cur);
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = !isDeepStrictEqual(curRef, oldRef);
    const uid = cur.metadata.uid!;
    if (refChanged && oldRef) {
      const job = this.resolve(old.metadata.namespace, oldRef);
      if (job) {
        if (finalizerRemoved) this.finalizerExpectations.observed(objectKeyOf(job), uid);
        this.enqueueBatched(objectKeyOf(job));
      }
    }
    if (curRef) {
      const job = this.resolve(cur.metadata.namespace, curRef);
      if (!job) return;
      if (finalizerRemoved) this.finalizerExpectations.observed(objectKeyOf(job), uid);
      this.enqueueBatched(objectKeyOf(job));
      return;
    }
    if (hasTrackingFinalizer(cur)) this.orphans.enqueue(objectKeyOf(cur));
    if (refChanged || !isDeepStrictEqual(cur.metadata.labels, old.metadata.labels)) {
      for (const job of this.matchingJobs(cur)) this.enqueueBatched(objectKeyOf(job));
    }
  }

  /** A Pod is gone (`final`) or being deleted. */
  private deletePod(pod: Pod, final: boolean): void {
    const ref = controllerOf(pod);
    const hasFinalizer = hasTrackingFinalizer(pod);
    const job = this.resolve(pod.metadata.namespace, ref);
    if (!job || isJobFinished(job)) {
      // No sync will strip this finalizer.
      if (hasFinalizer) this.orphans.enqueue(objectKeyOf(pod));
      return;
    }
    const key = objectKeyOf(job);
    this.expectations.deletionObserved(key, pod.metadata.uid!);
    if (final || !hasFinalizer) this.finalizerExpectations.observed(key, pod.metadata.uid!);
    this.enqueueBatched(key);
  }

  private cleanupPodFinalizers(job: Job): void {
    for (const pod of this.pods.list(job.metadata.namespace)) {
      if (controllerOf(pod)?.uid === job.metadata.uid && hasTrackingFinalizer(pod)) this.orphans.enqueue(objectKeyOf(pod));
    }
  }

  /** Strip the tracking finalizer from a Pod whose Job is gone, finished, or not ours. */
  private async syncOrphanPod(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      const job = this.resolve(pod.metadata.namespace, ref);
      if (job && !isJobFinished(job)) return;
    }
    await this.removeTrackingFinalizer(pod);
  }

  /** Remove the tracking finalizer; a Pod already gone counts as done. */
  async removeTrackingFinalizer(pod: Pod): Promise<void> {
    if (!hasTrackingFinalizer(pod)) return;
    try {
      await this.client.patch(core('pods', pod.metadata.namespace), pod.metadata.name!, { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [trackingFinalizer] } }, 'strategic');
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }

  /**
   * The Pods this Job manages: those it controls and still selects, plus orphans it selects,
   * which it adopts with the tracking finalizer. Pods it controls but no longer selects are
   * released.
   */
  podsForJob(job: Job): Promise<Pod[]> {
    const selector = fromLabelSelector(job.spec.selector);
    const manager = new ControllerRefManager({
      client: this.client,
      owner: job,
      ownerApiVersion: 'batch/v1',
      ownerKind: 'Job',
      ownerResource: jobsRef(job.metadata.namespace),
      resource: core('pods', job.metadata.namespace),
      matches: (pod) => job.spec.selector !== undefined && matches(selector, pod.metadata.labels),
      finalizers: [trackingFinalizer],
    });
    return manager.claim(this.pods.list(job.metadata.namespace));
  }
}
