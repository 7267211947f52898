// Raw HTTPS against `unyo up`: every error is a Status with the code and reason a real
// API server gives; list paging; watch replay from a resourceVersion and initial events
// ending in a bookmark; a restart on the same data directory keeps every object.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, removeCluster, waitFor, type Cluster } from './harness.js';
import { rawClient, type RawClient } from './client.js';

let cluster: Cluster;
let client: RawClient;
const configmaps = '/api/v1/namespaces/default/configmaps';

before(async () => {
  cluster = await startCluster();
  client = rawClient(cluster.kubeconfig);
});

after(async () => {
  client?.close();
  if (cluster) await removeCluster(cluster);
});

function configMap(name: string, data: Record<string, string> = {}, labels?: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, ...(Object.keys(data).length ? { data } : {}) };
}

async function create(path: string, object: unknown): Promise<any> {
  const res = await client.request('POST', path, object);
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** A failure Status, as every API error must be. */
function assertStatus(res: { status: number; body: any; text: string }, code: number, reason: string): any {
  assert.equal(res.status, code, res.text);
  assert.ok(res.body, `a JSON body: ${res.text}`);
  assert.equal(res.body.kind, 'Status', res.text);
  assert.equal(res.body.apiVersion, 'v1', res.text);
  assert.equal(res.body.status, 'Failure', res.text);
  assert.equal(res.body.code, code, res.text);
  assert.equal(res.body.reason, reason, res.text);
  assert.equal(typeof res.body.message, 'string', res.text);
  return res.body;
}

test('malformed JSON is 400 BadRequest', async () => {
  const res = await client.send({ method: 'POST', path: configmaps, body: '{"apiVersion":"v1","kind":"ConfigMap",', headers: { 'Content-Type': 'application/json' } });
  assertStatus(res, 400, 'BadRequest');
  const notAnObject = await client.send({ method: 'POST', path: configmaps, body: '[1,2]', headers: { 'Content-Type': 'application/json' } });
  assertStatus(notAnObject, 400, 'BadRequest');
});

test('an unknown resource, group or object is 404 NotFound', async () => {
  const resource = await client.request('GET', '/api/v1/namespaces/default/widgets');
  assertStatus(resource, 404, 'NotFound');
  const group = await client.request('GET', '/apis/nope.example.com/v1/things');
  assertStatus(group, 404, 'NotFound');
  const object = await client.request('GET', `${configmaps}/missing`);
  const status = assertStatus(object, 404, 'NotFound');
  assert.equal(status.message, 'configmaps "missing" not found');
  assert.deepEqual(status.details, { name: 'missing', kind: 'configmaps' });
});

test('an unsupported Content-Type is 415 UnsupportedMediaType', async () => {
  const post = await client.send({ method: 'POST', path: configmaps, body: JSON.stringify(configMap('text')), headers: { 'Content-Type': 'text/plain' } });
  assertStatus(post, 415, 'UnsupportedMediaType');
  await create(configmaps, configMap('patch-me'));
  // PATCH needs a patch type; plain JSON is not one.
  const patch = await client.send({ method: 'PATCH', path: `${configmaps}/patch-me`, body: '{"data":{"a":"b"}}', headers: { 'Content-Type': 'application/json' } });
  assertStatus(patch, 415, 'UnsupportedMediaType');
});

test('a body over 3 MiB is 413 RequestEntityTooLarge', async () => {
  const body = JSON.stringify(configMap('huge', { big: 'x'.repeat(3 * 1024 * 1024 + 1) }));
  const res = await client.send({ method: 'POST', path: configmaps, body, headers: { 'Content-Type': 'application/json' } });
  assertStatus(res, 413, 'RequestEntityTooLarge');
  const after = await client.request('GET', `${configmaps}/huge`);
  assert.equal(after.status, 404);
});

test('requests without valid credentials are 401; /healthz, /livez, /readyz and /version answer anyway', async () => {
  const anonymous = await client.send({ method: 'GET', path: configmaps, token: false });
  const status = assertStatus(anonymous, 401, 'Unauthorized');
  assert.equal(status.message, 'Unauthorized');
  const badToken = await client.send({ method: 'GET', path: '/api', token: 'not-a-token' });
  assertStatus(badToken, 401, 'Unauthorized');

  for (const path of ['/healthz', '/livez', '/readyz']) {
    const res = await client.send({ method: 'GET', path, token: false });
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.equal(res.text, 'ok');
  }
  const version = await client.send({ method: 'GET', path: '/version', token: false });
  assert.equal(version.status, 200, version.text);
  assert.match(version.body.gitVersion, /^v1\.\d+\.\d+/);
  assert.equal(version.body.major, '1');
  assert.match(version.body.minor, /^\d+$/);
});

test('an update with a stale resourceVersion is 409 Conflict', async () => {
  const created = await create(configmaps, configMap('stale', { v: '1' }));
  const updated = await client.request('PUT', `${configmaps}/stale`, { ...created, data: { v: '2' } });
  assert.equal(updated.status, 200, updated.text);
  assert.notEqual(updated.body.metadata.resourceVersion, created.metadata.resourceVersion);
  const stale = await client.request('PUT', `${configmaps}/stale`, { ...created, data: { v: '3' } });
  const status = assertStatus(stale, 409, 'Conflict');
  assert.equal(status.message, 'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again');
  assert.deepEqual(status.details, { name: 'stale', kind: 'configmaps' });
  const current = await client.request('GET', `${configmaps}/stale`);
  assert.equal(current.body.data.v, '2');
});

test('an invalid object is 422 Invalid with one cause per field', async () => {
  const badName = await client.request('POST', configmaps, configMap('Not_A_Name'));
  const status = assertStatus(badName, 422, 'Invalid');
  assert.equal(status.details.name, 'Not_A_Name');
  assert.equal(status.details.kind, 'ConfigMap');
  assert.equal(status.details.causes.length, 1, JSON.stringify(status.details.causes));
  assert.equal(status.details.causes[0].reason, 'FieldValueInvalid');
  assert.equal(status.details.causes[0].field, 'metadata.name');
  assert.match(status.message, /^ConfigMap "Not_A_Name" is invalid: metadata\.name: Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain/);

  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'broken' },
    spec: {
      replicas: -1,
      selector: { matchLabels: { app: 'a' } },
      template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    },
  };
  const broken = await client.request('POST', '/apis/apps/v1/namespaces/default/deployments', deployment);
  const invalid = assertStatus(broken, 422, 'Invalid');
  assert.equal(invalid.details.group, 'apps');
  assert.equal(invalid.details.kind, 'Deployment');
  const fields = invalid.details.causes.map((c: any) => `${c.reason} ${c.field}`).sort();
  assert.deepEqual(fields, ['FieldValueInvalid spec.replicas', 'FieldValueInvalid spec.template.metadata.labels']);
});

test('DELETE of an object held by a finalizer is 200 with the object, marked for deletion', async () => {
  await create(configmaps, { ...configMap('finalized'), metadata: { name: 'finalized', finalizers: ['e2e.unyo.dev/hold'] } });
  const res = await client.request('DELETE', `${configmaps}/finalized`);
  // A real API server answers 202 only when the client asked for orphanDependents=false.
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.kind, 'ConfigMap', res.text);
  assert.match(res.body.metadata.deletionTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(res.body.metadata.finalizers, ['e2e.unyo.dev/hold']);
  const released = await client.request('PATCH', `${configmaps}/finalized`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
  assert.equal(released.status, 200, released.text);
  assert.equal((await client.request('GET', `${configmaps}/finalized`)).status, 404);
});

test('delete with dryRun in the DeleteOptions body (as kubectl sends it) deletes nothing', async () => {
  await create(configmaps, configMap('dry-delete'));
  const res = await client.send({
    method: 'DELETE',
    path: `${configmaps}/dry-delete`,
    body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'], propagationPolicy: 'Background' }),
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal((await client.request('GET', `${configmaps}/dry-delete`)).status, 200, 'still there');
  const byQuery = await client.request('DELETE', `${configmaps}/dry-delete?dryRun=All`);
  assert.equal(byQuery.status, 200, byQuery.text);
  assert.equal((await client.request('GET', `${configmaps}/dry-delete`)).status, 200, 'still there');
});

test('a no-op patch writes nothing: the same object back, same resourceVersion', async () => {
  const created = await create(configmaps, configMap('noop', { a: '1' }));
  const same = await client.request('PATCH', `${configmaps}/noop?fieldManager=noop`, { data: { a: '1' } }, 'application/merge-patch+json');
  assert.equal(same.status, 200, same.text);
  assert.deepEqual(same.body, created);

  const deployments = '/apis/apps/v1/namespaces/default/deployments';
  await create(deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'noop' },
    // Paused, so the deployment controller writes its status once and then leaves it alone.
    spec: { paused: true, replicas: 4, selector: { matchLabels: { app: 'noop' } }, template: { metadata: { labels: { app: 'noop' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  });
  const deployment = await waitFor('the controller to observe the Deployment', async () => {
    const got = await client.request('GET', `${deployments}/noop`);
    return got.body.status?.observedGeneration === got.body.metadata.generation ? got.body : undefined;
  });
  // What `kubectl patch` sends; it prints "(no change)" only when the object comes back identical.
  const patched = await client.request('PATCH', `${deployments}/noop?fieldManager=kubectl-patch`, { spec: { replicas: 4 } }, 'application/merge-patch+json');
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.body, deployment);
});

test('an emptied map is omitted, as Go omitempty does, and a patch that changes nothing is no write', async () => {
  const created = await create(configmaps, configMap('emptied', { a: '1' }));
  // Removing a key that is not there changes nothing.
  const absent = await client.request('PATCH', `${configmaps}/emptied`, { metadata: { annotations: { never: null } } }, 'application/merge-patch+json');
  assert.equal(absent.status, 200, absent.text);
  assert.equal(absent.body.metadata.annotations, undefined, absent.text);
  assert.equal(absent.body.metadata.resourceVersion, created.metadata.resourceVersion, absent.text);

  const annotated = await client.request('PATCH', `${configmaps}/emptied`, { metadata: { annotations: { a: 'b' } } }, 'application/merge-patch+json');
  const removed = await client.request('PATCH', `${configmaps}/emptied`, { metadata: { annotations: { a: null } } }, 'application/merge-patch+json');
  assert.notEqual(removed.body.metadata.resourceVersion, annotated.body.metadata.resourceVersion);
  assert.equal(removed.body.metadata.annotations, undefined, removed.text);
});

test('list paging: limit and continue walk one snapshot, with remainingItemCount', async () => {
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
  const paging = '/api/v1/namespaces/paging/configmaps';
  const names = Array.from({ length: 7 }, (_, i) => `page-${i}`);
  for (const name of names) await create(paging, configMap(name));
  const base = `${paging}?limit=3`;

  const first = await client.request('GET', base);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.kind, 'ConfigMapList');
  assert.deepEqual(first.body.items.map((o: any) => o.metadata.name), names.slice(0, 3));
  assert.equal(first.body.metadata.remainingItemCount, 4);
  assert.ok(first.body.metadata.continue, 'a continue token');
  const snapshot = first.body.metadata.resourceVersion;

  // Written between pages: not part of the snapshot being paged.
  await create(paging, configMap('page-late'));

  const second = await client.request('GET', `${base}&continue=${encodeURIComponent(first.body.metadata.continue)}`);
  assert.equal(second.status, 200, second.text);
  assert.deepEqual(second.body.items.map((o: any) => o.metadata.name), names.slice(3, 6));
  assert.equal(second.body.metadata.remainingItemCount, 1);
  assert.equal(second.body.metadata.resourceVersion, snapshot);

  const third = await client.request('GET', `${base}&continue=${encodeURIComponent(second.body.metadata.continue)}`);
  assert.equal(third.status, 200, third.text);
  assert.deepEqual(third.body.items.map((o: any) => o.metadata.name), names.slice(6));
  assert.equal(third.body.metadata.continue, undefined);
  assert.equal(third.body.metadata.remainingItemCount, undefined);

  const fresh = await client.request('GET', paging);
  assert.equal(fresh.body.items.length, 8);

  // With a label selector the server cannot count what is left, so it does not say.
  const selected = await client.request('GET', `${paging}?limit=2&labelSelector=${encodeURIComponent('!absent')}`);
  assert.equal(selected.body.items.length, 2);
  assert.ok(selected.body.metadata.continue);
  assert.equal(selected.body.metadata.remainingItemCount, undefined);

  const garbage = await client.request('GET', `${base}&continue=not-a-token`);
  assertStatus(garbage, 400, 'BadRequest');
});

test('watch from a resourceVersion replays every later event in order', async () => {
  const start = await create(configmaps, configMap('replay-a', { v: '1' }, { replay: 'yes' }));
  const rv = start.metadata.resourceVersion;
  const modified = await client.request('PATCH', `${configmaps}/replay-a`, { data: { v: '2' } }, 'application/merge-patch+json');
  assert.equal(modified.status, 200, modified.text);
  await create(configmaps, configMap('replay-b', { v: '1' }, { replay: 'yes' }));
  const deleted = await client.request('DELETE', `${configmaps}/replay-a`);
  assert.equal(deleted.status, 200, deleted.text);

  const watch = await client.watch(`${configmaps}?watch=true&labelSelector=replay%3Dyes&resourceVersion=${rv}`);
  try {
    assert.equal(watch.status, 200);
    await waitFor('three replayed events', () => watch.events.length >= 3);
    assert.deepEqual(
      watch.events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.data?.v}`),
      ['MODIFIED replay-a 2', 'ADDED replay-b 1', 'DELETED replay-a 2'],
    );
    const rvs = watch.events.map((e) => BigInt(e.object.metadata.resourceVersion));
    assert.ok(rvs[0] > BigInt(rv) && rvs[0] < rvs[1] && rvs[1] < rvs[2], `increasing resourceVersions: ${rvs}`);

    // And the watch carries on with live events.
    await create(configmaps, configMap('replay-c', { v: '1' }, { replay: 'yes' }));
    await waitFor('the live event', () => watch.events.length >= 4);
    assert.equal(`${watch.events[3].type} ${watch.events[3].object.metadata.name}`, 'ADDED replay-c');
  } finally {
    watch.close();
  }
});

test('sendInitialEvents ends the initial ADDED events with a bookmark annotated initial-events-end', async () => {
  for (const name of ['initial-a', 'initial-b', 'initial-c']) await create(configmaps, configMap(name, {}, { initial: 'yes' }));
  const watch = await client.watch(`${configmaps}?watch=true&labelSelector=initial%3Dyes&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
  try {
    assert.equal(watch.status, 200);
    const bookmarkAt = await waitFor('the initial-events-end bookmark', () => {
      const i = watch.events.findIndex((e) => e.type === 'BOOKMARK');
      return i >= 0 ? i + 1 : 0;
    });
    const initial = watch.events.slice(0, bookmarkAt - 1);
    assert.deepEqual(initial.map((e) => e.type), ['ADDED', 'ADDED', 'ADDED']);
    assert.deepEqual(initial.map((e) => e.object.metadata.name).sort(), ['initial-a', 'initial-b', 'initial-c']);
    const bookmark = watch.events[bookmarkAt - 1].object;
    assert.equal(bookmark.kind, 'ConfigMap');
    assert.equal(bookmark.apiVersion, 'v1');
    assert.equal(bookmark.metadata.annotations?.['k8s.io/initial-events-end'], 'true', JSON.stringify(bookmark));
    const newest = initial.map((e) => BigInt(e.object.metadata.resourceVersion)).reduce((a, b) => (a > b ? a : b));
    assert.ok(BigInt(bookmark.metadata.resourceVersion) >= newest, `bookmark ${bookmark.metadata.resourceVersion} not older than ${newest}`);

    await create(configmaps, configMap('initial-d', {}, { initial: 'yes' }));
    await waitFor('a live event after the bookmark', () => watch.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'initial-d'));
  } finally {
    watch.close();
  }

  // Without allowWatchBookmarks, sendInitialEvents cannot say where the initial events end.
  const refused = await client.watch(`${configmaps}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`);
  refused.close();
  assert.equal(refused.status, 422, `refused with 422 Invalid, got ${refused.status}`);
});

test('a restart on the same data directory keeps every object and resourceVersion', async () => {
  const ns = await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kept' } });
  assert.equal(ns.metadata.name, 'kept');
  const kept = '/api/v1/namespaces/kept/configmaps';
  for (let i = 0; i < 5; i++) await create(kept, configMap(`kept-${i}`, { i: String(i) }));
  await create('/apis/apps/v1/namespaces/kept/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'kept' },
    // Paused, so the deployment controller records its status once and then leaves it alone.
    spec: { paused: true, selector: { matchLabels: { app: 'kept' } }, template: { metadata: { labels: { app: 'kept' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  });
  await waitFor('the controller to observe the Deployment', async () => (await client.request('GET', '/apis/apps/v1/namespaces/kept/deployments/kept')).body.status?.observedGeneration === 1);
  await create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.restart.unyo.dev' },
    spec: {
      group: 'restart.unyo.dev',
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
    },
  });
  const gadgets = '/apis/restart.unyo.dev/v1/namespaces/kept/gadgets';
  await waitFor('the CRD to be served', async () => (await client.request('GET', gadgets)).status === 200);
  await create(gadgets, { apiVersion: 'restart.unyo.dev/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: 3 } });
  // Terminating objects survive too.
  await create(kept, configMap('held', {}));
  assert.equal((await client.request('PATCH', `${kept}/held`, { metadata: { finalizers: ['e2e.unyo.dev/hold'] } }, 'application/merge-patch+json')).status, 200);
  const held = await client.request('DELETE', `${kept}/held`);
  assert.ok(held.status >= 200 && held.status < 300, held.text);

  const paths = [kept, '/apis/apps/v1/namespaces/kept/deployments', gadgets, '/api/v1/namespaces', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions'];
  const snapshot = async (c: RawClient) => {
    const lists: Record<string, any[]> = {};
    for (const path of paths) {
      const res = await c.request('GET', path);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      lists[path] = res.body.items;
    }
    return lists;
  };
  const beforeRestart = await snapshot(client);
  const lastRv = BigInt((await client.request('GET', kept)).body.metadata.resourceVersion);
  assert.equal(beforeRestart[kept].length, 6);
  assert.ok(beforeRestart[kept].find((o) => o.metadata.name === 'held').metadata.deletionTimestamp);

  client.close();
  await cluster.stop();
  assert.equal(cluster.process.exitCode, 0, `unyo up exits cleanly on SIGTERM:\n${cluster.output()}`);
  cluster = await startCluster({ dataDir: cluster.dataDir });
  client = rawClient(cluster.kubeconfig);

  const afterRestart = await snapshot(client);
  for (const path of paths) assert.deepEqual(afterRestart[path], beforeRestart[path], path);
  const next = await create(kept, configMap('after-restart', {}, { restart: 'yes' }));
  assert.ok(BigInt(next.metadata.resourceVersion) > lastRv, `new writes continue after ${lastRv}: got ${next.metadata.resourceVersion}`);
  const watchFromOld = await client.watch(`${kept}?watch=true&labelSelector=restart%3Dyes&resourceVersion=${lastRv}`);
  try {
    await waitFor('the post-restart write replayed', () => watchFromOld.events.length >= 1);
    assert.equal(`${watchFromOld.events[0].type} ${watchFromOld.events[0].object.metadata.name}`, 'ADDED after-restart');
  } finally {
    watchFromOld.close();
  }
});
