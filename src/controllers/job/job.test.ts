import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { core } from '../../client/client.js';
import type { KubeObject } from '../../api/types.js';
import { FakeClock } from '../runtime/clock.js';
import { newContext, type ControllerContext } from '../runtime/context.js';
import { waitFor } from '../runtime/testing.js';
import { rfc3339 } from '../runtime/clock.js';
import { JobController, jobsRef } from './controller.js';
import { trackingFinalizer } from './pods.js';
import { completionIndexKey } from './indexed.js';

let api: TestApiServer;
let clock: FakeClock;
let ctx: ControllerContext;
let jc: JobController;
const ns = 'default';

before(async () => {
  clock = new FakeClock(Date.now());
  api = await startTestApiServer({ now: () => new Date(clock.now()) });
  ctx = newContext(api.newClient('job-controller'), clock, 'fast');
  jc = new JobController(ctx, { batchPeriodMs: 0 });
  await ctx.informers.start();
  jc.start();
});

after(async () => {
  await jc.stop();
  ctx.informers.stop();
  await api.stop();
});

function jobManifest(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'unyo/busybox', command: ['sh', '-c', 'true'] }] } }, ...spec },
  };
}

const getJob = (name: string) => api.client.get<any>(jobsRef(ns), name);
async function podsOf(job: string): Promise<any[]> {
  const list = await api.client.list<any>(core('pods', ns), { labelSelector: `batch.kubernetes.io/job-name=${job}` });
  return list.items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** Play the kubelet: the Pod's container exits with `exitCode`. */
async function finish(pod: any, exitCode: number): Promise<void> {
  const at = rfc3339(clock.now());
  const fresh: any = await api.client.get(core('pods', ns), pod.metadata.name);
  fresh.status = {
    ...fresh.status,
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: at }],
    containerStatuses: [{ name: 'c', image: 'unyo/busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: at, startedAt: at } } }],
  };
  await api.client.update(core('pods', ns), fresh, 'status');
}

const condition = (job: any, type: string) => (job.status?.conditions ?? []).find((c: any) => c.type === type);
async function events(name: string): Promise<string[]> {
  const list = await api.client.list<any>(core('events', ns), { fieldSelector: `involvedObject.name=${name}` });
  return list.items.map((e) => `${e.reason}: ${e.message}`);
}

test('a Job runs its completions, parallelism at a time, and completes once every Pod is counted', async () => {
  await api.client.create(jobsRef(ns), jobManifest('three', { completions: 3, parallelism: 2 }));
  let pods = await waitFor('two pods', async () => ((await podsOf('three')).length === 2 ? podsOf('three') : undefined));
  const job = await getJob('three');
  for (const p of pods) {
    assert.deepEqual(p.metadata.finalizers, [trackingFinalizer]);
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'three', uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(p.metadata.labels['batch.kubernetes.io/controller-uid'], job.metadata.uid);
    assert.equal(p.metadata.labels['controller-uid'], job.metadata.uid);
    assert.match(p.metadata.name, /^three-[a-z0-9]{5}$/);
  }
  await waitFor('status.active 2', async () => (await getJob('three')).status?.active === 2);
  assert.ok((await getJob('three')).status.startTime);

  const firstDone = pods[0].metadata.name;
  await finish(pods[0], 0);
  pods = await waitFor('a third pod', async () => ((await podsOf('three')).length === 3 ? podsOf('three') : undefined));
  await waitFor('first success counted, finalizer removed', async () => {
    const j = await getJob('three');
    const p: any = await api.client.get(core('pods', ns), firstDone);
    return j.status?.succeeded === 1 && !(p.metadata.finalizers ?? []).includes(trackingFinalizer);
  });
  for (const p of pods) if (p.status?.phase !== 'Succeeded') await finish(p, 0);
  const done = await waitFor('Complete', async () => {
    const j = await getJob('three');
    return condition(j, 'Complete')?.status === 'True' ? j : undefined;
  });
  assert.equal(done.status.succeeded, 3);
  assert.equal(done.status.active, 0);
  assert.equal(done.status.failed ?? 0, 0);
  assert.ok(done.status.completionTime);
  assert.deepEqual(
    done.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]),
    [
      ['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ],
  );
  assert.deepEqual(done.status.uncountedTerminatedPods, {});
  for (const p of await podsOf('three')) assert.ok(!(p.metadata.finalizers ?? []).includes(trackingFinalizer), 'every finalizer removed');
  const evs = await waitFor('events', async () => {
    const e = await events('three');
    return e.includes('Completed: Job completed') ? e : undefined;
  });
  assert.equal(evs.filter((e) => e.startsWith('SuccessfulCreate: Created pod: three-')).length, 3);
});

test('failed Pods are replaced after the pod failure backoff, and the Job fails with BackoffLimitExceeded', async () => {
  await api.client.create(jobsRef(ns), jobManifest('flaky', { backoffLimit: 1 }));
  const [first] = await waitFor('a pod', async () => ((await podsOf('flaky')).length === 1 ? podsOf('flaky') : undefined));
  await finish(first, 1);
  await waitFor('failure counted', async () => (await getJob('flaky')).status?.failed === 1);
  // The replacement waits out the 10 s backoff.
  clock.advance(5_000);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await podsOf('flaky')).length, 1, 'no replacement during the backoff');
  clock.advance(5_000);
  const pods = await waitFor('a replacement', async () => ((await podsOf('flaky')).length === 2 ? podsOf('flaky') : undefined));
  const second = pods.find((p) => p.metadata.name !== first.metadata.name);
  await finish(second, 1);
  const failed = await waitFor('Failed', async () => {
    const j = await getJob('flaky');
    return condition(j, 'Failed')?.status === 'True' ? j : undefined;
  });
  assert.equal(failed.status.failed, 2);
  assert.deepEqual(
    failed.status.conditions.map((c: any) => [c.type, c.reason, c.message]),
    [
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ],
  );
  assert.equal(failed.status.completionTime, undefined);
  await waitFor('warning event', async () => (await events('flaky')).includes('BackoffLimitExceeded: Job has reached the specified backoff limit'));
  clock.advance(60_000);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await podsOf('flaky')).length, 2, 'a failed Job creates no more Pods');
});

test('activeDeadlineSeconds stops the Pods and fails the Job with DeadlineExceeded', async () => {
  await api.client.create(jobsRef(ns), jobManifest('slow', { activeDeadlineSeconds: 30 }));
  await waitFor('a pod', async () => (await podsOf('slow')).length === 1);
  clock.advance(30_000);
  const failed = await waitFor('Failed', async () => {
    const j = await getJob('slow');
    return condition(j, 'Failed')?.status === 'True' ? j : undefined;
  });
  assert.equal(condition(failed, 'Failed').reason, 'DeadlineExceeded');
  assert.equal(condition(failed, 'Failed').message, 'Job was active longer than specified deadline');
  assert.equal(failed.status.failed, 1, 'the stopped Pod counts as failed');
  await waitFor('the pod is gone', async () => (await podsOf('slow')).length === 0);
});

test('an Indexed Job gives each Pod its completion index and records completedIndexes', async () => {
  await api.client.create(jobsRef(ns), jobManifest('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
  const pods = await waitFor('three pods', async () => ((await podsOf('idx')).length === 3 ? podsOf('idx') : undefined));
  const byIndex = new Map(pods.map((p) => [p.metadata.annotations[completionIndexKey], p]));
  assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
  const p1 = byIndex.get('1');
  assert.equal(p1.metadata.labels[completionIndexKey], '1');
  assert.equal(p1.spec.hostname, 'idx-1');
  assert.match(p1.metadata.name, /^idx-1-/);
  assert.deepEqual(p1.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${completionIndexKey}']` } } }]);
  await finish(p1, 0);
  await finish(byIndex.get('2'), 0);
  await waitFor('completedIndexes 1-2', async () => (await getJob('idx')).status?.completedIndexes === '1-2');
  await finish(byIndex.get('0'), 0);
  const done = await waitFor('Complete', async () => {
    const j = await getJob('idx');
    return condition(j, 'Complete') ? j : undefined;
  });
  assert.equal(done.status.completedIndexes, '0-2');
  assert.equal(done.status.succeeded, 3);
});

test('a suspended Job runs no Pods until it is resumed', async () => {
  await api.client.create(jobsRef(ns), jobManifest('later', { suspend: true }));
  const suspended = await waitFor('Suspended', async () => {
    const j = await getJob('later');
    return condition(j, 'Suspended')?.status === 'True' ? j : undefined;
  });
  assert.equal(condition(suspended, 'Suspended').reason, 'JobSuspended');
  assert.equal(suspended.status.startTime, undefined);
  assert.equal((await podsOf('later')).length, 0);
  await api.client.patch(jobsRef(ns), 'later', { spec: { suspend: false } }, 'merge');
  await waitFor('a pod', async () => (await podsOf('later')).length === 1);
  const resumed = await getJob('later');
  assert.equal(condition(resumed, 'Suspended').status, 'False');
  assert.equal(condition(resumed, 'Suspended').reason, 'JobResumed');
  assert.ok(resumed.status.startTime);
});

test('a podFailurePolicy FailJob rule fails the Job at once', async () => {
  await api.client.create(
    jobsRef(ns),
    jobManifest('policy', { backoffLimit: 6, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } }),
  );
  const [pod] = await waitFor('a pod', async () => ((await podsOf('policy')).length === 1 ? podsOf('policy') : undefined));
  await finish(pod, 42);
  const failed = await waitFor('Failed', async () => {
    const j = await getJob('policy');
    return condition(j, 'Failed') ? j : undefined;
  });
  assert.equal(condition(failed, 'Failed').reason, 'PodFailurePolicy');
  assert.equal(condition(failed, 'Failed').message, `Container c for pod default/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`);
});

test('a Pod whose Job is deleted loses its tracking finalizer', async () => {
  await api.client.create(jobsRef(ns), jobManifest('gone', {}));
  const [pod] = await waitFor('a pod', async () => ((await podsOf('gone')).length === 1 ? podsOf('gone') : undefined));
  await api.client.delete(jobsRef(ns), 'gone', { propagationPolicy: 'Orphan' });
  await waitFor('finalizer removed', async () => {
    const p: any = await api.client.get(core('pods', ns), pod.metadata.name);
    return !(p.metadata.finalizers ?? []).includes(trackingFinalizer);
  });
});
