import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../index.js';
import { runStoreContract } from '../store.contract.js';
import { UnavailableError, type Store, type WatchEvent } from '../store.js';
import { startEtcd } from './etcd.testing.js';

const open = (endpoints: string[], requestTimeoutMs?: number) => openStore({ driver: 'etcd', endpoints, requestTimeoutMs });

runStoreContract('etcd', async () => {
  const etcd = await startEtcd(1);
  let store: Store = await open(etcd.endpoints);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await open(etcd.endpoints);
      return store;
    },
    cleanup: async () => {
      await store.close();
      await etcd.stop();
    },
  };
});

test('etcd: no member answering fails the open with the endpoints named', { timeout: 30_000 }, async () => {
  await assert.rejects(open(['http://127.0.0.1:1'], 1000), (err: Error) => err instanceof UnavailableError && /127\.0\.0\.1:1/.test(err.message));
});

test('etcd over TLS: the client certificate of the members\' CA opens the store; no certificate is refused', { timeout: 60_000 }, async () => {
  const etcd = await startEtcd(1, { tls: true });
  const tls = { caPem: etcd.clientTls!.ca, certPem: etcd.clientTls!.cert, keyPem: etcd.clientTls!.key };
  const store = await openStore({ driver: 'etcd', endpoints: etcd.endpoints, tls });
  try {
    const events: WatchEvent[] = [];
    const watcher = store.watch('/t/', { fromRevision: 0, onEvents: (e) => events.push(...e), onError: () => {} });
    const created = await store.create('/t/a', 'x');
    assert.equal((await store.get('/t/a'))?.value, 'x');
    const deadline = Date.now() + 10_000;
    while (!events.some((e) => e.kv.key === '/t/a') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(events.some((e) => e.kv.key === '/t/a' && e.kv.modRevision === created.modRevision), 'the watch saw the write');
    watcher.close();
    // Only the server's CA, no client certificate: the members require one.
    await assert.rejects(openStore({ driver: 'etcd', endpoints: etcd.endpoints, requestTimeoutMs: 2000, tls: { caPem: tls.caPem } }), (err: Error) => err instanceof UnavailableError);
  } finally {
    await store.close();
    await etcd.stop();
  }
});

test('etcd: losing quorum fails writes within the deadline; regaining it loses nothing; watches go on', { timeout: 120_000 }, async () => {
  const etcd = await startEtcd(3);
  const store = await open(etcd.endpoints, 2000);
  try {
    const events: WatchEvent[] = [];
    let watchError: Error | undefined;
    const watcher = store.watch('/q/', { fromRevision: 0, onEvents: (e) => events.push(...e), onError: (err) => (watchError = err) });
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) acknowledged.push((await store.create(`/q/a${i}`, 'x')).key);

    // One member down: a majority remains and writes go on (whichever member the client used).
    etcd.kill(0);
    for (let i = 0; i < 20; i++) acknowledged.push((await store.create(`/q/b${i}`, 'x')).key);

    // Two down: no quorum. A write fails with UnavailableError, promptly, not hanging.
    etcd.kill(1);
    const started = Date.now();
    await assert.rejects(store.create('/q/lost', 'x'), (err: Error) => err instanceof UnavailableError && /etcd/.test(err.message));
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 10_000, `the write failed after ${tookMs} ms`);

    // A member back: quorum again; every acknowledged write is there and the watch saw them all.
    await etcd.restart(1);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        acknowledged.push((await store.create('/q/after', 'x')).key);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const listed = new Set((await store.list('/q/')).items.map((kv) => kv.key));
    for (const key of acknowledged) assert.ok(listed.has(key), `${key} is missing`);
    const waitUntil = Date.now() + 20_000;
    while (!events.some((e) => e.kv.key === '/q/after') && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 100));
    assert.equal(watchError, undefined, 'the watch went on');
    const seen = new Set(events.map((e) => e.kv.key));
    for (const key of acknowledged) assert.ok(seen.has(key), `the watch missed ${key}`);
    watcher.close();
  } finally {
    await store.close();
    await etcd.stop();
  }
});

test('etcd: a list larger than gRPC\'s default 4 MiB message comes back whole', { timeout: 120_000 }, async () => {
  const etcd = await startEtcd(1);
  const store = await open(etcd.endpoints);
  try {
    const value = 'x'.repeat(2000);
    for (let i = 0; i < 3000; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => store.create(`/big/${i + j}`, value)));
    const listed = await store.list('/big/');
    assert.equal(listed.items.length, 3000);
    assert.equal(listed.count, 3000);
  } finally {
    await store.close();
    await etcd.stop();
  }
});
