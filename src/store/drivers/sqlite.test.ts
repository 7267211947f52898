import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../index.js';
import { runStoreContract } from '../store.contract.js';
import { CompactedError, StoreError, UnavailableError, type Store, type WatchEvent } from '../store.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'unyo-sqlite-'));
}

const open = (dataDir: string) => openStore({ driver: 'sqlite', dataDir, progressIntervalMs: 20 });

runStoreContract('sqlite', async () => {
  const dataDir = await tempDir();
  let store: Store = await open(dataDir);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await open(dataDir);
      return store;
    },
    cleanup: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

test('sqlite: a second store on the same data dir is refused while the first is open', async () => {
  const dataDir = await tempDir();
  const first = await open(dataDir);
  try {
    await first.create('/a', '1');
    await assert.rejects(open(dataDir), UnavailableError);
    assert.equal((await first.get('/a'))?.value, '1');
  } finally {
    await first.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

// A child process creates keys 64 at a time and prints each key once its create is acknowledged;
// it is killed with SIGKILL midway. Every acknowledged key must be in the reopened store.
const CHILD = `
import { openStore } from ${JSON.stringify(new URL('../index.js', import.meta.url).href)};
const store = await openStore({ driver: 'sqlite', dataDir: process.env.UNYO_CRASH_DIR });
const pad = 'x'.repeat(512);
let next = 0;
async function worker() {
  while (next < 1_000_000) {
    const key = '/crash/k' + next++;
    await store.create(key, key + pad);
    process.stdout.write(key + '\\n');
  }
}
await Promise.all(Array.from({ length: 64 }, worker));
`;

test('sqlite: every acknowledged write survives kill -9', { timeout: 60_000 }, async () => {
  const dataDir = await tempDir();
  try {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { ...process.env, UNYO_CRASH_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let acknowledged = 0;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      acknowledged += chunk.split('\n').length - 1;
      if (acknowledged >= 2000) child.kill('SIGKILL');
    });
    assert.equal(await exited, 'SIGKILL', 'the child must die by SIGKILL, not exit on its own');

    const keys = out.split('\n').slice(0, -1);
    assert.ok(keys.length >= 2000);
    const store = await open(dataDir);
    try {
      for (const key of keys) assert.equal((await store.get(key))?.value, key + 'x'.repeat(512), key);
      const revision = await store.currentRevision();
      assert.ok(revision >= keys.length);
      assert.equal((await store.list('/crash/')).count, revision);
      assert.equal((await store.create('/after', '1')).modRevision, revision + 1);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

// The memory driver as a model: random writes and compactions, then every readable revision
// must list the same in both, and a watch from the compacted revision must replay the same.
test('sqlite: reads and replays agree with the memory driver through random writes and compactions', { timeout: 60_000 }, async () => {
  const dataDir = await tempDir();
  const sqlite = await open(dataDir);
  const memory = await openStore({ driver: 'memory' });
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const outcome = (p: Promise<unknown>) => p.then((v) => v, (err: StoreError) => err.constructor.name);
  const replay = (s: Store, from: number) =>
    new Promise<WatchEvent[]>((resolve, reject) => {
      const events: WatchEvent[] = [];
      let target = 0;
      void s.currentRevision().then((r) => (target = r));
      const w = s.watch('', {
        fromRevision: from,
        onEvents: (batch) => events.push(...batch),
        onProgress: (r) => {
          if (target && r >= target) {
            w.close();
            resolve(events);
          }
        },
        onError: reject,
      });
    });
  try {
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 60; i++) {
        const key = `/m/k${random(8)}`;
        const current = await memory.get(key);
        const op = random(4);
        const run = (s: Store) =>
          op === 0 ? s.create(key, `v${i}`) : op === 1 ? s.update(key, `u${i}`, current?.modRevision ?? 1) : op === 2 ? s.delete(key) : s.delete(key, (current?.modRevision ?? 0) + random(2));
        assert.deepEqual(await outcome(run(sqlite)), await outcome(run(memory)), `round ${round} op ${i}`);
      }
      const current = await memory.currentRevision();
      const compactTo = (await memory.compactedRevision()) + random(current - (await memory.compactedRevision()));
      await Promise.all([sqlite.compact(compactTo), memory.compact(compactTo)]);
      for (let rev = compactTo; rev <= current; rev++) {
        if (rev === 0) continue;
        assert.deepEqual(await sqlite.list('', { revision: rev }), await memory.list('', { revision: rev }), `list at ${rev}`);
      }
      if (compactTo > 1) await assert.rejects(sqlite.get('/m/k0', compactTo - 1), CompactedError);
      // fromRevision 0 would mean "from now"; replay from the oldest revision there is.
      const from = Math.max(compactTo, 1);
      if (from < current) assert.deepEqual(await replay(sqlite, from), await replay(memory, from), `replay from ${from}`);
    }
  } finally {
    await sqlite.close();
    await memory.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
