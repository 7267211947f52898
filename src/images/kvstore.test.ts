import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvStore } from './kvstore.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'unyo-kvstore-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('writes survive reopening, deletes stay deleted, revisions keep counting', async (t) => {
  const dir = await tempDir(t);
  const store = await KvStore.open(dir);
  assert.equal((await store.put('a', Buffer.from('1'))).revision, 1);
  await Promise.all([store.put('b', Buffer.from('2')), store.put('a', Buffer.from('3')), store.put('c/d', Buffer.from([0, 255]))]);
  assert.equal((await store.delete('b'))?.revision, 5);
  assert.equal(await store.delete('missing'), undefined);
  await store.close();

  const reopened = await KvStore.open(dir);
  assert.equal(reopened.epoch, store.epoch);
  assert.equal(reopened.get('a')?.value?.toString(), '3');
  assert.deepEqual(reopened.get('c/d')?.value, Buffer.from([0, 255]));
  assert.equal(reopened.get('b'), undefined);
  assert.deepEqual(reopened.keys(), ['a', 'c/d']);
  assert.equal(reopened.currentRevision, 5);
  assert.equal((await reopened.put('e', Buffer.from(''))).revision, 6);
  assert.deepEqual(reopened.changedSince(4).map((e) => [e.key, e.revision, e.value === null]), [['b', 5, true], ['e', 6, false]]);
  await reopened.close();
});

test('a torn last journal line from a crash is cut off; corruption before it is an error', async (t) => {
  const dir = await tempDir(t);
  const store = await KvStore.open(dir);
  await store.put('a', Buffer.from('1'));
  await store.close();
  await appendFile(join(dir, 'journal.log'), '{"r":2,"k":"b","v":"Mg');
  const reopened = await KvStore.open(dir);
  assert.deepEqual(reopened.keys(), ['a']);
  await reopened.put('c', Buffer.from('3'));
  await reopened.close();
  assert.equal((await readFile(join(dir, 'journal.log'), 'utf8')).split('\n').length, 3);

  await appendFile(join(dir, 'journal.log'), 'garbage\n{"r":9,"k":"z","v":null}\n');
  await assert.rejects(KvStore.open(dir), /line 3 is corrupt/);
});

test('followers apply only newer replicated entries and can be replaced wholesale', async (t) => {
  const store = await KvStore.open(await tempDir(t));
  await store.apply([{ key: 'a', value: Buffer.from('new'), revision: 7 }]);
  await store.apply([{ key: 'a', value: Buffer.from('old'), revision: 3 }, { key: 'b', value: null, revision: 8 }]);
  assert.equal(store.get('a')?.value?.toString(), 'new');
  assert.equal(store.currentRevision, 8);
  await store.replaceAll([{ key: 'z', value: Buffer.from('1'), revision: 2 }], 'epoch-2');
  assert.deepEqual(store.keys(), ['z']);
  assert.equal(store.currentRevision, 2);
  assert.equal(store.primaryEpoch, 'epoch-2');
  await store.close();
  const reopened = await KvStore.open(store.dir);
  assert.deepEqual(reopened.keys(), ['z']);
  assert.equal(reopened.primaryEpoch, 'epoch-2');
  await reopened.close();
});

test('overwrites are compacted out of the journal', async (t) => {
  const dir = await tempDir(t);
  const store = await KvStore.open(dir);
  for (let i = 0; i < 1100; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => store.put(`k${j % 3}`, Buffer.from(String(i + j)))));
  await store.close();
  const lines = (await readFile(join(dir, 'journal.log'), 'utf8')).trim().split('\n').length;
  assert.ok(lines < 200, `journal has ${lines} lines`);
  const reopened = await KvStore.open(dir);
  assert.equal(reopened.get('k0')?.value?.toString(), '1099');
  assert.equal(reopened.currentRevision, 1100);
  await reopened.close();
});
