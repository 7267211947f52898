import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../apiserver/testing.js';
import { Informer } from './informer.js';
import { core } from './client.js';
import { waitFor } from '../controllers/runtime/testing.js';

let api: TestApiServer;
before(async () => {
  api = await startTestApiServer();
});
after(async () => {
  await api.stop();
});

test('an informer keeps its cache and indexes current through adds, updates and deletes', async () => {
  await api.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
  const cm = (ns: string, name: string, app: string) => api.client.create(core('configmaps', ns), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { app } } });
  await cm('default', 'a', 'web');
  const informer = new Informer(api.client, core('configmaps'));
  informer.addIndex('app', (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []));
  // The API server's own kube-public/cluster-info is there from the start: only this test's objects count.
  const seen: string[] = [];
  const ours = (o: { metadata: { namespace?: string } }) => o.metadata.namespace !== 'kube-public';
  informer.on({ add: (o) => ours(o) && seen.push(`add ${o.metadata.name}`), update: (_, o) => ours(o) && seen.push(`update ${o.metadata.name}`), delete: (o) => ours(o) && seen.push(`delete ${o.metadata.name}`) });
  informer.start();
  await informer.waitForSync();
  await cm('other', 'b', 'web');
  await cm('other', 'c', 'db');
  await waitFor('c in the cache', () => informer.get('other/c'));
  assert.deepEqual(informer.byIndex('app', 'web').map((o) => o.metadata.name).sort(), ['a', 'b']);
  assert.deepEqual(informer.list('other').map((o) => o.metadata.name).sort(), ['b', 'c']);
  await api.client.patch(core('configmaps', 'other'), 'b', { metadata: { labels: { app: 'db' } } });
  await waitFor('b re-indexed', () => informer.byIndex('app', 'db').length === 2);
  assert.deepEqual(informer.byIndex('app', 'web').map((o) => o.metadata.name), ['a']);
  await api.client.delete(core('configmaps', 'default'), 'a');
  await waitFor('a gone', () => !informer.get('default/a'));
  assert.deepEqual(informer.byIndex('app', 'web'), []);
  assert.deepEqual(seen, ['add a', 'add b', 'add c', 'update b', 'delete a']);
  assert.throws(() => informer.byIndex('nope', 'x'), /no index "nope"/);
  informer.stop();
});
