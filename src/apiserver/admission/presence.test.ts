import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../store/index.js';
import { WatchCache } from '../watchcache.js';
import { NamespacePresence } from './presence.js';

const waitUntil = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
};

test('namespace presence follows the store through the watch cache, and counts admitted creates at once', async () => {
  const store = await openStore({ driver: 'memory' });
  const cache = new WatchCache(store);
  await cache.start();
  const prefix = '/registry/core/limitranges/';
  await store.create(`${prefix}a/one`, '{}');
  const presence = new NamespacePresence(store, cache, prefix);
  assert.equal(await presence.maybeIn('a'), true, 'from the initial list');
  assert.equal(await presence.maybeIn('b'), false);
  await store.create(`${prefix}b/two`, '{}');
  await waitUntil(() => presence.maybeIn('b'));
  assert.equal(await presence.maybeIn('b'), true, 'from a watch event');
  const kv = (await store.get(`${prefix}a/one`))!;
  await store.update(`${prefix}a/one`, '{"x":1}', kv.modRevision);
  await store.delete(`${prefix}a/one`, (await store.get(`${prefix}a/one`))!.modRevision);
  await waitUntil(async () => !(await presence.maybeIn('a')));
  assert.equal(await presence.maybeIn('a'), false, 'an update does not count twice; the delete empties the namespace');
  presence.noteCreate('c');
  assert.equal(await presence.maybeIn('c'), true, 'a create this server admits counts before the watch shows it');
  cache.stop();
  await store.close();
});
