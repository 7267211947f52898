import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../index.js';
import { runStoreContract } from '../store.contract.js';
import type { WatchEvent } from '../store.js';
import { MemoryStore } from './memory.js';

runStoreContract('memory', async () => {
  const store = await openStore({ driver: 'memory', progressIntervalMs: 20 });
  return { store, cleanup: () => store.close() };
});

test('memory: a long replay is read in chunks and still meets live events exactly', async () => {
  const store = new MemoryStore({ replayChunk: 3 });
  try {
    for (let i = 0; i < 20; i++) await store.create(`/r/k${i}`, `${i}`);
    await store.create('/other', 'x');
    const events: WatchEvent[] = [];
    const batches: number[] = [];
    let last = 0;
    const done = new Promise<void>((resolve, reject) => {
      store.watch('/r/', {
        fromRevision: 1,
        onEvents: (batch) => {
          batches.push(batch.length);
          events.push(...batch);
        },
        onProgress: (revision) => last && revision >= last && resolve(),
        onError: reject,
      });
    });
    last = (await store.update('/r/k0', 'live', 1)).modRevision;
    await done;
    assert.deepEqual(events.map((e) => e.revision), [...Array.from({ length: 19 }, (_, i) => i + 2), 22]);
    assert.ok(Math.max(...batches) <= 3, `batches ${batches}`);
  } finally {
    await store.close();
  }
});
