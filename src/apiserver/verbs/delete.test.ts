// DELETE as the garbage collector relies on it: which dependents finalizers a request leaves
// (per policy, per kind's default, per existing finalizers), the mark of an object that waits
// on finalizers, and a graceful Pod deletion that later requests do not change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../testing.js';
import { core, type ResourceRef } from '../../client/client.js';
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';

let api: TestApiServer;
before(async () => {
  api = await startTestApiServer();
});
after(async () => {
  await api.stop();
});

const jobs: ResourceRef = { group: 'batch', version: 'v1', plural: 'jobs', namespace: 'default' };
const deployments: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments', namespace: 'default' };
const jobTemplate = { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'unyo/busybox:1', command: ['true'] }] } };
const podTemplate = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'unyo/web:1' }] } });

async function exists(ref: ResourceRef, name: string): Promise<KubeObject | undefined> {
  try {
    return await api.client.get(ref, name);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  }
}

test('a batch/v1 Job deleted without a policy orphans its Pods by default: it waits with the orphan finalizer', async () => {
  const job = await api.client.create(jobs, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'legacy' }, spec: { template: jobTemplate } });
  const deleted = (await api.client.request('DELETE', '/apis/batch/v1/namespaces/default/jobs/legacy')) as KubeObject;
  assert.deepEqual(deleted.metadata.finalizers, ['orphan']);
  assert.ok(deleted.metadata.deletionTimestamp);
  assert.equal(deleted.metadata.deletionGracePeriodSeconds, 0);
  assert.equal(deleted.metadata.generation, job.metadata.generation! + 1, 'marking an object deleted bumps its generation');
  await api.client.create(jobs, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'background' }, spec: { template: jobTemplate } });
  await api.client.delete(jobs, 'background', { propagationPolicy: 'Background' });
  assert.equal(await exists(jobs, 'background'), undefined, 'with Background (what kubectl sends) it goes at once');
  const rcs = core('replicationcontrollers', 'default');
  await api.client.create(rcs, { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy' }, spec: { replicas: 0, selector: { app: 'rc' }, template: podTemplate('rc') } });
  const rc = (await api.client.request('DELETE', '/api/v1/namespaces/default/replicationcontrollers/legacy')) as KubeObject;
  assert.deepEqual(rc.metadata.finalizers, ['orphan'], 'v1 ReplicationControllers orphan by default too');
});

test('an apps/v1 Deployment deleted without a policy goes at once (background)', async () => {
  await api.client.create(deployments, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'plain' }, spec: { selector: { matchLabels: { app: 'plain' } }, template: podTemplate('plain') } });
  await api.client.request('DELETE', '/apis/apps/v1/namespaces/default/deployments/plain');
  assert.equal(await exists(deployments, 'plain'), undefined);
});

test('Events never get dependents finalizers', async () => {
  await api.client.create(core('events', 'default'), { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Test', message: 'm' } as KubeObject);
  await api.client.delete(core('events', 'default'), 'e', { propagationPolicy: 'Foreground' });
  assert.equal(await exists(core('events', 'default'), 'e'), undefined);
});

test('a later DELETE may change the dependents finalizers of an object held by another finalizer', async () => {
  const cms = core('configmaps', 'default');
  await api.client.create(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  const first = (await api.client.delete(cms, 'held', { propagationPolicy: 'Foreground' })) as KubeObject;
  assert.deepEqual(first.metadata.finalizers, ['example.com/hold', 'foregroundDeletion']);
  const second = (await api.client.delete(cms, 'held', { propagationPolicy: 'Orphan' })) as KubeObject;
  assert.deepEqual(second.metadata.finalizers, ['example.com/hold', 'orphan']);
  assert.equal(second.metadata.deletionTimestamp, first.metadata.deletionTimestamp, 'the deletion keeps its first timestamp');
  const third = (await api.client.delete(cms, 'held', { propagationPolicy: 'Background' })) as KubeObject;
  assert.deepEqual(third.metadata.finalizers, ['example.com/hold']);
  await api.client.patch(cms, 'held', { metadata: { finalizers: null } });
  assert.equal(await exists(cms, 'held'), undefined, 'gone with its last finalizer');
});

test('a graceful Pod deletion is not changed by later requests nor ended by a status update; a zero grace period ends it', async () => {
  const pods = core('pods', 'default');
  await api.client.create(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'graceful' }, spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'unyo/web:1' }] } });
  const first = (await api.client.delete(pods, 'graceful')) as KubeObject;
  assert.equal(first.metadata.deletionGracePeriodSeconds, 30);
  const second = (await api.client.delete(pods, 'graceful', { propagationPolicy: 'Orphan' })) as KubeObject;
  assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion, 'a pending graceful deletion ignores new options');
  assert.equal(second.metadata.finalizers, undefined);
  await api.client.update(pods, { ...second, status: { phase: 'Running' } }, 'status');
  assert.ok(await exists(pods, 'graceful'), 'the node still has to stop it');
  const shorter = (await api.client.delete(pods, 'graceful', { gracePeriodSeconds: 10 })) as KubeObject;
  assert.equal(shorter.metadata.deletionGracePeriodSeconds, 10);
  assert.equal(Date.parse(shorter.metadata.deletionTimestamp!), Date.parse(first.metadata.deletionTimestamp!) - 20_000, 'a shorter grace period counts from the first request');
  await api.client.delete(pods, 'graceful', { gracePeriodSeconds: 0 });
  assert.equal(await exists(pods, 'graceful'), undefined);
});
