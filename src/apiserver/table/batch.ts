// Printers for the batch group: Jobs (STATUS, COMPLETIONS, DURATION as Kubernetes 1.32 shows
// them) and CronJobs.
import { humanDuration, parseTimestamp, since } from './duration.js';
import { arr, boolPtr, containerCells, formatLabelSelector, int, str } from './format.js';
import { AGE, CONTAINERS, IMAGES, NAME, SELECTOR, column, type Printer } from './model.js';

/** True when the first condition of `type` has status True (later duplicates are ignored). */
function hasCondition(job: Record<string, any>, type: string): boolean {
  const condition = arr(job.status?.conditions).find((c) => c?.type === type);
  return condition?.status === 'True';
}

function jobStatus(job: Record<string, any>): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp != null) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** "succeeded/completions"; without completions "n/1", or "n/1 of P" for parallel work queues. */
function completions(job: Record<string, any>): string {
  const succeeded = int(job.status?.succeeded);
  if (typeof job.spec?.completions === 'number') return `${succeeded}/${int(job.spec.completions)}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** Start to completion, or start to now while the job runs; '' before it starts. */
function duration(job: Record<string, any>, now: Date): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTimestamp(job.status?.completionTime) ?? now.getTime();
  return humanDuration(end - start);
}

export const job: Printer = {
  columns: [
    NAME,
    column('Status', 'string', 'Complete, Failed, Terminating, Suspended, FailureTarget or Running.'),
    column('Completions', 'string', 'Succeeded pods out of the completions asked for.'),
    column('Duration', 'string', 'Time the job took, or has been running.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(o, { now }) {
    const [names, images] = containerCells(o.spec?.template?.spec);
    return {
      cells: [str(o.metadata?.name), jobStatus(o), completions(o), duration(o, now), since(o.metadata?.creationTimestamp, now), names, images, formatLabelSelector(o.spec?.selector)],
    };
  },
};

export const cronJob: Printer = {
  columns: [
    NAME,
    column('Schedule', 'string', 'Cron schedule of the job.'),
    column('Timezone', 'string', 'Time zone the schedule is read in.'),
    column('Suspend', 'boolean', 'Whether new runs are suspended.'),
    column('Active', 'integer', 'Number of jobs running now.'),
    column('Last Schedule', 'string', 'Time since a job was last scheduled.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(o, { now }) {
    const jobSpec = o.spec?.jobTemplate?.spec;
    const [names, images] = containerCells(jobSpec?.template?.spec);
    const last = o.status?.lastScheduleTime ? since(o.status.lastScheduleTime, now) : '<none>';
    return {
      cells: [
        str(o.metadata?.name),
        str(o.spec?.schedule),
        typeof o.spec?.timeZone === 'string' ? o.spec.timeZone : '<none>',
        boolPtr(o.spec?.suspend),
        arr(o.status?.active).length,
        last,
        since(o.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(jobSpec?.selector),
      ],
    };
  },
};
