import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCa, issue, type KeyPairPem } from '../apiserver/pki.js';
import { ApiLoadBalancer } from './balancer.js';

let ca: KeyPairPem;
let serving: KeyPairPem;

before(async () => {
  ca = await createCa();
  serving = await issue(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
});

/** An HTTPS server that answers its name, and /readyz with 200 or 500 as told. */
async function apiServer(name: string) {
  const state = { ready: true };
  const server = https.createServer({ key: serving.key, cert: serving.cert }, (req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(state.ready ? 200 : 500);
      return res.end(state.ready ? 'ok' : '[-]etcd failed');
    }
    res.setHeader('connection', 'close');
    res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    state,
    backend: { ip: '127.0.0.1', port },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/', ca: ca.cert, servername: 'localhost', agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

const servers: Array<Awaited<ReturnType<typeof apiServer>>> = [];
let lb: ApiLoadBalancer;
after(async () => {
  await lb?.close();
  for (const s of servers) await s.close().catch(() => undefined);
});

test('connections go round robin to ready servers, around unready and dead ones, and TLS passes through', async () => {
  servers.push(await apiServer('a'), await apiServer('b'), await apiServer('c'));
  lb = new ApiLoadBalancer({ backends: servers.map((s) => s.backend), caPem: ca.cert, intervalMs: 60_000, log: () => undefined });
  const port = await lb.listen(0);
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add(await get(port));
  assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);

  // b loses its store: after the next check it gets nothing new.
  servers[1].state.ready = false;
  await (lb as unknown as { checkAll(): Promise<void> }).checkAll();
  assert.deepEqual(lb.status().map((s) => s.ready), [true, false, true]);
  for (let i = 0; i < 6; i++) assert.notEqual(await get(port), 'b');

  // c dies between two checks: its connections are refused and go to a at once.
  await servers[2].close();
  for (let i = 0; i < 4; i++) assert.equal(await get(port), 'a');

  // With no server ready, a server that accepts still answers (clients get the API's own error).
  servers[0].state.ready = false;
  await (lb as unknown as { checkAll(): Promise<void> }).checkAll();
  assert.deepEqual(lb.status().map((s) => s.ready), [false, false, false]);
  const answers = new Set<string>();
  for (let i = 0; i < 4; i++) answers.add(await get(port));
  assert.deepEqual([...answers].sort(), ['a', 'b']);
});
