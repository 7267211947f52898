import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpRequest, type HttpResult } from './common.js';
import { randomPodIP, startImage, type ImageProcess } from './testing.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'unyo-kv-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Polls until `check` passes (replication is asynchronous), failing with its last error after `timeoutMs`. */
async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const text = (r: HttpResult) => r.body.toString();
const put = (url: string, value: string) => httpRequest(url, { method: 'PUT', body: value });

interface Replica {
  process: ImageProcess;
  url: string;
}

async function startKv(t: { after: (fn: () => void) => void }, options: { hostname: string; dataDir: string; podIP?: string; env?: Record<string, string> }): Promise<Replica> {
  const kv = startImage('unyo/kv:1', {
    hostname: options.hostname,
    podIP: options.podIP,
    ports: options.podIP ? [7000] : [0],
    // The unprivileged runtime's contract: the volume's container path and where it is on the host.
    env: { UNYO_MOUNTS: '/data/db', UNYO_MOUNT__data_db: options.dataDir, ...options.env },
  });
  t.after(() => kv.child.kill('SIGKILL'));
  return { process: kv, url: await kv.listening() };
}

test('unyo/kv keeps acknowledged writes across kill -9', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startKv(t, { hostname: 'kv-0', dataDir });
  assert.equal((await put(`${first.url}/kv/user%2F1`, '{"name":"ada"}')).status, 200);
  assert.equal((await put(`${first.url}/kv/b`, 'bee')).status, 200);
  const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => put(`${first.url}/kv/n${i}`, String(i))));
  assert.ok(acks.every((r) => r.status === 200));
  assert.equal((await httpRequest(`${first.url}/kv/b`, { method: 'DELETE' })).status, 200);
  assert.equal((await httpRequest(`${first.url}/kv/b`, { method: 'DELETE' })).status, 404);
  first.process.child.kill('SIGKILL');
  await first.process.exited;

  const second = await startKv(t, { hostname: 'kv-0', dataDir });
  const read = await httpRequest(`${second.url}/kv/user%2F1`);
  assert.equal(read.status, 200);
  assert.equal(text(read), '{"name":"ada"}');
  assert.equal(read.headers['x-kv-revision'], '1');
  assert.equal((await httpRequest(`${second.url}/kv/b`)).status, 404);
  assert.equal(text(await httpRequest(`${second.url}/kv/n19`)), '19');
  const keys = JSON.parse(text(await httpRequest(`${second.url}/kv?prefix=n1`))).keys;
  assert.deepEqual(keys, ['n1', 'n10', 'n11', 'n12', 'n13', 'n14', 'n15', 'n16', 'n17', 'n18', 'n19']);
  const role = JSON.parse(text(await httpRequest(`${second.url}/role`)));
  assert.equal(role.role, 'primary');
  assert.equal(role.ordinal, 0);
  assert.equal(role.revision, 23);
  assert.equal((await httpRequest(`${second.url}/readyz`)).status, 200);
});

test('unyo/kv replicates from the primary to a follower, which forwards writes and catches up after downtime', async (t) => {
  const primaryIP = randomPodIP();
  const followerIP = randomPodIP();
  const primaryUrl = `http://${primaryIP}:7000`;
  const primary = await startKv(t, { hostname: 'kv-0', podIP: primaryIP, dataDir: await tempDir(t), env: { PEERS: `${primaryUrl},http://${followerIP}:7000`, PRIMARY_URL: primaryUrl } });
  const followerDir = await tempDir(t);
  const followerEnv = { PEERS: `${primaryUrl},http://${followerIP}:7000`, PRIMARY_URL: primaryUrl, SYNC_INTERVAL_MS: '200' };
  let follower = await startKv(t, { hostname: 'kv-1', podIP: followerIP, dataDir: followerDir, env: followerEnv });

  assert.equal(JSON.parse(text(await httpRequest(`${follower.url}/role`))).role, 'follower');
  assert.equal((await put(`${primary.url}/kv/a`, 'from primary')).status, 200);
  await eventually(async () => assert.equal(text(await httpRequest(`${follower.url}/kv/a`)), 'from primary'));

  // A write to the follower goes to the primary and is readable on both at once.
  const forwarded = await put(`${follower.url}/kv/b`, 'via follower');
  assert.equal(forwarded.status, 200);
  assert.equal(text(await httpRequest(`${primary.url}/kv/b`)), 'via follower');
  assert.equal(text(await httpRequest(`${follower.url}/kv/b`)), 'via follower');
  assert.equal((await httpRequest(`${follower.url}/kv/a`, { method: 'DELETE' })).status, 200);
  assert.equal((await httpRequest(`${follower.url}/kv/a`)).status, 404);
  assert.equal((await httpRequest(`${primary.url}/kv/a`)).status, 404);

  // Down for a while, the follower misses pushes and catches up by syncing.
  follower.process.child.kill('SIGKILL');
  await follower.process.exited;
  assert.equal((await put(`${primary.url}/kv/c`, 'while down')).status, 200);
  assert.equal((await put(`${primary.url}/kv/b`, 'changed while down')).status, 200);
  follower = await startKv(t, { hostname: 'kv-1', podIP: followerIP, dataDir: followerDir, env: followerEnv });
  await eventually(async () => {
    assert.equal(text(await httpRequest(`${follower.url}/kv/c`)), 'while down');
    assert.equal(text(await httpRequest(`${follower.url}/kv/b`)), 'changed while down');
  });

  // A consistent read goes to the primary, even for a write the follower has not seen yet.
  const role = JSON.parse(text(await httpRequest(`${follower.url}/role`)));
  assert.equal(role.primary, primaryUrl);
  assert.equal(text(await httpRequest(`${follower.url}/kv/c?consistent=true`)), 'while down');

  // Without the primary, the follower still serves reads but refuses writes.
  primary.process.child.kill('SIGKILL');
  await primary.process.exited;
  assert.equal(text(await httpRequest(`${follower.url}/kv/c`)), 'while down');
  const refused = await put(`${follower.url}/kv/d`, 'x');
  assert.equal(refused.status, 503);
  assert.match(text(refused), /primary .* unavailable/);
});

test('unyo/kv exits 0 on SIGTERM after finishing its writes', async (t) => {
  const kv = await startKv(t, { hostname: 'kv-0', dataDir: await tempDir(t) });
  assert.equal((await put(`${kv.url}/kv/x`, '1')).status, 200);
  kv.process.child.kill('SIGTERM');
  assert.deepEqual(await kv.process.exited, { code: 0, signal: null });
});
