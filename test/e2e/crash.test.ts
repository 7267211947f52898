// Nothing acknowledged is lost: kill -9 the server in the middle of 1,000 concurrent creates,
// start it again on the same data directory, and every create that got a 201 is there, whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, removeCluster } from './harness.js';
import { rawClient } from './client.js';

test('kill -9 during 1,000 concurrent creates loses no acknowledged write', async () => {
  const first = await startCluster();
  const client = rawClient(first.kubeconfig, 64);
  const acknowledged = new Map<string, string>();
  const payload = (i: number) => `value-${i}-`.padEnd(1024, 'x');
  let killed = false;
  const creates = Array.from({ length: 1000 }, async (_, i) => {
    const name = `cm-${i}`;
    try {
      const res = await client.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: payload(i) } });
      if (res.status === 201) {
        acknowledged.set(name, payload(i));
        // Kill once a good share of writes has been acknowledged, while the rest are in flight.
        if (acknowledged.size === 300 && !killed) {
          killed = true;
          first.kill9();
        }
      }
    } catch {
      // connection reset by the kill: not acknowledged
    }
  });
  await Promise.all(creates);
  client.close();
  assert.ok(killed, 'the server was killed mid-run');
  assert.ok(acknowledged.size >= 300, `acknowledged ${acknowledged.size}`);
  if (first.process.exitCode === null && first.process.signalCode === null) await new Promise((r) => first.process.once('exit', r));

  const second = await startCluster({ dataDir: first.dataDir });
  try {
    const c2 = rawClient(second.kubeconfig);
    const res = await c2.request('GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(res.status, 200);
    const stored = new Map<string, string>(res.body.items.map((cm: any) => [cm.metadata.name, cm.data?.v]));
    for (const [name, value] of acknowledged) {
      assert.equal(stored.get(name), value, `acknowledged ${name} is present and whole`);
    }
    for (const [name, value] of stored) assert.equal(value, payload(Number(name.slice(3))), `${name} is not half-written`);
    c2.close();
  } finally {
    await removeCluster(second);
  }
});
