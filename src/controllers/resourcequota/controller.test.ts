import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { ApiError } from '../../api/errors.js';
import { core } from '../../client/client.js';
import type { KubeObject } from '../../api/types.js';
import { FakeClock } from '../runtime/clock.js';
import { newContext, type ControllerContext } from '../runtime/context.js';
import { waitFor } from '../runtime/testing.js';
import { ResourceQuotaController } from './controller.js';

let api: TestApiServer;
let ctx: ControllerContext;
let rq: ResourceQuotaController;

before(async () => {
  api = await startTestApiServer();
  ctx = newContext(api.newClient(), new FakeClock(Date.now()), 'fast');
  rq = new ResourceQuotaController(ctx, { resyncMs: 60_000 });
  await ctx.informers.start();
  rq.start();
});

after(async () => {
  await rq.stop();
  ctx.informers.stop();
  await api.stop();
});

async function namespace(name: string): Promise<void> {
  await api.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

function podIn(ns: string, name: string, resources?: Record<string, unknown>): Promise<KubeObject> {
  return api.client.create(core('pods', ns), { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'unyo/web:1', ...(resources ? { resources } : {}) }] } });
}

async function quota(ns: string, name: string, hard: Record<string, string>): Promise<any> {
  await api.client.create(core('resourcequotas', ns), { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard } });
  return waitFor(`quota ${name} counted`, async () => {
    const q: any = await api.client.get(core('resourcequotas', ns), name);
    return q.status?.used ? q : undefined;
  });
}

const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: ApiError) => e);

test('a pods quota: status counts what exists, a create beyond it is refused, a delete gives it back', async () => {
  await namespace('q1');
  await podIn('q1', 'before');
  const q = await quota('q1', 'q', { pods: '2', 'count/configmaps': '5' });
  assert.deepEqual(q.status, { hard: { 'count/configmaps': '5', pods: '2' }, used: { 'count/configmaps': '0', pods: '1' } });
  await podIn('q1', 'second');
  const used: any = await api.client.get(core('resourcequotas', 'q1'), 'q');
  assert.equal(used.status.used.pods, '2', 'admission charged the quota');
  const err = await refusal(podIn('q1', 'third'));
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 403);
  assert.equal(err.reason, 'Forbidden');
  assert.equal(err.message, 'pods "third" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  await api.client.delete(core('pods', 'q1'), 'before');
  await waitFor('usage given back', async () => ((await api.client.get(core('resourcequotas', 'q1'), 'q')) as any).status.used.pods === '1');
  await podIn('q1', 'third');
});

test('compute quotas need every container to state what they track', async () => {
  await namespace('q2');
  await quota('q2', 'compute', { 'requests.cpu': '1', 'limits.memory': '1Gi' });
  const err = await refusal(podIn('q2', 'bare'));
  assert.equal(err?.message, 'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: c; requests.cpu for: c');
  await podIn('q2', 'half', { requests: { cpu: '600m' }, limits: { memory: '512Mi' } });
  const over = await refusal(podIn('q2', 'more', { requests: { cpu: '600m' }, limits: { memory: '512Mi' } }));
  assert.equal(over?.message, 'pods "more" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
});

test('LimitRange defaults appear in the created Pod; its min and max are enforced', async () => {
  await namespace('lr');
  await api.client.create(core('limitranges', 'lr'), {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'limits' },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, min: { cpu: '100m' }, max: { memory: '1Gi' } }] },
  });
  const p: any = await podIn('lr', 'defaulted');
  assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
  assert.equal(p.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
  assert.equal(p.status.qosClass, 'Burstable');
  const small = await refusal(podIn('lr', 'small', { requests: { cpu: '50m' } }));
  assert.equal(small?.code, 403);
  assert.equal(small?.message, 'pods "small" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
  const big = await refusal(podIn('lr', 'big', { limits: { memory: '2Gi' } }));
  assert.equal(big?.message, 'pods "big" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi');
});

test('a dry-run create is checked against the quota but charges nothing', async () => {
  await namespace('q3');
  await quota('q3', 'q', { 'count/configmaps': '1' });
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } };
  await api.client.request('POST', '/api/v1/namespaces/q3/configmaps?dryRun=All', cm);
  assert.equal(((await api.client.get(core('resourcequotas', 'q3'), 'q')) as any).status.used['count/configmaps'], '0');
  await api.client.create(core('configmaps', 'q3'), cm);
  const err = await refusal(api.client.create(core('configmaps', 'q3'), { ...cm, metadata: { name: 'b' } }));
  assert.equal(err?.message, 'configmaps "b" is forbidden: exceeded quota: q, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1');
});
