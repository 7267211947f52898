import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer } from '../../apiserver/testing.js';
import { FakeClock } from '../runtime/clock.js';
import { newContext } from '../runtime/context.js';
import { waitFor } from '../runtime/testing.js';
import { rfc3339 } from '../runtime/clock.js';
import { jobsRef } from '../job/controller.js';
import { TTLAfterFinishedController } from './controller.js';

test('a finished Job is deleted, foreground, ttlSecondsAfterFinished after it finished', async () => {
  const clock = new FakeClock(Date.now());
  const api = await startTestApiServer({ now: () => new Date(clock.now()) });
  const ctx = newContext(api.newClient(), clock, 'fast');
  const ttl = new TTLAfterFinishedController(ctx);
  await ctx.informers.start();
  ttl.start();
  try {
    const spec = { ttlSecondsAfterFinished: 60, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'unyo/busybox' }] } } };
    for (const name of ['done', 'running']) await api.client.create(jobsRef('default'), { apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec });
    const job: any = await api.client.get(jobsRef('default'), 'done');
    const at = rfc3339(clock.now());
    job.status = { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at, lastProbeTime: at }], completionTime: at };
    await api.client.update(jobsRef('default'), job, 'status');
    clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await api.client.get(jobsRef('default'), 'done')).metadata.deletionTimestamp, undefined, 'not before the TTL');
    clock.advance(1_000);
    const deleted = await waitFor('deletion', async () => {
      const j = await api.client.get(jobsRef('default'), 'done');
      return j.metadata.deletionTimestamp ? j : undefined;
    });
    assert.deepEqual(deleted.metadata.finalizers, ['foregroundDeletion']);
    assert.equal((await api.client.get(jobsRef('default'), 'running')).metadata.deletionTimestamp, undefined, 'an unfinished Job stays');
  } finally {
    await ttl.stop();
    ctx.informers.stop();
    await api.stop();
  }
});
