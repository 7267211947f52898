// The contract every Store driver keeps, as one node:test suite each driver's test file runs
// against its own stores (memory.test.ts, sqlite.test.ts; a later etcd driver too).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  NotFoundError,
  StoreError,
  UnavailableError,
  type KeyValue,
  type Store,
  type WatchEvent,
  type Watcher,
} from './store.js';

export interface StoreHarness {
  store: Store;
  /** Close the store and open the same data again (drivers that persist). */
  reopen?: () => Promise<Store>;
  /** Close whatever store is open and free its data. */
  cleanup: () => Promise<void>;
}

/**
 * Register the contract tests for one driver. `makeStore` opens a fresh, empty store per test;
 * it should use a short idle progress interval (tens of milliseconds), as one test waits for it.
 */
export function runStoreContract(name: string, makeStore: () => Promise<StoreHarness>): void {
  const TIMEOUT = { timeout: 20_000 };

  /** Run `body` on a fresh store; `reopen` (when the driver persists) swaps in the reopened store. */
  async function withStore(body: (s: Store, reopen?: () => Promise<Store>) => Promise<void>): Promise<void> {
    const h = await makeStore();
    try {
      await body(h.store, h.reopen);
    } finally {
      await h.cleanup();
    }
  }

  describe(`${name} store contract`, () => {
    describe('revisions', () => {
      test('start at 0 and grow by exactly one per successful write, failed writes use none', TIMEOUT, () =>
        withStore(async (s) => {
          assert.equal(await s.currentRevision(), 0);
          let a: KeyValue | undefined;
          // Each step: the write, and the error class it must fail with (none: it succeeds).
          const steps: Array<[string, () => Promise<unknown>, (new (...args: never[]) => Error)?]> = [
            ['create a', async () => (a = await s.create('/r/a', '1'))],
            ['create b', () => s.create('/r/b', '1')],
            ['create a again', () => s.create('/r/a', '2'), KeyExistsError],
            ['update a at a stale revision', () => s.update('/r/a', '2', 999), ConflictError],
            ['update a', async () => (a = await s.update('/r/a', '2', a!.modRevision))],
            ['update missing', () => s.update('/r/missing', '1', 1), NotFoundError],
            ['delete b', () => s.delete('/r/b')],
            ['delete b again', () => s.delete('/r/b'), NotFoundError],
            ['delete a at a stale revision', () => s.delete('/r/a', 1), ConflictError],
            ['create b after delete', () => s.create('/r/b', '3')],
            ['delete a at its revision', () => s.delete('/r/a', a!.modRevision)],
          ];
          let expected = 0;
          for (const [what, write, fails] of steps) {
            if (fails) await assert.rejects(write(), fails, what);
            else {
              await write();
              expected++;
            }
            assert.equal(await s.currentRevision(), expected, what);
          }
        }));

      test('a write returns its revision as modRevision', TIMEOUT, () =>
        withStore(async (s) => {
          const created = await s.create('/r/a', 'v1');
          assert.deepEqual(created, { key: '/r/a', value: 'v1', createRevision: 1, modRevision: 1 });
          const updated = await s.update('/r/a', 'v2', 1);
          assert.deepEqual(updated, { key: '/r/a', value: 'v2', createRevision: 1, modRevision: 2 });
          assert.deepEqual(await s.get('/r/a'), updated);
        }));

      test('200 concurrent creates get 200 distinct consecutive revisions', TIMEOUT, () =>
        withStore(async (s) => {
          await s.create('/c/first', 'x');
          const kvs = await Promise.all(Array.from({ length: 200 }, (_, i) => s.create(`/c/k${i}`, `v${i}`)));
          const revisions = kvs.map((kv) => kv.modRevision).sort((x, y) => x - y);
          assert.deepEqual(revisions, Array.from({ length: 200 }, (_, i) => i + 2));
          assert.equal(await s.currentRevision(), 201);
          for (const [i, kv] of kvs.entries()) assert.equal(kv.value, `v${i}`);
          assert.equal((await s.list('/c/k')).count, 200);
        }));
    });

    describe('writes', () => {
      test('get of a missing key is undefined', TIMEOUT, () =>
        withStore(async (s) => {
          assert.equal(await s.get('/w/none'), undefined);
          await s.create('/w/a', 'x');
          await s.delete('/w/a');
          assert.equal(await s.get('/w/a'), undefined);
        }));

      test('update fails with ConflictError carrying the actual revision, NotFoundError when gone', TIMEOUT, () =>
        withStore(async (s) => {
          const a = await s.create('/w/a', '1');
          await s.update('/w/a', '2', a.modRevision);
          await assert.rejects(s.update('/w/a', '3', a.modRevision), (err) => err instanceof ConflictError && err.actualModRevision === 2 && err.key === '/w/a');
          await s.delete('/w/a');
          await assert.rejects(s.update('/w/a', '3', 2), NotFoundError);
          assert.equal(await s.get('/w/a'), undefined);
        }));

      test('delete returns the last value at the delete revision; a new create starts a new life', TIMEOUT, () =>
        withStore(async (s) => {
          const a = await s.create('/w/a', '1');
          const b = await s.update('/w/a', '2', a.modRevision);
          await assert.rejects(s.delete('/w/a', a.modRevision), ConflictError);
          assert.deepEqual(await s.delete('/w/a', b.modRevision), { key: '/w/a', value: '2', createRevision: 1, modRevision: 3 });
          assert.deepEqual(await s.create('/w/a', '3'), { key: '/w/a', value: '3', createRevision: 4, modRevision: 4 });
          assert.deepEqual(await s.delete('/w/a'), { key: '/w/a', value: '3', createRevision: 4, modRevision: 5 });
        }));

      test('writes issued together each succeed or fail alone', TIMEOUT, () =>
        withStore(async (s) => {
          const cas = await s.create('/w/cas', '0');
          const stale = await s.create('/w/stale', '0');
          await s.update('/w/stale', '1', stale.modRevision);
          await s.create('/w/exists', '0');
          const before = await s.currentRevision();
          // Different keys, so the outcome does not depend on the order the store applies them in.
          const outcomes = await Promise.allSettled([
            s.create('/w/new', '1'),
            s.create('/w/exists', '2'),
            s.update('/w/cas', 'next', cas.modRevision),
            s.update('/w/stale', '2', stale.modRevision),
            s.update('/w/none', '1', 1),
            s.delete('/w/gone'),
          ]);
          const summary = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : o.reason.constructor.name));
          assert.deepEqual(summary, ['ok', 'KeyExistsError', 'ok', 'ConflictError', 'NotFoundError', 'NotFoundError']);
          const revisions = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.modRevision] : [])).sort((a, b) => a - b);
          assert.deepEqual(revisions, [before + 1, before + 2]);
          assert.equal((await s.get('/w/cas'))?.value, 'next');
          assert.equal((await s.get('/w/exists'))?.value, '0');
          assert.equal(await s.currentRevision(), before + 2);
        }));

      test('concurrent creates of the same keys: exactly one wins per key', TIMEOUT, () =>
        withStore(async (s) => {
          const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => s.create(`/w/k${i % 50}`, `${i}`)));
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          assert.equal(won.length, 50);
          for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof KeyExistsError);
          // The winner's value is the one stored, whichever of the four it was.
          const winners = new Map(won.map((o) => [(o as PromiseFulfilledResult<KeyValue>).value.key, (o as PromiseFulfilledResult<KeyValue>).value.value]));
          for (let k = 0; k < 50; k++) {
            const value = (await s.get(`/w/k${k}`))?.value;
            assert.equal(value, winners.get(`/w/k${k}`));
            assert.equal(Number(value) % 50, k);
          }
        }));
    });

    describe('reads at revisions', () => {
      test('get sees each key as it was at the revision', TIMEOUT, () =>
        withStore(async (s) => {
          await s.create('/h/a', 'v1'); // 1
          await s.update('/h/a', 'v2', 1); // 2
          await s.create('/h/b', 'b1'); // 3
          await s.delete('/h/a'); // 4
          await s.create('/h/a', 'v3'); // 5
          const cases: Array<[string, number, string | undefined]> = [
            ['/h/a', 1, 'v1'],
            ['/h/a', 2, 'v2'],
            ['/h/a', 3, 'v2'],
            ['/h/a', 4, undefined],
            ['/h/a', 5, 'v3'],
            ['/h/b', 2, undefined],
            ['/h/b', 5, 'b1'],
          ];
          for (const [key, rev, value] of cases) assert.equal((await s.get(key, rev))?.value, value, `${key}@${rev}`);
          assert.deepEqual(await s.get('/h/a', 2), { key: '/h/a', value: 'v2', createRevision: 1, modRevision: 2 });
        }));

      test('list at a revision, and reading a future revision fails', TIMEOUT, () =>
        withStore(async (s) => {
          await s.create('/h/a', '1');
          await s.create('/h/b', '1');
          await s.delete('/h/a');
          await s.create('/h/c', '1');
          const at = async (revision: number) => (await s.list('/h/', { revision })).items.map((kv) => kv.key);
          assert.deepEqual(await at(1), ['/h/a']);
          assert.deepEqual(await at(2), ['/h/a', '/h/b']);
          assert.deepEqual(await at(3), ['/h/b']);
          assert.deepEqual(await at(4), ['/h/b', '/h/c']);
          assert.equal((await s.list('/h/', { revision: 2 })).revision, 2);
          assert.equal((await s.list('/h/')).revision, 4);
          await assert.rejects(s.list('/h/', { revision: 5 }), StoreError);
          await assert.rejects(s.get('/h/a', 5), StoreError);
        }));
    });

    describe('list', () => {
      test('a prefix selects its keys only, in key order', TIMEOUT, () =>
        withStore(async (s) => {
          for (const key of ['/a/2', '/ab', '/a/1', '/a', '/b/1', '/a/10']) await s.create(key, key);
          const keys = async (prefix: string) => (await s.list(prefix)).items.map((kv) => kv.key);
          assert.deepEqual(await keys('/a/'), ['/a/1', '/a/10', '/a/2']);
          assert.deepEqual(await keys('/a'), ['/a', '/a/1', '/a/10', '/a/2', '/ab']);
          assert.deepEqual(await keys(''), ['/a', '/a/1', '/a/10', '/a/2', '/ab', '/b/1']);
          assert.deepEqual(await keys('/c/'), []);
          const r = await s.list('/a/');
          assert.equal(r.count, 3);
          assert.equal(r.more, false);
          assert.deepEqual(r.items[0], { key: '/a/1', value: '/a/1', createRevision: 3, modRevision: 3 });
        }));

      test('pages with limit and startKey, counting from startKey on', TIMEOUT, () =>
        withStore(async (s) => {
          const keys = Array.from({ length: 25 }, (_, i) => `/p/k${String(i).padStart(2, '0')}`);
          for (const key of keys) await s.create(key, key);
          await s.create('/p0', 'outside');
          await s.create('/o/k', 'outside');
          await s.delete('/p/k05');
          const live = keys.filter((k) => k !== '/p/k05');
          const revision = await s.currentRevision();
          // Writes between pages must not show in a list paged at a fixed revision.
          const seen: string[] = [];
          const pages: Array<[number, boolean, number]> = [];
          let startKey: string | undefined;
          for (;;) {
            const page = await s.list('/p/', { limit: 10, startKey, revision });
            assert.equal(page.revision, revision);
            pages.push([page.items.length, page.more, page.count]);
            seen.push(...page.items.map((kv) => kv.key));
            await s.create(`/p/new${seen.length}`, 'later');
            if (!page.more) break;
            startKey = page.items[page.items.length - 1].key + '\x00';
          }
          assert.deepEqual(pages, [
            [10, true, 24],
            [10, true, 14],
            [4, false, 4],
          ]);
          assert.deepEqual(seen, live);
          const tail = await s.list('/p/', { startKey: '/p/k20' });
          assert.deepEqual(tail.items.map((kv) => kv.key).slice(0, 5), ['/p/k20', '/p/k21', '/p/k22', '/p/k23', '/p/k24']);
          // A startKey before the prefix starts at the prefix.
          assert.equal((await s.list('/p/', { startKey: '/a', limit: 1, revision })).count, 24);
          assert.equal((await s.list('/p/', { limit: 24, revision })).more, false);
        }));
    });

    describe('watch', () => {
      test('from 0: later changes only, with prevKv on updates and deletes', TIMEOUT, () =>
        withStore(async (s) => {
          await s.create('/x/before', '0');
          const w = collect(s, '/x/', 0);
          const a = await s.create('/x/a', '1'); // 2
          await s.update('/x/a', '2', a.modRevision); // 3
          await s.delete('/x/a'); // 4
          await w.until(4);
          w.watcher.close();
          assert.deepEqual(w.events, [
            { type: 'PUT', kv: { key: '/x/a', value: '1', createRevision: 2, modRevision: 2 }, revision: 2 },
            {
              type: 'PUT',
              kv: { key: '/x/a', value: '2', createRevision: 2, modRevision: 3 },
              prevKv: { key: '/x/a', value: '1', createRevision: 2, modRevision: 2 },
              revision: 3,
            },
            {
              type: 'DELETE',
              kv: { key: '/x/a', value: '2', createRevision: 2, modRevision: 4 },
              prevKv: { key: '/x/a', value: '2', createRevision: 2, modRevision: 3 },
              revision: 4,
            },
          ]);
        }));

      test('from a past revision: history first, then live, with no gap or duplicate', TIMEOUT, () =>
        withStore(async (s) => {
          for (let i = 0; i < 30; i++) await s.create(`/x/k${i}`, `${i}`);
          const w = collect(s, '/x/', 10);
          // Written while the watch replays: these must follow the replay exactly once.
          const live = await Promise.all(Array.from({ length: 30 }, (_, i) => s.update(`/x/k${i}`, 'live', i + 1)));
          const last = Math.max(...live.map((kv) => kv.modRevision));
          await w.until(last);
          w.watcher.close();
          assert.deepEqual(
            w.events.map((e) => e.revision),
            Array.from({ length: last - 10 }, (_, i) => i + 11),
          );
          // Each live update carries the value it replaced.
          for (const e of w.events.filter((x) => x.kv.value === 'live')) assert.equal(e.prevKv?.value, e.kv.key.slice('/x/k'.length));
        }));

      test('events arrive asynchronously, never inside the write call', TIMEOUT, () =>
        withStore(async (s) => {
          let delivered = false;
          const w = collect(s, '/x/', 0, () => (delivered = true));
          const pending = s.create('/x/a', '1');
          assert.equal(delivered, false);
          await pending;
          await w.until(1);
          assert.equal(delivered, true);
          w.watcher.close();
        }));

      test('a watch sees its prefix only', TIMEOUT, () =>
        withStore(async (s) => {
          const a = collect(s, '/a/', 0);
          const b = collect(s, '/b/', 0);
          await Promise.all([s.create('/a/1', 'a'), s.create('/b/1', 'b'), s.create('/ab', 'ab'), s.create('/a/2', 'a')]);
          await Promise.all([a.until(4), b.until(4)]);
          assert.deepEqual(a.events.map((e) => e.kv.key).sort(), ['/a/1', '/a/2']);
          assert.deepEqual(b.events.map((e) => e.kv.key), ['/b/1']);
          a.watcher.close();
          b.watcher.close();
        }));

      test('from a future revision: only changes after it', TIMEOUT, () =>
        withStore(async (s) => {
          const w = collect(s, '/x/', 2);
          await s.create('/x/1', '1');
          await s.create('/x/2', '2');
          await s.create('/x/3', '3');
          await w.until(3);
          w.watcher.close();
          assert.deepEqual(w.events.map((e) => e.revision), [3]);
        }));

      test('close stops delivery', TIMEOUT, () =>
        withStore(async (s) => {
          const closed = collect(s, '/x/', 0);
          const open = collect(s, '/x/', 0);
          closed.watcher.close();
          await s.create('/x/a', '1');
          await open.until(1);
          open.watcher.close();
          assert.equal(open.events.length, 1);
          assert.equal(closed.events.length, 0);
        }));

      test('progress: after each delivered batch and when idle', TIMEOUT, () =>
        withStore(async (s) => {
          await s.create('/other/a', '1');
          const w = collect(s, '/x/', 0);
          // Nothing happens under /x/: the idle notification still reports the current revision.
          await w.until(1);
          await s.create('/x/a', '1');
          await w.until(2);
          assert.equal(w.events.length, 1);
          w.watcher.close();
        }));
    });

    describe('compaction', () => {
      test('reads and watches before the compacted revision fail with CompactedError', TIMEOUT, () =>
        withStore(async (s) => {
          await s.create('/k/a', '1'); // 1
          await s.update('/k/a', '2', 1); // 2
          await s.create('/k/b', '1'); // 3
          await s.delete('/k/b'); // 4
          await s.delete('/k/a'); // 5: just after the compacted revision, so it must stay
          await s.create('/k/c', '1'); // 6
          await s.compact(4);
          assert.equal(await s.compactedRevision(), 4);
          await assert.rejects(s.get('/k/a', 3), (err) => err instanceof CompactedError && err.requested === 3 && err.compacted === 4);
          await assert.rejects(s.list('/k/', { revision: 1 }), CompactedError);
          assert.equal((await s.get('/k/a', 4))?.value, '2');
          assert.equal(await s.get('/k/b', 4), undefined);
          assert.equal(await s.get('/k/a', 5), undefined);
          assert.deepEqual((await s.list('/k/', { revision: 4 })).items.map((kv) => kv.value), ['2']);
          assert.deepEqual((await s.list('/k/')).items.map((kv) => kv.key), ['/k/c']);
          assert.equal(await s.get('/k/a'), undefined);

          const failed = await collect(s, '/k/', 3).failure();
          assert.ok(failed instanceof CompactedError);
          const w = collect(s, '/k/', 4);
          await w.until(6);
          w.watcher.close();
          assert.deepEqual(w.events.map((e) => [e.revision, e.type, e.prevKv?.value]), [
            [5, 'DELETE', '2'],
            [6, 'PUT', undefined],
          ]);

          await s.compact(2); // older than the compacted revision: nothing to do
          assert.equal(await s.compactedRevision(), 4);
          await assert.rejects(s.compact(7), StoreError);
          assert.equal(await s.currentRevision(), 6);
        }));

      test('compacting away every key does not reuse revisions', TIMEOUT, () =>
        withStore(async (s, reopen) => {
          await s.create('/k/a', '1');
          await s.delete('/k/a');
          await s.compact(2);
          assert.deepEqual(await s.list(''), { items: [], revision: 2, more: false, count: 0 });
          if (reopen) s = await reopen();
          assert.equal(await s.currentRevision(), 2);
          assert.equal(await s.compactedRevision(), 2);
          assert.equal((await s.create('/k/a', '2')).modRevision, 3);
        }));
    });

    describe('lifecycle', () => {
      test('data, revisions and compaction survive reopening', TIMEOUT, async (t) => {
        const h = await makeStore();
        if (!h.reopen) {
          await h.cleanup();
          return t.skip('the driver does not persist');
        }
        try {
          let s = h.store;
          await s.create('/l/a', '1');
          await s.update('/l/a', '2', 1);
          await s.create('/l/b', '1');
          await s.compact(2);
          s = await h.reopen();
          assert.equal(await s.currentRevision(), 3);
          assert.equal(await s.compactedRevision(), 2);
          assert.deepEqual(await s.get('/l/a'), { key: '/l/a', value: '2', createRevision: 1, modRevision: 2 });
          await assert.rejects(s.get('/l/a', 1), CompactedError);
          const w = collect(s, '/l/', 2);
          assert.equal((await s.create('/l/c', '1')).modRevision, 4);
          await w.until(4);
          w.watcher.close();
          assert.deepEqual(w.events.map((e) => e.revision), [3, 4]);
        } finally {
          await h.cleanup();
        }
      });

      test('a closed store answers UnavailableError and ends its watches', TIMEOUT, async () => {
        const h = await makeStore();
        try {
          const s = h.store;
          await s.create('/l/a', '1');
          const w = collect(s, '/l/', 0);
          const failure = w.failure();
          // A write accepted before close is still answered.
          const accepted = s.create('/l/b', '1');
          await s.close();
          assert.equal((await accepted).modRevision, 2);
          assert.ok((await failure) instanceof UnavailableError);
          const calls: Array<[string, () => Promise<unknown>]> = [
            ['currentRevision', () => s.currentRevision()],
            ['get', () => s.get('/l/a')],
            ['list', () => s.list('/l/')],
            ['create', () => s.create('/l/c', '1')],
            ['update', () => s.update('/l/a', '2', 1)],
            ['delete', () => s.delete('/l/a')],
            ['compact', () => s.compact(1)],
            ['compactedRevision', () => s.compactedRevision()],
          ];
          for (const [what, call] of calls) await assert.rejects(call(), UnavailableError, what);
          assert.throws(() => s.watch('/l/', { fromRevision: 0, onEvents: () => {}, onError: () => {} }), UnavailableError);
          await s.close();
        } finally {
          await h.cleanup();
        }
      });
    });
  });
}

interface Collected {
  events: WatchEvent[];
  watcher: Watcher;
  /** Resolves once the store reports progress up to `revision`: every event up to it is in `events`. */
  until(revision: number): Promise<void>;
  /** Resolves with the error the watch ends with. */
  failure(): Promise<Error>;
}

/** Watch `prefix` and gather what arrives; waits are on the store's own progress reports. */
function collect(s: Store, prefix: string, fromRevision: number, onDelivery?: () => void): Collected {
  const events: WatchEvent[] = [];
  let progress = 0;
  let error: Error | undefined;
  let waiters: Array<() => void> = [];
  const wake = () => {
    const now = waiters;
    waiters = [];
    for (const w of now) w();
  };
  const watcher = s.watch(prefix, {
    fromRevision,
    onEvents: (batch) => {
      onDelivery?.();
      assert.ok(batch.length > 0, 'empty event batch');
      events.push(...batch);
    },
    onProgress: (revision) => {
      progress = Math.max(progress, revision);
      wake();
    },
    onError: (err) => {
      error = err;
      wake();
    },
  });
  // Drivers unref their progress timer; this ref'd one keeps the process alive while a test waits.
  const wait = (ready: () => boolean) =>
    new Promise<void>((resolve) => {
      const keepAlive = setTimeout(() => {}, 60_000);
      const check = () => {
        if (!ready()) return waiters.push(check);
        clearTimeout(keepAlive);
        resolve();
      };
      check();
    });
  return {
    events,
    watcher,
    async until(revision) {
      await wait(() => progress >= revision || error !== undefined);
      if (error) throw error;
    },
    async failure() {
      await wait(() => error !== undefined);
      return error!;
    },
  };
}
