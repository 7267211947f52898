// TTL after finished (upstream pkg/controller/ttlafterfinished): a Job with
// spec.ttlSecondsAfterFinished is deleted that many seconds after its Complete or Failed
// condition was set, with foreground propagation so its Pods go first. The TTL is checked
// again on a live read before deleting, in case it was changed meanwhile.
import { ApiError } from '../../api/errors.js';
import { ApiClient } from '../../client/client.js';
import { Informer, objectKeyOf } from '../../client/informer.js';
import type { Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller, type Result } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { splitKey } from '../runtime/owners.js';
import type { Job } from '../job/conditions.js';
import { jobsRef } from '../job/controller.js';

export const ttlAfterFinished: ControllerDescriptor = {
  name: 'ttl-after-finished',
  setup: (ctx) => new TTLAfterFinishedController(ctx),
};

/** When the Job finished: the time its Complete or Failed condition became true. */
export function finishTime(job: Job): number | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : undefined;
  }
  return undefined;
}

function needsCleanup(job: Job): boolean {
  return job.spec?.ttlSecondsAfterFinished != null && finishTime(job) !== undefined && !job.metadata.deletionTimestamp;
}

export class TTLAfterFinishedController {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly jobs: Informer<Job>;
  private readonly controller: Controller;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.jobs = ctx.informers.get<Job>(resources.jobs);
    this.controller = new Controller('ttl-after-finished', (key) => this.reconcile(key), { clock: ctx.clock });
    const enqueue = (job: Job) => {
      if (needsCleanup(job)) this.controller.enqueue(objectKeyOf(job));
    };
    this.jobs.on({ add: enqueue, update: (_old, cur) => enqueue(cur) });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** Milliseconds until the Job expires (≤ 0: expired), or undefined when it has no TTL to honour. */
  private remaining(job: Job): number | undefined {
    if (!needsCleanup(job)) return undefined;
    return finishTime(job)! + job.spec.ttlSecondsAfterFinished * 1000 - this.clock.now();
  }

  private async reconcile(key: string): Promise<Result | void> {
    const cached = this.jobs.get(key);
    if (!cached) return;
    const left = this.remaining(cached);
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left };
    const { namespace, name } = splitKey(key);
    let fresh: Job;
    try {
      fresh = await this.client.get<Job>(jobsRef(namespace), name);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
    const freshLeft = this.remaining(fresh);
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfterMs: freshLeft };
    try {
      await this.client.delete(jobsRef(namespace), name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
