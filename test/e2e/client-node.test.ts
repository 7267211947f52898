// The official JavaScript client (@kubernetes/client-node 1.x) against `unyo up`: typed APIs
// (list, create, read, the three patch types, delete), the generic KubernetesObjectApi with
// server-side apply, an informer and a raw watch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startCluster, removeCluster, waitFor, type Cluster } from './harness.js';

const namespace = 'client-node';
let cluster: Cluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

before(async () => {
  cluster = await startCluster();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

after(async () => {
  if (cluster) await removeCluster(cluster);
});

/** The Status a failed call carried: client-node 1.x throws ApiException with the body as text. */
async function rejection(call: Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof k8s.ApiException, `an ApiException, not ${err}`);
    const body = (err as k8s.ApiException<unknown>).body;
    return { code: (err as k8s.ApiException<unknown>).code, status: typeof body === 'string' ? JSON.parse(body) : body };
  }
  assert.fail('the call succeeded');
}

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const strategicPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

test('list namespaces and ConfigMaps, with a label selector', async () => {
  const namespaces = await core.listNamespace();
  const names = namespaces.items.map((n) => n.metadata?.name);
  assert.ok(names.includes('default'), JSON.stringify(names));
  assert.ok(names.includes(namespace), JSON.stringify(names));
  assert.match(namespaces.metadata?.resourceVersion ?? '', /^\d+$/);

  for (const [name, tier] of [['list-a', 'web'], ['list-b', 'web'], ['list-c', 'db']]) {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels: { tier } }, data: { name } } });
  }
  const web = await core.listNamespacedConfigMap({ namespace, labelSelector: 'tier=web' });
  assert.equal(web.kind, 'ConfigMapList');
  assert.deepEqual(web.items.map((cm) => cm.metadata?.name).sort(), ['list-a', 'list-b']);
  const notWeb = await core.listNamespacedConfigMap({ namespace, labelSelector: 'tier,tier!=web' });
  assert.deepEqual(notWeb.items.map((cm) => cm.metadata?.name), ['list-c']);
  const byField = await core.listNamespacedConfigMap({ namespace, fieldSelector: 'metadata.name=list-b' });
  assert.deepEqual(byField.items.map((cm) => cm.metadata?.name), ['list-b']);
  const page = await core.listNamespacedConfigMap({ namespace, labelSelector: 'tier', limit: 2 });
  assert.equal(page.items.length, 2);
  assert.ok(page.metadata?._continue, 'a continue token');
  const rest = await core.listNamespacedConfigMap({ namespace, labelSelector: 'tier', limit: 2, _continue: page.metadata._continue });
  assert.deepEqual([...page.items, ...rest.items].map((cm) => cm.metadata?.name).sort(), ['list-a', 'list-b', 'list-c']);
  assert.equal(rest.metadata?._continue, undefined);
});

test('create and read; a second create is 409 AlreadyExists', async () => {
  const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'created' }, data: { k: 'v' } } });
  assert.equal(created.metadata?.name, 'created');
  assert.equal(created.metadata?.namespace, namespace);
  assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(created.metadata?.creationTimestamp instanceof Date, 'creationTimestamp parses as a date');
  const read = await core.readNamespacedConfigMap({ name: 'created', namespace });
  assert.deepEqual(read.data, { k: 'v' });
  assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);

  const again = await rejection(core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'created' } } }));
  assert.equal(again.code, 409);
  assert.equal(again.status.kind, 'Status');
  assert.equal(again.status.reason, 'AlreadyExists');
  assert.equal(again.status.message, 'configmaps "created" already exists');
  assert.deepEqual(again.status.details, { name: 'created', kind: 'configmaps' });
});

test('create a Deployment: defaults are filled in', async () => {
  const created = await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      },
    },
  });
  assert.equal(created.spec?.replicas, 1);
  assert.equal(created.spec?.strategy?.type, 'RollingUpdate');
  assert.equal(created.spec?.strategy?.rollingUpdate?.maxSurge, '25%');
  assert.equal(created.spec?.template.spec?.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(created.spec?.template.spec?.restartPolicy, 'Always');
  assert.equal(created.metadata?.generation, 1);
});

test('patch: merge patch, JSON patch and strategic merge patch', async () => {
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'patched', labels: { a: '1' } }, data: { keep: 'yes', drop: 'yes' } } });
  const merged = await core.patchNamespacedConfigMap({ name: 'patched', namespace, body: { metadata: { labels: { b: '2' } }, data: { drop: null, added: 'yes' } } }, mergePatch);
  assert.deepEqual(merged.data, { keep: 'yes', added: 'yes' });
  assert.deepEqual(merged.metadata?.labels, { a: '1', b: '2' });

  // client-node's default patch content type is JSON patch.
  const jsonPatched = await core.patchNamespacedConfigMap({
    name: 'patched',
    namespace,
    body: [
      { op: 'test', path: '/data/keep', value: 'yes' },
      { op: 'replace', path: '/data/keep', value: 'still' },
      { op: 'remove', path: '/metadata/labels/a' },
    ],
  });
  assert.deepEqual(jsonPatched.data, { keep: 'still', added: 'yes' });
  assert.deepEqual(jsonPatched.metadata?.labels, { b: '2' });

  const failedTest = await rejection(core.patchNamespacedConfigMap({ name: 'patched', namespace, body: [{ op: 'test', path: '/data/keep', value: 'nope' }] }));
  assert.equal(failedTest.code, 422);
  assert.equal(failedTest.status.reason, 'Invalid');

  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'strategic' },
      spec: {
        selector: { matchLabels: { app: 'strategic' } },
        template: {
          metadata: { labels: { app: 'strategic' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox:1.36' }] },
        },
      },
    },
  });
  const strategic = await apps.patchNamespacedDeployment(
    { name: 'strategic', namespace, body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } } },
    strategicPatch,
  );
  assert.deepEqual(
    strategic.spec?.template.spec?.containers.map((c) => `${c.name}=${c.image}`),
    ['web=nginx:1.28', 'sidecar=busybox:1.36'],
  );
  assert.equal(strategic.metadata?.generation, 2);
});

test('delete: the object is gone, a second delete is 404 NotFound', async () => {
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'deleted' } } });
  await core.deleteNamespacedConfigMap({ name: 'deleted', namespace });
  const read = await rejection(core.readNamespacedConfigMap({ name: 'deleted', namespace }));
  assert.equal(read.code, 404);
  assert.equal(read.status.reason, 'NotFound');
  assert.equal(read.status.message, 'configmaps "deleted" not found');
  const again = await rejection(core.deleteNamespacedConfigMap({ name: 'deleted', namespace }));
  assert.equal(again.code, 404);

  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'collection-1', labels: { batch: 'x' } } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'collection-2', labels: { batch: 'x' } } } });
  await core.deleteCollectionNamespacedConfigMap({ namespace, labelSelector: 'batch=x' });
  const left = await core.listNamespacedConfigMap({ namespace, labelSelector: 'batch=x' });
  assert.deepEqual(left.items, []);
});

test('KubernetesObjectApi: create, server-side apply, read, list, delete', async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const spec: k8s.V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace }, data: { a: '1' } };
  const created = await objects.create(spec);
  assert.equal(created.metadata?.name, 'generic');

  const applied = await objects.patch<k8s.V1ConfigMap>(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace }, data: { b: '2' } },
    undefined,
    undefined,
    'e2e-applier',
    true,
    k8s.PatchStrategy.ServerSideApply,
  );
  assert.deepEqual(applied.data, { a: '1', b: '2' });
  assert.ok(applied.metadata?.managedFields?.some((f) => f.manager === 'e2e-applier' && f.operation === 'Apply'), JSON.stringify(applied.metadata?.managedFields));

  const read = await objects.read<k8s.V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } });
  assert.deepEqual(read.data, { a: '1', b: '2' });
  const listed = await objects.list('v1', 'ConfigMap', namespace, undefined, undefined, undefined, 'metadata.name=generic');
  assert.deepEqual(listed.items.map((o) => o.metadata?.name), ['generic']);
  await objects.delete(spec);
  const gone = await rejection(objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } }));
  assert.equal(gone.code, 404);
});

test('an informer sees add, update and delete events for ConfigMaps', async () => {
  const ns = 'informed';
  await core.createNamespace({ body: { metadata: { name: ns } } });
  // Only our ConfigMaps: a real cluster also publishes kube-root-ca.crt into every namespace.
  const labels = { informed: 'yes' };
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'before-start', labels }, data: { v: '0' } } });
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'informed=yes' }), 'informed=yes');
  const events: string[] = [];
  const errors: unknown[] = [];
  informer.on(k8s.ADD, (cm: k8s.V1ConfigMap) => events.push(`add ${cm.metadata?.name} ${cm.data?.v}`));
  informer.on(k8s.UPDATE, (cm: k8s.V1ConfigMap) => events.push(`update ${cm.metadata?.name} ${cm.data?.v}`));
  informer.on(k8s.DELETE, (cm: k8s.V1ConfigMap) => events.push(`delete ${cm.metadata?.name}`));
  informer.on(k8s.ERROR, (err: unknown) => errors.push(err));
  await informer.start();
  try {
    await waitFor('the initial list as an add', () => events.includes('add before-start 0'));
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched', labels }, data: { v: '1' } } });
    await waitFor('add watched', () => events.includes('add watched 1'));
    await core.patchNamespacedConfigMap({ name: 'watched', namespace: ns, body: { data: { v: '2' } } }, mergePatch);
    await waitFor('update watched', () => events.includes('update watched 2'));
    await core.deleteNamespacedConfigMap({ name: 'watched', namespace: ns });
    await waitFor('delete watched', () => events.includes('delete watched'));
    assert.deepEqual(events, ['add before-start 0', 'add watched 1', 'update watched 2', 'delete watched']);
    assert.deepEqual(errors, []);
  } finally {
    await informer.stop();
  }
});

test('a raw Watch from a resourceVersion sees ADDED, MODIFIED and DELETED in order', async () => {
  const start = await core.listNamespacedConfigMap({ namespace, labelSelector: 'watch=raw' });
  const events: string[] = [];
  let ended: unknown = 'still open';
  const watch = new k8s.Watch(kc);
  const abort = await watch.watch(
    `/api/v1/namespaces/${namespace}/configmaps`,
    { resourceVersion: start.metadata?.resourceVersion, labelSelector: 'watch=raw', allowWatchBookmarks: true },
    (type, obj) => {
      if (type !== 'BOOKMARK') events.push(`${type} ${obj.metadata.name} ${obj.data?.v ?? ''}`.trim());
    },
    (err) => (ended = err),
  );
  try {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'raw', labels: { watch: 'raw' } }, data: { v: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'raw', namespace, body: { data: { v: '2' } } }, mergePatch);
    await core.deleteNamespacedConfigMap({ name: 'raw', namespace });
    await waitFor('three events', () => events.length >= 3);
    assert.deepEqual(events, ['ADDED raw 1', 'MODIFIED raw 2', 'DELETED raw 2']);
    assert.equal(ended, 'still open');
  } finally {
    abort.abort();
  }
});
