import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { core } from '../../client/client.js';
import { FakeClock } from '../runtime/clock.js';
import { newContext, type ControllerContext } from '../runtime/context.js';
import { waitFor } from '../runtime/testing.js';
import { rfc3339 } from '../runtime/clock.js';
import { jobsRef } from '../job/controller.js';
import { CronJobController } from './controller.js';
import { jobFromTemplate, mostRecentScheduleTime, nextScheduleDelay, rfc3339In, scheduleOf, type CronJob } from './schedule.js';

const start = Date.parse('2026-03-02T10:00:30Z');
let api: TestApiServer;
let clock: FakeClock;
let ctx: ControllerContext;
let cc: CronJobController;
const cronJobs = { group: 'batch', version: 'v1', plural: 'cronjobs', namespace: 'default' };

before(async () => {
  clock = new FakeClock(start);
  api = await startTestApiServer({ now: () => new Date(clock.now()) });
  ctx = newContext(api.newClient(), clock, 'fast');
  cc = new CronJobController(ctx);
  await ctx.informers.start();
  cc.start();
});

after(async () => {
  await cc.stop();
  ctx.informers.stop();
  await api.stop();
});

function cronJob(name: string, spec: Record<string, unknown> = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { metadata: { labels: { app: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'unyo/busybox' }] } } } },
      ...spec,
    },
  };
}

async function jobsOf(cj: string): Promise<any[]> {
  const list = await api.client.list<any>(jobsRef('default'), { labelSelector: `app=${cj}` });
  return list.items.filter((j) => !j.metadata.deletionTimestamp).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

async function finishJob(job: any, type: 'Complete' | 'Failed'): Promise<void> {
  const at = rfc3339(clock.now());
  const fresh: any = await api.client.get(jobsRef('default'), job.metadata.name);
  fresh.status = { startTime: fresh.metadata.creationTimestamp, conditions: [{ type, status: 'True', lastTransitionTime: at, lastProbeTime: at }], ...(type === 'Complete' ? { completionTime: at, succeeded: 1 } : { failed: 1 }) };
  await api.client.update(jobsRef('default'), fresh, 'status');
}

const getCJ = (name: string) => api.client.get<any>(cronJobs, name);
async function events(name: string): Promise<string[]> {
  const list = await api.client.list<any>(core('events', 'default'), { fieldSelector: `involvedObject.name=${name}` });
  return list.items.map((e) => `${e.reason}: ${e.message}`);
}

/** Move the fake clock to the start of the given minute after `start`, plus the requeue slack. */
function toMinute(n: number): void {
  const target = Date.parse('2026-03-02T10:00:00Z') + n * 60_000 + 200;
  clock.advance(target - clock.now());
}

test('schedule helpers: names in minutes, zoned timestamps, missed times', () => {
  const cj = cronJob('h');
  cj.metadata.creationTimestamp = '2026-03-02T10:00:30Z';
  const t = Date.parse('2026-03-02T10:05:00Z');
  const job = jobFromTemplate({ ...cj, metadata: { ...cj.metadata, uid: 'u1' } }, t);
  assert.equal(job.metadata.name, `h-${t / 60_000}`);
  assert.equal(job.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-03-02T10:05:00Z');
  assert.equal(rfc3339In(t, 'Asia/Tokyo'), '2026-03-02T19:05:00+09:00');
  assert.equal(rfc3339In(t, 'America/New_York'), '2026-03-02T05:05:00-05:00');
  const schedule = scheduleOf(cj);
  const r = mostRecentScheduleTime(cj, Date.parse('2026-03-02T10:03:10Z'), schedule, true);
  assert.equal(new Date(r.mostRecent!).toISOString(), '2026-03-02T10:03:00.000Z');
  assert.equal(r.missed, 'few');
  assert.equal(nextScheduleDelay(cj, Date.parse('2026-03-02T10:00:40Z'), schedule), 20_100);
  const daily = cronJob('d', { schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' });
  daily.metadata.creationTimestamp = '2026-03-02T00:30:00Z';
  assert.equal(new Date(mostRecentScheduleTime(daily, Date.parse('2026-03-03T00:10:00Z'), scheduleOf(daily), true).mostRecent!).toISOString(), '2026-03-03T00:00:00.000Z');
});

test('a CronJob creates a Job each minute, tracks it, and keeps successfulJobsHistoryLimit finished Jobs', async () => {
  const created = await api.client.create<any>(cronJobs, cronJob('tick', { successfulJobsHistoryLimit: 2 }));
  await waitFor('first sync', () => clock.pendingTimers > 0);
  toMinute(1);
  const [first] = await waitFor('a job', async () => ((await jobsOf('tick')).length === 1 ? jobsOf('tick') : undefined));
  const scheduled = Date.parse('2026-03-02T10:01:00Z');
  assert.equal(first.metadata.name, `tick-${scheduled / 60_000}`);
  assert.equal(first.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-03-02T10:01:00Z');
  assert.deepEqual(first.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  const cj = await waitFor('status.active', async () => {
    const c = await getCJ('tick');
    return c.status?.active?.length === 1 ? c : undefined;
  });
  assert.equal(cj.status.active[0].name, first.metadata.name);
  assert.equal(cj.status.active[0].uid, first.metadata.uid);
  assert.equal(cj.status.lastScheduleTime, '2026-03-02T10:01:00Z');

  await finishJob(first, 'Complete');
  await waitFor('SawCompletedJob', async () => {
    const c = await getCJ('tick');
    return !c.status?.active && c.status?.lastSuccessfulTime;
  });
  assert.ok((await events('tick')).includes(`SawCompletedJob: Saw completed job: ${first.metadata.name}, status: Complete`));
  for (let m = 2; m <= 4; m++) {
    toMinute(m);
    const job = await waitFor(`job of minute ${m}`, async () => (await jobsOf('tick')).find((j) => j.metadata.name === `tick-${(Date.parse('2026-03-02T10:00:00Z') + m * 60_000) / 60_000}`));
    await waitFor('listed as active', async () => (await getCJ('tick')).status?.active?.some((r: any) => r.uid === job.metadata.uid));
    await finishJob(job, 'Complete');
    await waitFor('no longer active', async () => !(await getCJ('tick')).status?.active);
  }
  const left = await waitFor('history pruned to 2', async () => {
    const jobs = await jobsOf('tick');
    return jobs.length === 2 ? jobs : undefined;
  });
  assert.deepEqual(
    left.map((j) => j.metadata.name),
    [3, 4].map((m) => `tick-${(Date.parse('2026-03-02T10:00:00Z') + m * 60_000) / 60_000}`),
  );
  assert.ok((await events('tick')).some((e) => e.startsWith('SuccessfulDelete: Deleted job tick-')));
  await api.client.delete(cronJobs, 'tick');
});

test('concurrencyPolicy Forbid skips a run while a Job is active; Replace replaces it', async () => {
  await api.client.create(cronJobs, cronJob('forbid', { concurrencyPolicy: 'Forbid' }));
  await api.client.create(cronJobs, cronJob('replace', { concurrencyPolicy: 'Replace' }));
  const minute = Math.ceil((clock.now() - Date.parse('2026-03-02T10:00:00Z')) / 60_000);
  await waitFor('first syncs', async () => (await getCJ('forbid')).status !== undefined || clock.pendingTimers >= 2);
  toMinute(minute);
  await waitFor('both ran once', async () => (await jobsOf('forbid')).length === 1 && (await jobsOf('replace')).length === 1);
  const firstReplace = (await jobsOf('replace'))[0];
  await waitFor('both active', async () => (await getCJ('forbid')).status?.active?.length === 1 && (await getCJ('replace')).status?.active?.length === 1);
  toMinute(minute + 1);
  await waitFor('JobAlreadyActive', async () => (await events('forbid')).includes('JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid'));
  assert.equal((await jobsOf('forbid')).length, 1);
  const replaced = await waitFor('replacement', async () => {
    const jobs = await jobsOf('replace');
    return jobs.length === 1 && jobs[0].metadata.uid !== firstReplace.metadata.uid ? jobs[0] : undefined;
  });
  const cj = await waitFor('active is the new Job', async () => {
    const c = await getCJ('replace');
    return c.status?.active?.length === 1 && c.status.active[0].uid === replaced.metadata.uid ? c : undefined;
  });
  assert.ok(cj);
  assert.ok((await events('replace')).includes(`SuccessfulDelete: Deleted job ${firstReplace.metadata.name}`));
});

test('a suspended CronJob creates nothing; a Job made from it by hand is reported as unexpected', async () => {
  await api.client.create(cronJobs, cronJob('paused', { suspend: true }));
  const cj = await getCJ('paused');
  const minute = Math.ceil((clock.now() - Date.parse('2026-03-02T10:00:00Z')) / 60_000);
  toMinute(minute + 1);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await jobsOf('paused')).length, 0);
  // What `kubectl create job --from=cronjob/paused` sends.
  const manual = jobFromTemplate(cj, clock.now());
  manual.metadata.name = 'paused-manual';
  manual.metadata.annotations = { 'cronjob.kubernetes.io/instantiate': 'manual' };
  await api.client.create(jobsRef('default'), manual);
  await waitFor('UnexpectedJob', async () => (await events('paused')).includes('UnexpectedJob: Saw a job that the controller did not create or forgot: paused-manual'));
});
