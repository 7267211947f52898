import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, mkdirSync, symlinkSync, readlinkSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidUnyoLocalHandle as validHandle } from '../../api/volumes.js';
import { DirectoryStore, VolumeChangedError } from './directories.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'unyo-dirs-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

test('handles name one directory under the root', () => {
  for (const ok of ['pvc-1b2c', 'snapshot-abc.def', 'a']) assert.ok(validHandle(ok), ok);
  for (const bad of ['', '.snapshots', '..', 'a/b', '/abs', 'x/../y', '-a']) assert.ok(!validHandle(bad), bad);
  assert.throws(() => new DirectoryStore(root).volumePath('../etc'), /invalid volume handle/);
});

test('a new volume is an empty, world-writable directory; creating it again keeps its data', async () => {
  const store = new DirectoryStore(root);
  await store.createVolume('pvc-1', 'test');
  const dir = join(root, 'pvc-1');
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(statSync(dir).mode & 0o777, 0o777);
  writeFileSync(join(dir, 'f'), 'kept');
  await store.createVolume('pvc-1', 'test');
  assert.equal(readFileSync(join(dir, 'f'), 'utf8'), 'kept');
  assert.deepEqual(readdirSync(join(root, '.tmp', 'test')), [], 'no work left in .tmp');
});

test('a snapshot keeps the volume as it was; a restore and a clone copy files, links and modes', async () => {
  const store = new DirectoryStore(root, { now: () => Date.parse('2026-03-01T00:00:00Z') });
  await store.createVolume('pvc-src', 'test');
  const src = join(root, 'pvc-src');
  mkdirSync(join(src, 'sub'));
  writeFileSync(join(src, 'sub', 'a.txt'), 'version 1', { mode: 0o600 });
  symlinkSync('sub/a.txt', join(src, 'link'));
  const info = await store.createSnapshot('snap-1', 'pvc-src', 1024 ** 3, 'test');
  assert.deepEqual(info, { volumeHandle: 'pvc-src', sizeBytes: 1024 ** 3, creationTime: String(Date.parse('2026-03-01T00:00:00Z') * 1_000_000) });
  assert.deepEqual(await store.snapshotInfo('snap-1'), info);
  writeFileSync(join(src, 'sub', 'a.txt'), 'version 2');

  await store.createVolume('pvc-restored', 'test', { snapshot: 'snap-1' });
  const restored = join(root, 'pvc-restored');
  assert.equal(readFileSync(join(restored, 'sub', 'a.txt'), 'utf8'), 'version 1');
  assert.equal(statSync(join(restored, 'sub', 'a.txt')).mode & 0o777, 0o600);
  assert.equal(readlinkSync(join(restored, 'link')), 'sub/a.txt');

  await store.createVolume('pvc-clone', 'test', { volume: 'pvc-src' });
  assert.equal(readFileSync(join(root, 'pvc-clone', 'sub', 'a.txt'), 'utf8'), 'version 2');

  await store.deleteSnapshot('snap-1', 'test');
  assert.equal(await store.snapshotInfo('snap-1'), undefined);
  await assert.rejects(store.createVolume('pvc-late', 'test', { snapshot: 'snap-1' }), /snapshot snap-1 does not exist/);
  assert.ok(!existsSync(join(root, 'pvc-late')));
});

test('a volume written during the copy is copied again, so the snapshot is one instant of it', async () => {
  let src = '';
  const store = new DirectoryStore(root, {
    afterCopy: async (attempt) => {
      if (attempt === 0) writeFileSync(join(src, 'counter'), 'written during the first copy');
    },
  });
  await store.createVolume('pvc-busy', 'test');
  src = join(root, 'pvc-busy');
  writeFileSync(join(src, 'counter'), 'before');
  await store.createSnapshot('snap-busy', 'pvc-busy', 1, 'test');
  await store.createVolume('pvc-check', 'test', { snapshot: 'snap-busy' });
  assert.equal(readFileSync(join(root, 'pvc-check', 'counter'), 'utf8'), 'written during the first copy');
});

test('a volume that never stops changing fails the snapshot instead of giving a torn one', async () => {
  let n = 0;
  let src = '';
  const store = new DirectoryStore(root, { attempts: 3, afterCopy: async () => writeFileSync(join(src, 'counter'), String(n++)) });
  await store.createVolume('pvc-hot', 'test');
  src = join(root, 'pvc-hot');
  await assert.rejects(store.createSnapshot('snap-hot', 'pvc-hot', 1, 'test'), VolumeChangedError);
  assert.equal(n, 3);
  assert.equal(await store.snapshotInfo('snap-hot'), undefined);
  assert.ok(!existsSync(join(root, '.snapshots', 'snap-hot')));
});

test('deleting a volume removes its directory; deleting it again is fine', async () => {
  const store = new DirectoryStore(root);
  await store.createVolume('pvc-gone', 'test');
  writeFileSync(join(root, 'pvc-gone', 'f'), 'x');
  await store.deleteVolume('pvc-gone', 'test');
  assert.ok(!existsSync(join(root, 'pvc-gone')));
  await store.deleteVolume('pvc-gone', 'test');
});
