import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { ApiError } from '../../api/errors.js';
import { core } from '../../client/client.js';
import { FakeClock } from '../runtime/clock.js';
import { newContext, type ControllerContext } from '../runtime/context.js';
import { waitFor } from '../runtime/testing.js';
import { rfc3339 } from '../runtime/clock.js';
import { DisruptionController } from './controller.js';
import { scaledValue } from './scale.js';

let api: TestApiServer;
let clock: FakeClock;
let ctx: ControllerContext;
let dc: DisruptionController;
const pdbs = { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespace: 'default' };
const replicaSets = { group: 'apps', version: 'v1', plural: 'replicasets', namespace: 'default' };
const deployments = { group: 'apps', version: 'v1', plural: 'deployments', namespace: 'default' };
const pods = core('pods', 'default');

before(async () => {
  clock = new FakeClock(Date.now());
  api = await startTestApiServer({ now: () => new Date(clock.now()) });
  ctx = newContext(api.newClient(), clock, 'fast');
  dc = new DisruptionController(ctx);
  await ctx.informers.start();
  dc.start();
});

after(async () => {
  await dc.stop();
  ctx.informers.stop();
  await api.stop();
});

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'unyo/web:1' }] } });

async function replicaSet(name: string, app: string, replicas: number, owner?: any): Promise<any> {
  return api.client.create(replicaSets, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] } : {}) },
    spec: { replicas, selector: { matchLabels: { app } }, template: template(app) },
  });
}

/** A Pod of `owner`, Running and (unless said otherwise) Ready, as a node would report it. */
async function pod(name: string, app: string, owner: any | undefined, opts: { ready?: boolean; phase?: string } = {}): Promise<any> {
  const created: any = await api.client.create(pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app }, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] } : {}) },
    spec: { containers: [{ name: 'c', image: 'unyo/web:1' }] },
  });
  const at = rfc3339(clock.now());
  created.status = { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: at }] };
  return api.client.update(pods, created, 'status');
}

async function evict(name: string, deleteOptions?: Record<string, unknown>): Promise<unknown> {
  return api.client.request('POST', `/api/v1/namespaces/default/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, ...(deleteOptions ? { deleteOptions } : {}) });
}

async function pdbStatus(name: string, want: (s: any) => boolean): Promise<any> {
  return waitFor(`pdb ${name} status`, async () => {
    const p: any = await api.client.get(pdbs, name);
    return p.status && want(p.status) ? p.status : undefined;
  });
}

const exists = (name: string) => api.client.get(pods, name).then((p) => !p.metadata.deletionTimestamp, () => false);

test('scaledValue rounds percentages up', () => {
  assert.equal(scaledValue(2, 10), 2);
  assert.equal(scaledValue('50%', 3), 2);
  assert.equal(scaledValue('20%', 5), 1);
  assert.equal(scaledValue('0%', 5), 0);
});

test('a PDB with minAvailable: status, eviction within the budget, 429 beyond it', async () => {
  const rs = await replicaSet('web', 'web', 3);
  for (const n of ['web-a', 'web-b', 'web-c']) await pod(n, 'web', rs);
  await api.client.create(pdbs, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
  const s = await pdbStatus('web', (st) => st.currentHealthy === 3);
  assert.equal(s.desiredHealthy, 2);
  assert.equal(s.expectedPods, 3);
  assert.equal(s.disruptionsAllowed, 1);
  assert.equal(s.observedGeneration, 1);
  assert.deepEqual(s.conditions.map((c: any) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);

  // A dry run spends nothing and deletes nothing.
  assert.equal(((await api.client.request('POST', '/api/v1/namespaces/default/pods/web-a/eviction?dryRun=All', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-a' } })) as any).status, 'Success');
  assert.ok(await exists('web-a'));
  assert.equal(((await api.client.get(pdbs, 'web')) as any).status.disruptionsAllowed, 1);

  const answer: any = await evict('web-a');
  assert.deepEqual(answer, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  await waitFor('web-a gone', async () => !(await exists('web-a')));
  const after = await pdbStatus('web', (st) => st.currentHealthy === 2 && st.disruptionsAllowed === 0);
  assert.deepEqual(after.conditions.map((c: any) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);

  const refused = await evict('web-b').then(() => undefined, (e: ApiError) => e);
  assert.ok(refused instanceof ApiError);
  assert.equal(refused.code, 429);
  assert.equal(refused.reason, 'TooManyRequests');
  assert.equal(refused.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.deepEqual(refused.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }]);
  assert.ok(await exists('web-b'), 'the refused Pod stays');

  // An unready Pod disrupts nothing more: with the budget met (2 of 2 healthy) it may go.
  await pod('web-d', 'web', rs, { ready: false });
  await pdbStatus('web', (st) => st.expectedPods === 3);
  await evict('web-d');
  assert.equal(await exists('web-d'), false, 'IfHealthyBudget: an unready Pod goes while the budget is met');
  // With web-c unready too the budget is not met: another unready Pod must wait...
  const c: any = await api.client.get(pods, 'web-c');
  c.status.conditions = [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(clock.now()) }];
  await api.client.update(pods, c, 'status');
  await pod('web-e', 'web', rs, { ready: false });
  await pdbStatus('web', (st) => st.currentHealthy === 1 && st.expectedPods === 3);
  const unready = await evict('web-e').then(() => undefined, (e: ApiError) => e);
  assert.equal(unready?.code, 429, 'IfHealthyBudget: an unready Pod waits while the budget is not met');
  // ...unless the budget says AlwaysAllow.
  await api.client.patch(pdbs, 'web', { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } }, 'merge');
  await pdbStatus('web', (st) => st.observedGeneration === 2);
  await evict('web-e');
  assert.equal(await exists('web-e'), false, 'AlwaysAllow: an unready Pod goes whatever the budget');
});

test('an evicted Pod still running is in disruptedPods and not healthy until it goes', async () => {
  const rs = await replicaSet('slow', 'slow', 2);
  for (const n of ['slow-a', 'slow-b']) await pod(n, 'slow', rs);
  // Bound to a node: deletion is graceful, so the Pod lingers after the eviction.
  for (const n of ['slow-a', 'slow-b']) await api.client.request('POST', `/api/v1/namespaces/default/pods/${n}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: n }, target: { kind: 'Node', name: 'node-1' } });
  await api.client.create(pdbs, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'slow' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'slow' } } } });
  await pdbStatus('slow', (st) => st.disruptionsAllowed === 1 && st.expectedPods === 2);
  await evict('slow-a');
  const evicted: any = await api.client.get(pods, 'slow-a');
  assert.ok(evicted.metadata.deletionTimestamp, 'graceful deletion started');
  const target = evicted.status.conditions.find((c: any) => c.type === 'DisruptionTarget');
  assert.deepEqual([target.status, target.reason, target.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);
  const st = await pdbStatus('slow', (s) => s.currentHealthy === 1);
  assert.equal(st.disruptionsAllowed, 0);
  const second = await evict('slow-b').then(() => undefined, (e: ApiError) => e);
  assert.equal(second?.code, 429);
});

test('maxUnavailable as a percentage is resolved against the Deployment that owns the ReplicaSet', async () => {
  const d: any = await api.client.create(deployments, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { replicas: 4, selector: { matchLabels: { app: 'api' } }, template: template('api') } });
  const rs = await replicaSet('api-1', 'api', 2, d);
  for (const n of ['api-a', 'api-b']) await pod(n, 'api', rs);
  await api.client.create(pdbs, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api' }, spec: { maxUnavailable: '50%', selector: { matchLabels: { app: 'api' } } } });
  const s = await pdbStatus('api', (st) => st.expectedPods === 4);
  assert.equal(s.desiredHealthy, 2);
  assert.equal(s.currentHealthy, 2);
  assert.equal(s.disruptionsAllowed, 0);
});

test('a Pod with no controller makes a percentage budget fail safe; two budgets refuse eviction with 500', async () => {
  await pod('lone', 'lone', undefined);
  await api.client.create(pdbs, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'lone' }, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'lone' } } } });
  await pdbStatus('lone', (st) => st.expectedPods === 0);
  await api.client.create(pdbs, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'lone-too' }, spec: { maxUnavailable: 1, selector: {} } });
  const err = await evict('lone').then(() => undefined, (e: ApiError) => e);
  assert.equal(err?.code, 500);
  assert.equal(err?.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  assert.equal(err?.reason, '', 'a Status without a reason, as upstream answers');
  // A Pending Pod disrupts nothing: it goes whatever the budgets say.
  await pod('pending', 'lone', undefined, { phase: 'Pending', ready: false });
  await evict('pending');
  assert.equal(await exists('pending'), false);
  await api.client.delete(pdbs, 'lone-too');
});
