import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer } from '../../apiserver/testing.js';
import { core } from '../../client/client.js';
import { FakeClock } from '../runtime/clock.js';
import { newContext } from '../runtime/context.js';
import { waitFor } from '../runtime/testing.js';
import { PodGCController, outOfServiceTaint } from './controller.js';

const pod = (name: string, nodeName?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'unyo/busybox' }] },
});

test('terminating Pods on an out-of-service NotReady node and Pods on missing nodes are force-deleted; others stay', async () => {
  const clock = new FakeClock(Date.now());
  const api = await startTestApiServer({ now: () => new Date(clock.now()) });
  const ctx = newContext(api.newClient(), clock, 'fast');
  const gc = new PodGCController(ctx, { periodMs: 1000, quarantineMs: 5000 });
  const pods = core('pods', 'default');
  try {
    const node = (name: string, ready: string, taints: unknown[]) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready }] } });
    await api.client.create(core('nodes'), node('dead', 'Unknown', [{ key: outOfServiceTaint, value: 'nodeshutdown', effect: 'NoExecute' }]) as never);
    await api.client.create(core('nodes'), node('sick', 'Unknown', []) as never);
    for (const [name, nodeName] of [['on-dead', 'dead'], ['on-sick', 'sick'], ['on-gone', 'gone'], ['running-on-dead', 'dead']] as const) {
      await api.client.create(pods, pod(name, nodeName) as never);
    }
    // Deleted with a grace period: they stay Terminating until their node confirms (it never will).
    for (const name of ['on-dead', 'on-sick']) await api.client.delete(pods, name, { gracePeriodSeconds: 30 });
    await ctx.informers.start();
    await waitFor('the informers to see the deletions', () => ctx.informers.get(({ group: '', version: 'v1', plural: 'pods' })).list().filter((p) => p.metadata.deletionTimestamp).length === 2);

    await gc.gc();
    const names = async () => (await api.client.list(pods)).items.map((p) => p.metadata.name!).sort();
    await waitFor('on-dead to go', async () => !(await names()).includes('on-dead'));
    assert.deepEqual(await names(), ['on-gone', 'on-sick', 'running-on-dead'], 'a NotReady node without the taint keeps its Pods; a missing node is in quarantine');

    // The missing node's quarantine runs out.
    clock.advance(5000);
    await gc.gc();
    await waitFor('on-gone to go', async () => !(await names()).includes('on-gone'));
    assert.deepEqual(await names(), ['on-sick', 'running-on-dead'], 'a running Pod on an out-of-service node is left to the taint eviction');
  } finally {
    gc.stop();
    ctx.informers.stop();
    await api.stop();
  }
});
