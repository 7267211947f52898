// The CronJob controller (upstream's cronjob controller v2): at each scheduled time it creates
// a Job from the CronJob's jobTemplate, honouring suspend, startingDeadlineSeconds and the
// concurrencyPolicy (Allow, Forbid, Replace), keeps status.active, lastScheduleTime and
// lastSuccessfulTime, and deletes finished Jobs beyond the history limits. Each sync asks to be
// called again just after the next scheduled time, so nothing polls.
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../api/errors.js';
import { isValidTimeZone } from '../../api/validation/cron.js';
import { ApiClient, type ResourceRef } from '../../client/client.js';
import { EventRecorder } from '../../client/events.js';
import { Informer, objectKeyOf } from '../../client/informer.js';
import type { Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller, type Result } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { controllerOf } from '../runtime/owners.js';
import { rfc3339 } from '../runtime/clock.js';
import { finishedType, type Job } from '../job/conditions.js';
import { jobsRef } from '../job/controller.js';
import { jobFromTemplate, jobName, mostRecentScheduleTime, nextScheduleDelay, scheduleOf, type CronJob } from './schedule.js';

export const cronJobController: ControllerDescriptor = {
  name: 'cronjob',
  setup: (ctx) => new CronJobController(ctx),
};

const cronJobsRef = (namespace?: string): ResourceRef => ({ group: 'batch', version: 'v1', plural: 'cronjobs', namespace });

export class CronJobController {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly events: EventRecorder;
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  readonly controller: Controller;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.events = ctx.recorder('cronjob-controller');
    this.cronJobs = ctx.informers.get<CronJob>(resources.cronJobs);
    this.jobs = ctx.informers.get<Job>(resources.jobs);
    this.controller = new Controller('cronjob', (key) => this.sync(key), { clock: ctx.clock });
    this.cronJobs.on({
      add: (cj) => this.controller.enqueue(objectKeyOf(cj)),
      update: (old, cur) => this.updateCronJob(old, cur),
      delete: (cj) => this.controller.enqueue(objectKeyOf(cj)),
    });
    const owner = (job: Job) => this.resolve(job.metadata.namespace, controllerOf(job));
    this.jobs.on({
      add: (job) => this.enqueueOwner(owner(job)),
      update: (old, cur) => {
        const before = owner(old);
        const after = owner(cur);
        if (before && before !== after) this.enqueueOwner(before);
        this.enqueueOwner(after);
      },
      delete: (job) => this.enqueueOwner(owner(job)),
    });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private enqueueOwner(cj: CronJob | undefined): void {
    if (cj) this.controller.enqueue(objectKeyOf(cj));
  }

  private resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): CronJob | undefined {
    if (!ref || ref.kind !== 'CronJob') return undefined;
    const cj = this.cronJobs.get(`${namespace}/${ref.name}`);
    return cj?.metadata.uid === ref.uid ? cj : undefined;
  }

  /** A new schedule or time zone moves the next sync; any other change syncs now. */
  private updateCronJob(old: CronJob, cur: CronJob): void {
    const key = objectKeyOf(cur);
    if (old.spec?.schedule === cur.spec?.schedule && old.spec?.timeZone === cur.spec?.timeZone) return this.controller.enqueue(key);
    try {
      this.controller.enqueueAfter(key, nextScheduleDelay(cur, this.clock.now(), scheduleOf(cur)));
    } catch {
      this.events.record(cur, 'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${cur.spec.schedule}`);
    }
  }

  private async sync(key: string): Promise<Result | void> {
    const shared = this.cronJobs.get(key);
    if (!shared) return;
    const cj: CronJob = structuredClone(shared);
    cj.status ??= {};
    // Every Job this CronJob controls, whatever its labels say now.
    const jobs = this.jobs.list(cj.metadata.namespace).filter((j) => {
      const ref = controllerOf(j);
      return ref && ref.kind === 'CronJob' && ref.name === cj.metadata.name;
    });
    await this.cleanupFinishedJobs(cj, jobs);
    const { requeueAfterMs, error } = await this.syncCronJob(cj, jobs);
    if (!isDeepStrictEqual(shared.status ?? {}, cj.status)) {
      await this.client.update(cronJobsRef(cj.metadata.namespace), cj, 'status');
    }
    if (requeueAfterMs !== undefined) return { requeueAfterMs };
    if (error) throw error;
  }

  private async syncCronJob(cj: CronJob, jobs: Job[]): Promise<{ requeueAfterMs?: number; error?: unknown }> {
    const now = this.clock.now();
    const children = new Set<string>();
    for (const j of jobs) {
      children.add(j.metadata.uid!);
      const inActive = this.inActive(cj, j.metadata.uid!);
      const finished = finishedType(j);
      if (!inActive && !finished) {
        // Perhaps our own status write is not in the cache yet: check before complaining.
        const fresh = await this.client.get<CronJob>(cronJobsRef(cj.metadata.namespace), cj.metadata.name!);
        if ((fresh.status?.active ?? []).some((r: any) => r.uid === j.metadata.uid)) {
          cj.status = structuredClone(fresh.status);
          cj.metadata.resourceVersion = fresh.metadata.resourceVersion;
          continue;
        }
        this.events.record(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (inActive && finished) {
        this.removeFromActive(cj, j.metadata.uid!);
        this.events.record(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${finished}`);
      } else if (finished === 'Complete') {
        // lastSuccessfulTime follows every successful Job, listed as active or not.
        const done = j.status?.completionTime;
        if (done && (!cj.status.lastSuccessfulTime || Date.parse(done) > Date.parse(cj.status.lastSuccessfulTime))) cj.status.lastSuccessfulTime = done;
      }
    }
    // Active Jobs that are gone for good must not keep a Forbid CronJob blocked forever.
    for (const ref of [...(cj.status.active ?? [])]) {
      if (children.has(ref.uid)) continue;
      try {
        await this.client.get(jobsRef(ref.namespace), ref.name);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) return { error: err };
        this.events.record(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        this.removeFromActive(cj, ref.uid);
      }
    }
    if (cj.metadata.deletionTimestamp) return {};
    if (cj.spec.timeZone && !isValidTimeZone(cj.spec.timeZone)) {
      this.events.record(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${cj.spec.timeZone}": unknown time zone ${cj.spec.timeZone}`);
      return {};
    }
    if (cj.spec.suspend === true) return {};
    if (cj.spec.schedule.includes('TZ')) {
      this.events.record(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${cj.spec.schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    let schedule;
    try {
      schedule = scheduleOf(cj);
    } catch (err) {
      this.events.record(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec.schedule}" : ${(err as Error).message}`);
      return {};
    }
    const later = () => ({ requeueAfterMs: nextScheduleDelay(cj, now, schedule) });
    let recent;
    try {
      recent = mostRecentScheduleTime(cj, now, schedule, true);
    } catch (err) {
      this.events.record(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${(err as Error).message}`);
      return {};
    }
    const scheduled = recent.mostRecent;
    if (scheduled === undefined || scheduled > now) return later();
    if (recent.missed === 'many') {
      this.events.record(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline != null && scheduled + deadline * 1000 < now) {
      this.events.record(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(scheduled).toUTCString().replace('GMT', '+0000')}`);
      return later();
    }
    const name = jobName(cj, scheduled);
    if ((cj.status.active ?? []).some((r: any) => r.name === name) || (cj.status.lastScheduleTime && Date.parse(cj.status.lastScheduleTime) === scheduled)) return later();
    if (cj.spec.concurrencyPolicy === 'Forbid' && (cj.status.active ?? []).length > 0) {
      this.events.record(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return later();
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...(cj.status.active ?? [])]) {
        let job: Job;
        try {
          job = await this.client.get<Job>(jobsRef(ref.namespace), ref.name);
        } catch (err) {
          this.events.record(cj, 'Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
          return { error: err };
        }
        if (!(await this.deleteJob(cj, job))) return { error: new Error(`could not replace job ${ref.namespace}/${ref.name}`) };
      }
    }
    let created: Job;
    try {
      created = await this.client.create<Job>(jobsRef(cj.metadata.namespace), jobFromTemplate(cj, scheduled));
      this.events.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists')) {
        if (!/because it is being terminated/.test((err as Error).message)) this.events.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        return { error: err };
      }
      // Ours from an earlier sync whose status write was lost: record it; anyone else's: leave it.
      created = await this.client.get<Job>(jobsRef(cj.metadata.namespace), name);
      if (controllerOf(created)?.uid !== cj.metadata.uid || this.inActive(cj, created.metadata.uid!)) return {};
    }
    cj.status.active = [...(cj.status.active ?? []), { kind: 'Job', namespace: created.metadata.namespace, name: created.metadata.name, uid: created.metadata.uid, apiVersion: 'batch/v1', resourceVersion: created.metadata.resourceVersion }];
    cj.status.lastScheduleTime = rfc3339(scheduled);
    return later();
  }

  private inActive(cj: CronJob, uid: string): boolean {
    return (cj.status?.active ?? []).some((r: any) => r.uid === uid);
  }

  private removeFromActive(cj: CronJob, uid: string): void {
    const rest = (cj.status.active ?? []).filter((r: any) => r.uid !== uid);
    if (rest.length) cj.status.active = rest;
    else delete cj.status.active;
  }

  /** Delete the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<void> {
    const limits = { Complete: cj.spec.successfulJobsHistoryLimit, Failed: cj.spec.failedJobsHistoryLimit };
    for (const type of ['Complete', 'Failed'] as const) {
      const limit = limits[type];
      if (limit == null) continue;
      const finished = jobs.filter((j) => finishedType(j) === type).sort(byStartTime);
      for (const job of finished.slice(0, Math.max(0, finished.length - limit))) await this.deleteJob(cj, job);
    }
  }

  /** Delete a Job and its Pods (background propagation) and drop it from status.active. */
  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.client.delete(jobsRef(job.metadata.namespace), job.metadata.name!, { propagationPolicy: 'Background' });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) {
        this.events.record(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        return false;
      }
    }
    this.removeFromActive(cj, job.metadata.uid!);
    this.events.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }
}

/** Oldest first by status.startTime (Jobs never started last), then by name. */
function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa || !sb) return sa ? -1 : sb ? 1 : a.metadata.name!.localeCompare(b.metadata.name!);
  if (sa === sb) return a.metadata.name!.localeCompare(b.metadata.name!);
  return Date.parse(sa) - Date.parse(sb);
}

