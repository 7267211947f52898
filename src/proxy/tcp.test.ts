// The per-port balancer with real sockets on loopback: round robin over ready endpoints,
// refused and silently closing endpoints skipped with the client's bytes replayed, endpoint
// changes applying to new connections, no endpoints refused, ClientIP affinity.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ServicePortBalancer, type Backend } from './tcp.js';

const servers: Array<net.Server> = [];
after(() => servers.forEach((s) => s.close()));

async function web(name: string): Promise<Backend> {
  const s = http.createServer((_req, res) => res.end(name));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { ip: '127.0.0.1', port: (s.address() as AddressInfo).port };
}

/** A server that accepts connections and closes them at once, as one shutting down might. */
async function closer(): Promise<Backend> {
  const s = net.createServer((sock) => sock.destroy());
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { ip: '127.0.0.1', port: (s.address() as AddressInfo).port };
}

async function refused(): Promise<Backend> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return { ip: '127.0.0.1', port };
}

async function front(balancer: ServicePortBalancer): Promise<number> {
  const s = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (sock) => balancer.handle(sock, () => undefined));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as AddressInfo).port;
}

function get(port: number, agent: http.Agent | false = false): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

test('round robin over ready endpoints; refused and silently closing endpoints are skipped', async () => {
  const [a, b] = [await web('a'), await web('b')];
  const balancer = new ServicePortBalancer('default/web:http');
  balancer.setBackends([a, await refused(), b, await closer()], []);
  const port = await front(balancer);
  const seen: string[] = [];
  for (let i = 0; i < 8; i++) seen.push(await get(port));
  assert.deepEqual([...new Set(seen)].sort(), ['a', 'b']);
  assert.equal(seen.filter((s) => s === 'a').length, 4, `even spread: ${seen}`);
});

test('endpoint changes apply to the next connection; a keep-alive connection stays with its endpoint', async () => {
  const [a, b] = [await web('a'), await web('b')];
  const balancer = new ServicePortBalancer('default/web:http');
  balancer.setBackends([a], []);
  const port = await front(balancer);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  assert.equal(await get(port, agent), 'a');
  balancer.setBackends([b], []);
  assert.equal(await get(port, agent), 'a', 'the open connection keeps its endpoint');
  assert.equal(await get(port), 'b', 'a new connection goes to the new endpoint');
  agent.destroy();
  // Only terminating-but-serving endpoints left: they still take connections.
  balancer.setBackends([], [a]);
  assert.equal(await get(port), 'a');
  balancer.setBackends([], []);
  await assert.rejects(get(port), /ECONNRESET|socket hang up/);
});

test('ClientIP affinity keeps a client on its endpoint', async () => {
  const [a, b] = [await web('a'), await web('b')];
  const balancer = new ServicePortBalancer('default/web:http');
  balancer.setBackends([a, b], [], { timeoutSeconds: 60 });
  const port = await front(balancer);
  const first = await get(port);
  for (let i = 0; i < 5; i++) assert.equal(await get(port), first);
});
