// The namespace controller against an in-process API server: a deleted namespace is emptied
// of every kind (custom resources included), reports what it waits for in its conditions,
// and goes once the last finalizer in it is removed. Also the API server's side of it:
// DELETE only starts termination, /finalize changes spec.finalizers and nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { core, type ResourceRef } from '../../client/client.js';
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { newContext, type ControllerContext } from '../runtime/context.js';
import { systemClock } from '../runtime/clock.js';
import { waitFor } from '../runtime/testing.js';
import { NamespaceController } from './controller.js';

let api: TestApiServer;

before(async () => {
  api = await startTestApiServer();
});

after(async () => {
  await api.stop();
});

const namespaces = core('namespaces');

async function exists(ref: ResourceRef, name: string): Promise<KubeObject | undefined> {
  try {
    return await api.client.get(ref, name);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  }
}

async function withController(fn: () => Promise<void>): Promise<void> {
  const ctx: ControllerContext = newContext(api.newClient('unyo-controller-manager'), systemClock, 'default');
  const controller = new NamespaceController(ctx, { deletionGracePeriodMs: 50, workers: 2 });
  await ctx.informers.start();
  controller.start();
  try {
    await fn();
  } finally {
    await controller.stop();
    ctx.informers.stop();
  }
}

test('the API server: DELETE starts termination, PUT cannot change spec.finalizers, /finalize can and ends the deletion', async () => {
  await api.client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'finalize-api' } });
  const created = await api.client.get(namespaces, 'finalize-api');
  assert.deepEqual((created.spec as any).finalizers, ['kubernetes']);
  const replaced = await api.client.update(namespaces, { ...created, metadata: { ...created.metadata, labels: { a: 'b' } }, spec: { finalizers: [] } });
  assert.deepEqual((replaced.spec as any).finalizers, ['kubernetes'], 'a PUT keeps spec.finalizers');
  assert.equal(replaced.metadata.labels?.a, 'b');

  const deleting = (await api.client.delete(namespaces, 'finalize-api', { propagationPolicy: 'Background' })) as KubeObject;
  assert.ok(deleting.metadata.deletionTimestamp);
  assert.equal(deleting.metadata.deletionGracePeriodSeconds, undefined);
  assert.equal((deleting.status as any).phase, 'Terminating');
  const again = (await api.client.delete(namespaces, 'finalize-api')) as KubeObject;
  assert.equal(again.metadata.resourceVersion, deleting.metadata.resourceVersion, 'a second DELETE changes nothing while content is removed');
  // A status write while terminating does not end the deletion.
  await api.client.update(namespaces, { ...deleting, status: { ...(deleting.status as object), conditions: [{ type: 'Example', status: 'True' }] } }, 'status');
  assert.ok(await exists(namespaces, 'finalize-api'));

  const finalized = await api.client.update(namespaces, { ...deleting, metadata: { ...deleting.metadata, resourceVersion: undefined, labels: { changed: 'no' } }, spec: { finalizers: ['example.com/other'] } }, 'finalize');
  assert.deepEqual((finalized.spec as any).finalizers, ['example.com/other']);
  assert.deepEqual(finalized.metadata.labels, { a: 'b', 'kubernetes.io/metadata.name': 'finalize-api' }, '/finalize changes nothing but spec.finalizers');
  await api.client.update(namespaces, { ...finalized, spec: { finalizers: [] } }, 'finalize');
  assert.equal(await exists(namespaces, 'finalize-api'), undefined, 'the namespace goes when its last finalizer does');
});

test('a deleted namespace is emptied of every kind, waits with conditions for an object with a finalizer, then goes', async () => {
  await api.client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
  for (const name of ['one', 'two']) await api.client.create(core('configmaps', 'doomed'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
  await api.client.create(core('configmaps', 'doomed'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  await api.client.create(core('secrets', 'doomed'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { k: 'v' } });
  await api.client.create({ group: 'apps', version: 'v1', plural: 'deployments', namespace: 'doomed' }, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'unyo/web:1' }] } } },
  });
  await api.client.create({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' }, {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'things.ns.unyo.dev' },
    spec: { group: 'ns.unyo.dev', scope: 'Namespaced', names: { plural: 'things', singular: 'thing', kind: 'Thing' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  } as KubeObject);
  const things: ResourceRef = { group: 'ns.unyo.dev', version: 'v1', plural: 'things', namespace: 'doomed' };
  await waitFor('the CRD served', () => api.client.create(things, { apiVersion: 'ns.unyo.dev/v1', kind: 'Thing', metadata: { name: 'thing' } }));

  await withController(async () => {
    await api.client.delete(namespaces, 'doomed');
    const waiting = await waitFor('the conditions of a namespace waiting on a finalizer', async () => {
      const ns = await exists(namespaces, 'doomed');
      const conditions: any[] = (ns?.status as any)?.conditions ?? [];
      return conditions.find((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True') ? conditions : undefined;
    });
    const byType = Object.fromEntries(waiting.map((c: any) => [c.type, c]));
    assert.deepEqual(
      waiting.map((c: any) => [c.type, c.status, c.reason, c.message]),
      [
        ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
        ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
        ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
        ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances'],
        ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances'],
      ],
    );
    assert.match(byType.NamespaceContentRemaining.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const [ref, name] of [[core('configmaps', 'doomed'), 'one'], [core('secrets', 'doomed'), 's'], [{ group: 'apps', version: 'v1', plural: 'deployments', namespace: 'doomed' }, 'web'], [things, 'thing']] as const) {
      assert.equal(await exists(ref, name), undefined, `${ref.plural}/${name} deleted`);
    }
    const held = await exists(core('configmaps', 'doomed'), 'held');
    assert.ok(held?.metadata.deletionTimestamp, 'the held ConfigMap is being deleted');
    assert.ok(await exists(namespaces, 'doomed'), 'the namespace waits');

    await api.client.patch(core('configmaps', 'doomed'), 'held', { metadata: { finalizers: null } });
    await waitFor('the namespace gone', async () => (await exists(namespaces, 'doomed')) === undefined, 40_000);
  });
});

test('a namespace with nothing in it goes at once; one with a custom spec finalizer stays until that is removed too', async () => {
  await api.client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty' } });
  await api.client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'extra' }, spec: { finalizers: ['example.com/extra'] } });
  await withController(async () => {
    await api.client.delete(namespaces, 'empty');
    await api.client.delete(namespaces, 'extra');
    await waitFor('the empty namespace gone', async () => (await exists(namespaces, 'empty')) === undefined);
    const extra = await waitFor('kubernetes finalized on the other', async () => {
      const ns = await exists(namespaces, 'extra');
      return ns && !((ns.spec as any).finalizers as string[]).includes('kubernetes') ? ns : undefined;
    });
    assert.deepEqual((extra.spec as any).finalizers, ['example.com/extra']);
    assert.deepEqual(
      ((extra.status as any).conditions as any[]).filter((c) => c.status === 'True'),
      [],
      'every condition says all is well',
    );
    await api.client.update(namespaces, { ...extra, spec: { finalizers: [] } }, 'finalize');
    assert.equal(await exists(namespaces, 'extra'), undefined);
  });
});
