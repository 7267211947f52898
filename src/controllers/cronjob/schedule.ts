// When a CronJob should run (upstream cronjob utils): the most recent missed schedule time,
// how long until the next one, and the Job made for a scheduled time. Job names are
// `<cronjob>-<scheduled time in minutes since the epoch>`, so one scheduled time can never
// produce two Jobs.
import type { KubeObject } from '../../api/types.js';
import { parseCronSchedule, isValidTimeZone, type CronSchedule } from '../../api/validation/cron.js';
import { controllerRef } from '../runtime/owners.js';

export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Requeue a little after the scheduled time so the sync sees it as due. */
export const nextScheduleDeltaMs = 100;

export type CronJob = KubeObject & { spec: any; status?: any };

/** The schedule with spec.timeZone applied as upstream does (a TZ= prefix in the spec wins). */
export function scheduleOf(cj: CronJob): CronSchedule {
  const spec: string = cj.spec.schedule;
  if (spec.includes('TZ') || !cj.spec.timeZone || !isValidTimeZone(cj.spec.timeZone)) return parseCronSchedule(spec);
  return parseCronSchedule(`TZ=${cj.spec.timeZone} ${spec}`);
}

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  earliest: number;
  /** The latest schedule time not after now, if any since `earliest`. */
  mostRecent?: number;
  missed: Missed;
}

/**
 * The most recent time a Job should have been started, looking from the last schedule time (or
 * the CronJob's creation) and, with startingDeadlineSeconds, no further back than that.
 * Counting every missed time could take forever after a long outage, so the count is estimated
 * from the interval between two schedule times; more than 100 missed is reported as "many".
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: CronSchedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
  const deadline = cj.spec.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline != null) earliest = Math.max(earliest, now - deadline * 1000);
  const next = (t: number) => schedule.next(new Date(t))?.getTime();
  const t1 = next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  const t2 = next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) throw new Error('time difference between two schedules is less than 1 second');
  const missedCount = Math.floor((now - t1) / 1000 / between) + 1;
  let mostRecent: number | undefined;
  // Start a few intervals before the estimate, then walk forward to the last time not after now.
  for (let t = next(t1 + (missedCount - 1 - 5) * between * 1000); t !== undefined && t <= now; t = next(t)) mostRecent = t;
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 1 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** Milliseconds until the sync after the next schedule time. */
export function nextScheduleDelay(cj: CronJob, now: number, schedule: CronSchedule): number {
  let from: number;
  try {
    const r = mostRecentScheduleTime(cj, now, schedule, false);
    from = r.mostRecent ?? (r.missed === 'none' ? r.earliest : now);
  } catch {
    from = now;
  }
  const next = schedule.next(new Date(from))?.getTime() ?? now + 60_000;
  return next + nextScheduleDeltaMs - now;
}

export function jobName(cj: CronJob, scheduled: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
}

/** RFC 3339 in the given IANA zone, as Go prints it ("Z" for a zero offset). */
export function rfc3339In(ms: number, zone: string): string {
  const parts: Record<string, string> = {};
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24, Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = offsetMin === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${String(Number(parts.hour) % 24).padStart(2, '0')}:${parts.minute}:${parts.second}${offset}`;
}

/** The Job for one scheduled time (upstream getJobFromTemplate2). */
export function jobFromTemplate(cj: CronJob, scheduled: number): KubeObject {
  const template = cj.spec.jobTemplate ?? {};
  const annotations: Record<string, string> = { ...(template.metadata?.annotations ?? {}) };
  annotations[scheduledTimestampAnnotation] = rfc3339In(scheduled, cj.spec.timeZone || 'UTC');
  const metadata: KubeObject['metadata'] = {
    name: jobName(cj, scheduled),
    namespace: cj.metadata.namespace,
    annotations,
    ownerReferences: [controllerRef(cj, 'batch/v1', 'CronJob')],
  };
  if (template.metadata?.labels) metadata.labels = { ...template.metadata.labels };
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: structuredClone(template.spec ?? {}) };
}
