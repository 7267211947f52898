// The garbage collector against an in-process API server: background, orphan and foreground
// propagation, dangling and cross-namespace references, cluster-scoped owners, custom
// resources discovered after start, and the cost of collecting many dependents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { core, type ApiClient, type ResourceRef } from '../../client/client.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { newContext } from '../runtime/context.js';
import { systemClock } from '../runtime/clock.js';
import { waitFor } from '../runtime/testing.js';
import { GarbageCollector } from './controller.js';

const apps = (plural: string, namespace?: string): ResourceRef => ({ group: 'apps', version: 'v1', plural, namespace });

let api: TestApiServer;
let gc: GarbageCollector;
let gcClient: ApiClient;
/** The collector's requests, "METHOD /path" (watches are not counted). */
const requests: string[] = [];
let stopGc: () => Promise<void>;

before(async () => {
  api = await startTestApiServer();
  gcClient = api.newClient('unyo-controller-manager');
  const request = gcClient.request.bind(gcClient);
  gcClient.request = (method: string, path: string, body?: unknown, contentType?: string) => {
    requests.push(`${method} ${path.split('?')[0]}`);
    return request(method, path, body, contentType);
  };
  const ctx = newContext(gcClient, systemClock, 'default');
  gc = new GarbageCollector(ctx, { resyncPeriodMs: 30_000, initialSyncTimeoutMs: 20_000, workers: 5 });
  await ctx.informers.start();
  gc.start();
  await gc.ready();
  stopGc = async () => {
    await gc.stop();
    ctx.informers.stop();
  };
  for (const ns of ['gc-a', 'gc-b']) await api.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});

after(async () => {
  await stopGc();
  await api.stop();
});

function ownerRef(owner: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, ...extra };
}

function configMap(name: string, namespace: string, owners: OwnerReference[] = [], finalizers?: string[]): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ownerReferences: owners.length ? owners : undefined, finalizers }, data: { name } };
}

async function exists(ref: ResourceRef, name: string): Promise<KubeObject | undefined> {
  try {
    return await api.client.get(ref, name);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  }
}

const gone = (ref: ResourceRef, name: string) => async () => (await exists(ref, name)) === undefined;

function deployment(name: string, namespace: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'unyo/web:1' }] } } },
  };
}

function replicaSet(name: string, namespace: string, owner: KubeObject): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace, ownerReferences: [ownerRef(owner, { controller: true, blockOwnerDeletion: true })] },
    spec: { replicas: 0, selector: { matchLabels: { rs: name } }, template: { metadata: { labels: { rs: name } }, spec: { containers: [{ name: 'c', image: 'unyo/web:1' }] } } },
  };
}

function pod(name: string, namespace: string, owner: KubeObject, finalizers?: string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ownerReferences: [ownerRef(owner, { controller: true, blockOwnerDeletion: true })], finalizers },
    spec: { containers: [{ name: 'c', image: 'unyo/web:1' }] },
  };
}

test('background: dependents whose owners are all gone are deleted; one with a remaining owner loses the dangling reference', async () => {
  const owner = await api.client.create(core('configmaps', 'gc-a'), configMap('bg-owner', 'gc-a'));
  const other = await api.client.create(core('configmaps', 'gc-a'), configMap('bg-other', 'gc-a'));
  for (const name of ['bg-dep-1', 'bg-dep-2']) await api.client.create(core('configmaps', 'gc-a'), configMap(name, 'gc-a', [ownerRef(owner)]));
  await api.client.create(core('configmaps', 'gc-a'), configMap('bg-shared', 'gc-a', [ownerRef(owner), ownerRef(other)]));
  await waitFor('the dependents in the collector caches', () => gc.graph.dependents(owner.metadata.uid!).length === 3);

  await api.client.delete(core('configmaps', 'gc-a'), 'bg-owner');
  await waitFor('bg-dep-1 collected', gone(core('configmaps', 'gc-a'), 'bg-dep-1'));
  await waitFor('bg-dep-2 collected', gone(core('configmaps', 'gc-a'), 'bg-dep-2'));
  const shared = await waitFor('bg-shared keeps only its live owner', async () => {
    const cm = await exists(core('configmaps', 'gc-a'), 'bg-shared');
    return cm?.metadata.ownerReferences?.length === 1 ? cm : undefined;
  });
  assert.equal(shared.metadata.ownerReferences![0].uid, other.metadata.uid);
});

test('an object created with a reference to an owner that does not exist (or another uid under that name) is deleted', async () => {
  const live = await api.client.create(core('configmaps', 'gc-a'), configMap('dangling-live', 'gc-a'));
  await api.client.create(core('configmaps', 'gc-a'), configMap('dangling-1', 'gc-a', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'never-was', uid: '8c1f4cc5-0000-4000-8000-000000000001' }]));
  // Right name, wrong uid: the owner it named was replaced.
  await api.client.create(core('configmaps', 'gc-a'), configMap('dangling-2', 'gc-a', [{ ...ownerRef(live), uid: '8c1f4cc5-0000-4000-8000-000000000002' }]));
  await api.client.create(core('configmaps', 'gc-a'), configMap('not-dangling', 'gc-a', [ownerRef(live)]));
  await waitFor('dangling-1 collected', gone(core('configmaps', 'gc-a'), 'dangling-1'));
  await waitFor('dangling-2 collected', gone(core('configmaps', 'gc-a'), 'dangling-2'));
  assert.ok(await exists(core('configmaps', 'gc-a'), 'not-dangling'), 'a dependent of a live owner stays');
});

test('orphan: the owner goes after its dependents lose their references to it', async () => {
  const d = await api.client.create(apps('deployments', 'gc-a'), deployment('orphaner', 'gc-a'));
  for (const name of ['orphaner-1', 'orphaner-2']) await api.client.create(apps('replicasets', 'gc-a'), replicaSet(name, 'gc-a', d));
  await waitFor('the ReplicaSets in the collector caches', () => gc.graph.dependents(d.metadata.uid!).length === 2);

  const deleting = (await api.client.delete(apps('deployments', 'gc-a'), 'orphaner', { propagationPolicy: 'Orphan' })) as KubeObject;
  assert.deepEqual(deleting.metadata.finalizers, ['orphan'], 'the API server leaves the orphan finalizer for the collector');
  assert.ok(deleting.metadata.deletionTimestamp);
  await waitFor('the Deployment gone', gone(apps('deployments', 'gc-a'), 'orphaner'));
  for (const name of ['orphaner-1', 'orphaner-2']) {
    const rs = await exists(apps('replicasets', 'gc-a'), name);
    assert.ok(rs, `${name} kept`);
    assert.equal(rs.metadata.ownerReferences, undefined, `${name} has no owner references left`);
  }
});

test('foreground: the owner waits with foregroundDeletion while blocking dependents remain; the chain goes bottom-up', async () => {
  const d = await api.client.create(apps('deployments', 'gc-a'), deployment('fg', 'gc-a'));
  const rs = await api.client.create(apps('replicasets', 'gc-a'), replicaSet('fg-rs', 'gc-a', d));
  // The Pod is held by a finalizer of its own, so the intermediate state can be seen.
  await api.client.create(core('pods', 'gc-a'), pod('fg-pod', 'gc-a', rs, ['test.unyo.dev/hold']));
  await api.client.create(core('pods', 'gc-a'), pod('fg-pod-2', 'gc-a', rs));
  await waitFor('the Pods in the collector caches', () => gc.graph.dependents(rs.metadata.uid!).length === 2);

  await api.client.delete(apps('deployments', 'gc-a'), 'fg', { propagationPolicy: 'Foreground' });
  await waitFor('fg-pod-2 collected', gone(core('pods', 'gc-a'), 'fg-pod-2'));
  const heldPod = await waitFor('the held Pod being deleted', async () => {
    const p = await exists(core('pods', 'gc-a'), 'fg-pod');
    return p?.metadata.deletionTimestamp ? p : undefined;
  });
  assert.deepEqual(heldPod.metadata.finalizers, ['test.unyo.dev/hold']);
  const deploymentWaiting = await exists(apps('deployments', 'gc-a'), 'fg');
  assert.ok(deploymentWaiting?.metadata.deletionTimestamp, 'the Deployment has a deletionTimestamp');
  assert.deepEqual(deploymentWaiting.metadata.finalizers, ['foregroundDeletion']);
  const rsWaiting = await exists(apps('replicasets', 'gc-a'), 'fg-rs');
  assert.ok(rsWaiting?.metadata.deletionTimestamp, 'the ReplicaSet (which has dependents) is deleted in the foreground too');
  assert.deepEqual(rsWaiting.metadata.finalizers, ['foregroundDeletion']);

  await api.client.patch(core('pods', 'gc-a'), 'fg-pod', { metadata: { finalizers: null } });
  await waitFor('the Pod gone', gone(core('pods', 'gc-a'), 'fg-pod'));
  await waitFor('the ReplicaSet gone', gone(apps('replicasets', 'gc-a'), 'fg-rs'));
  await waitFor('the Deployment gone', gone(apps('deployments', 'gc-a'), 'fg'));
});

test('foreground waits only for blocking dependents: a non-blocking one is collected after the owner is gone', async () => {
  const owner = await api.client.create(core('configmaps', 'gc-a'), configMap('fg-nb-owner', 'gc-a'));
  await api.client.create(core('configmaps', 'gc-a'), configMap('fg-nb-dep', 'gc-a', [ownerRef(owner, { blockOwnerDeletion: false })], ['test.unyo.dev/hold']));
  await waitFor('the dependent in the collector caches', () => gc.graph.dependents(owner.metadata.uid!).length === 1);
  await api.client.delete(core('configmaps', 'gc-a'), 'fg-nb-owner', { propagationPolicy: 'Foreground' });
  await waitFor('the owner gone without waiting', gone(core('configmaps', 'gc-a'), 'fg-nb-owner'));
  const dep = await waitFor('the dependent being deleted', async () => {
    const cm = await exists(core('configmaps', 'gc-a'), 'fg-nb-dep');
    return cm?.metadata.deletionTimestamp ? cm : undefined;
  });
  assert.deepEqual(dep.metadata.finalizers, ['test.unyo.dev/hold']);
  await api.client.patch(core('configmaps', 'gc-a'), 'fg-nb-dep', { metadata: { finalizers: null } });
  await waitFor('the dependent gone', gone(core('configmaps', 'gc-a'), 'fg-nb-dep'));
});

test('a cluster-scoped owner of namespaced dependents in several namespaces', async () => {
  const role = await api.client.create({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles' }, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gc-cluster-owner' }, rules: [] });
  for (const ns of ['gc-a', 'gc-b']) await api.client.create(core('configmaps', ns), configMap('cluster-owned', ns, [ownerRef(role)]));
  await waitFor('the dependents in the collector caches', () => gc.graph.dependents(role.metadata.uid!).length === 2);
  await api.client.delete({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles' }, 'gc-cluster-owner');
  for (const ns of ['gc-a', 'gc-b']) await waitFor(`${ns}/cluster-owned collected`, gone(core('configmaps', ns), 'cluster-owned'));
});

test('a namespaced dependent of a cluster-scoped owner that does not exist is deleted; a cluster-scoped object naming a namespaced owner is left alone', async () => {
  const clusterRoles: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles' };
  const strange = await api.client.create(clusterRoles, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gc-names-a-configmap', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nowhere', uid: '8c1f4cc5-0000-4000-8000-000000000005' }] }, rules: [] });
  await api.client.create(core('configmaps', 'gc-b'), configMap('cluster-dangling', 'gc-b', [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'gc-never-was', uid: '8c1f4cc5-0000-4000-8000-000000000006' }]));
  await waitFor('the dependent of a missing cluster-scoped owner collected', gone(core('configmaps', 'gc-b'), 'cluster-dangling'));
  assert.equal((await exists(clusterRoles, 'gc-names-a-configmap'))?.metadata.uid, strange.metadata.uid, 'a cluster-scoped object cannot be owned by a namespaced one: not collected');
});

test('a reference to an owner in another namespace is reported (OwnerRefInvalidNamespace) and treated as absent', async () => {
  const owner = await api.client.create(core('configmaps', 'gc-a'), configMap('ns-owner', 'gc-a'));
  const dep = await api.client.create(core('configmaps', 'gc-b'), configMap('ns-dep', 'gc-b', [ownerRef(owner)]));
  await waitFor('the cross-namespace dependent collected', gone(core('configmaps', 'gc-b'), 'ns-dep'));
  assert.ok(await exists(core('configmaps', 'gc-a'), 'ns-owner'), 'the real owner is untouched');
  const event = await waitFor('the OwnerRefInvalidNamespace event', async () => (await api.client.list(core('events', 'gc-b'))).items.find((e: any) => e.reason === 'OwnerRefInvalidNamespace' && e.involvedObject.uid === dep.metadata.uid) as any);
  assert.equal(event.type, 'Warning');
  assert.equal(event.message, `ownerRef [v1/ConfigMap, namespace: gc-b, name: ns-owner, uid: ${owner.metadata.uid}] does not exist in namespace "gc-b"`);
  assert.equal(event.source.component, 'garbage-collector-controller');
});

test('custom resources discovered after start are collected, as owners and as dependents', async () => {
  const crds: ResourceRef = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
  await api.client.create(crds, {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.gc.unyo.dev' },
    spec: { group: 'gc.unyo.dev', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  } as KubeObject);
  const gadgets: ResourceRef = { group: 'gc.unyo.dev', version: 'v1', plural: 'gadgets', namespace: 'gc-a' };
  const gadget = (name: string, owners: OwnerReference[] = []) => ({ apiVersion: 'gc.unyo.dev/v1', kind: 'Gadget', metadata: { name, namespace: 'gc-a', ownerReferences: owners.length ? owners : undefined } });
  const owner = await waitFor('the CRD served', () => api.client.create(gadgets, gadget('gadget-owner')));
  await api.client.create(gadgets, gadget('gadget-dep', [ownerRef(owner)]));
  await api.client.create(core('configmaps', 'gc-a'), configMap('gadget-owned', 'gc-a', [ownerRef(owner)]));
  const cmOwner = await api.client.create(core('configmaps', 'gc-a'), configMap('owns-gadget', 'gc-a'));
  await api.client.create(gadgets, gadget('gadget-of-cm', [ownerRef(cmOwner)]));
  await waitFor('the collector watching gadgets', () => gc.graph.dependents(owner.metadata.uid!).length === 2, 30_000);

  await api.client.delete(gadgets, 'gadget-owner');
  await waitFor('the Gadget dependent collected', gone(gadgets, 'gadget-dep'));
  await waitFor('the ConfigMap dependent collected', gone(core('configmaps', 'gc-a'), 'gadget-owned'));
  await api.client.delete(core('configmaps', 'gc-a'), 'owns-gadget');
  await waitFor('the Gadget owned by a ConfigMap collected', gone(gadgets, 'gadget-of-cm'));

  await api.client.delete(crds, 'gadgets.gc.unyo.dev');
  await waitFor('the collector no longer watching gadgets', () => !gc.graph.monitoredResources.some((r) => r.plural === 'gadgets'), 30_000);
});

test('a reference to a kind that is not served keeps the dependent until the kind is served and shows the owner absent', async () => {
  const crds: ResourceRef = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
  const waiting = await api.client.create(core('configmaps', 'gc-a'), configMap('unserved-owner-dep', 'gc-a', [{ apiVersion: 'later.unyo.dev/v1', kind: 'Widget', name: 'w', uid: '8c1f4cc5-0000-4000-8000-000000000003' }]));
  // A sibling with a dangling reference to a served kind, queued at the same time, is collected.
  await api.client.create(core('configmaps', 'gc-a'), configMap('unserved-sibling', 'gc-a', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', uid: '8c1f4cc5-0000-4000-8000-000000000004' }]));
  await waitFor('the sibling collected', gone(core('configmaps', 'gc-a'), 'unserved-sibling'));
  assert.equal((await exists(core('configmaps', 'gc-a'), 'unserved-owner-dep'))?.metadata.uid, waiting.metadata.uid, 'kept while the kind is unknown');

  await api.client.create(crds, {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.later.unyo.dev' },
    spec: { group: 'later.unyo.dev', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  } as KubeObject);
  await waitFor('the dependent collected once Widgets are served and w does not exist', gone(core('configmaps', 'gc-a'), 'unserved-owner-dep'), 60_000);
});

test('collecting many dependents reads no list again and asks about their owner once', async () => {
  const owner = await api.client.create(core('configmaps', 'gc-b'), configMap('many-owner', 'gc-b'));
  const n = 300;
  const creates: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) creates.push(api.client.create(core('configmaps', 'gc-b'), configMap(`many-${i}`, 'gc-b', [ownerRef(owner)])));
  await Promise.all(creates);
  await waitFor('every dependent in the collector caches', () => gc.graph.dependents(owner.metadata.uid!).length === n, 30_000);
  const before = requests.length;
  await api.client.delete(core('configmaps', 'gc-b'), 'many-owner');
  await waitFor('every dependent collected', async () => (await api.client.list(core('configmaps', 'gc-b'))).items.filter((c) => c.metadata.name!.startsWith('many-')).length === 0, 60_000);
  const made = requests.slice(before);
  const lists = made.filter((r) => r.startsWith('GET') && r.endsWith('/configmaps'));
  assert.deepEqual(lists, [], 'no ConfigMap list');
  const ownerReads = made.filter((r) => r === 'GET /api/v1/namespaces/gc-b/configmaps/many-owner');
  assert.ok(ownerReads.length <= 5, `the owner read ${ownerReads.length} times for ${n} dependents`);
  const deletes = made.filter((r) => r.startsWith('DELETE'));
  assert.equal(deletes.length, n, 'one delete per dependent');
});
