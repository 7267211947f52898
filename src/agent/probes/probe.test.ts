import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ExecOptions } from '../runtime/runtime.js';
import { runProbe, type ProbeTarget } from './probe.js';

const host = '127.0.0.1';
let server: http.Server;
let port: number;
let seen: http.IncomingHttpHeaders[] = [];

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

before(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url!, 'http://x');
    switch (url.pathname) {
      case '/healthz':
        return res.end('ok');
      case '/unready':
        res.statusCode = 503;
        return res.end('nope');
      case '/moved':
        res.writeHead(302, { Location: '/healthz' });
        return res.end();
      case '/elsewhere':
        res.writeHead(302, { Location: 'http://example.invalid/' });
        return res.end('gone');
      case '/loop':
        res.writeHead(302, { Location: '/loop' });
        return res.end();
      case '/hang':
        return; // never answers
      case '/big':
        return res.end('x'.repeat(64 * 1024));
      default:
        res.statusCode = 404;
        return res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  port = (server.address() as AddressInfo).port;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const noExec: ProbeTarget['runtime'] = { exec: async () => assert.fail('exec not expected') };
const target = (extra: Partial<ProbeTarget> = {}): ProbeTarget => ({ podIP: host, containerId: 'c1', runtime: noExec, ...extra });

test('httpGet: 200 succeeds with the body as message', async () => {
  assert.deepEqual(await runProbe({ httpGet: { path: '/healthz', port } }, target(), 1000), { result: 'Success', message: 'ok' });
});

test('httpGet: 503 fails with upstream message', async () => {
  assert.deepEqual(await runProbe({ httpGet: { path: '/unready', port } }, target(), 1000), { result: 'Failure', message: 'HTTP probe failed with statuscode: 503' });
});

test('httpGet: named port, headers, default User-Agent and Accept', async () => {
  seen = [];
  const r = await runProbe(
    { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'Host', value: 'app.example' }, { name: 'X-Probe', value: 'a' }, { name: 'X-Probe', value: 'b' }] } },
    target({ ports: [{ name: 'metrics', containerPort: 1 }, { name: 'http', containerPort: port }] }),
    1000,
  );
  assert.equal(r.result, 'Success');
  assert.equal(seen[0].host, 'app.example');
  assert.equal(seen[0]['x-probe'], 'a, b');
  assert.equal(seen[0]['user-agent'], 'kube-probe/1.33');
  assert.equal(seen[0].accept, '*/*');
});

test('httpGet: an empty Accept header is dropped, a given User-Agent kept', async () => {
  seen = [];
  await runProbe({ httpGet: { path: '/healthz', port, httpHeaders: [{ name: 'Accept', value: '' }, { name: 'User-Agent', value: 'mine' }] } }, target(), 1000);
  assert.equal(seen[0].accept, undefined);
  assert.equal(seen[0]['user-agent'], 'mine');
});

test('httpGet: host defaults to the pod IP, path without slash is made absolute', async () => {
  const r = await runProbe({ httpGet: { path: 'healthz', port } }, target(), 1000);
  assert.equal(r.result, 'Success');
});

test('httpGet: a redirect on the same host is followed', async () => {
  assert.deepEqual(await runProbe({ httpGet: { path: '/moved', port } }, target(), 1000), { result: 'Success', message: 'ok' });
});

test('httpGet: a redirect to another host succeeds with a warning', async () => {
  assert.deepEqual(await runProbe({ httpGet: { path: '/elsewhere', port } }, target(), 1000), {
    result: 'Success',
    message: 'Probe terminated redirects, Response body: gone',
    warning: true,
  });
});

test('httpGet: a redirect loop stops after 10 redirects', async () => {
  assert.deepEqual(await runProbe({ httpGet: { path: '/loop', port } }, target(), 1000), {
    result: 'Failure',
    message: `Get "http://${host}:${port}/loop": stopped after 10 redirects`,
  });
});

test('httpGet: connection refused reads like Go', async () => {
  const p = await closedPort();
  assert.deepEqual(await runProbe({ httpGet: { path: '/readyz', port: p } }, target(), 1000), {
    result: 'Failure',
    message: `Get "http://${host}:${p}/readyz": dial tcp ${host}:${p}: connect: connection refused`,
  });
});

test('httpGet: no path prints the URL without a slash', async () => {
  const p = await closedPort();
  const r = await runProbe({ httpGet: { port: p } }, target(), 1000);
  assert.match(r.message, new RegExp(`^Get "http://${host}:${p}": dial tcp`));
});

test('httpGet: timeout while awaiting headers', async () => {
  assert.deepEqual(await runProbe({ httpGet: { path: '/hang', port } }, target(), 100), {
    result: 'Failure',
    message: `Get "http://${host}:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  });
});

test('httpGet: a large body is cut at 10 KiB', async () => {
  const r = await runProbe({ httpGet: { path: '/big', port } }, target(), 1000);
  assert.equal(r.result, 'Success');
  assert.equal(r.message.length, 10 * 1024);
});

test('httpGet: an unknown port name errors (upstream ignores such results)', async () => {
  assert.deepEqual(await runProbe({ httpGet: { path: '/', port: 'web' } }, target(), 1000), { result: 'Failure', message: 'port "web" not found', errored: true });
});

/** A self-signed certificate for tests only (P-256, CN=probe-test); the probe must not verify it. */
const cert = `-----BEGIN CERTIFICATE-----
MIIBgDCCASegAwIBAgIUA3bkDrHQxcB1+ECQtIwqJp7UcCEwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKcHJvYmUtdGVzdDAgFw0yNjExMjIwMzU2NTRaGA8yMTI2MTAy
OTAzNTY1NFowFTETMBEGA1UEAwwKcHJvYmUtdGVzdDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABBiZgy4+CF0sxTIFmCuTBUNzWjMiqGkbdIJtRdvFXebYm3gVT9aH
byJa6A5EHDYQoz5ZX/BF9ALd0Mqm+aC8tAOjUzBRMB0GA1UdDgQWBBTUhKpNUio6
ZvPjNBuE420s9efaPTAfBgNVHSMEGDAWgBTUhKpNUio6ZvPjNBuE420s9efaPTAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIFeDQHiJUNmtrIqA3Q1x
Yxf/QRZ7Zz8VHDS/yM25vMoLAiAiErcyjr6zMSrkH2lvz6vEtTYuWPDdkXUtX6Ku
HJX8Eg==
-----END CERTIFICATE-----`;
const key = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgh7Ucv0VXRzEgqebz
7RcAS4TrHykdxdKTSMHVjo4rUEChRANCAAQYmYMuPghdLMUyBZgrkwVDc1ozIqhp
G3SCbUXbxV3m2Jt4FU/Wh28iWugORBw2EKM+WV/wRfQC3dDKpvmgvLQD
-----END PRIVATE KEY-----`;

test('httpGet: HTTPS with a self-signed certificate', async () => {
  const tls = https.createServer({ cert, key }, (_req, res) => res.end('secure'));
  await new Promise<void>((r) => tls.listen(0, host, r));
  try {
    const p = (tls.address() as AddressInfo).port;
    assert.deepEqual(await runProbe({ httpGet: { path: '/', port: p, scheme: 'HTTPS' } }, target(), 2000), { result: 'Success', message: 'secure' });
  } finally {
    tls.closeAllConnections();
    tls.close();
  }
});

test('tcpSocket: a listening port succeeds', async () => {
  assert.deepEqual(await runProbe({ tcpSocket: { port } }, target(), 1000), { result: 'Success', message: '' });
});

test('tcpSocket: connection refused reads like Go', async () => {
  const p = await closedPort();
  assert.deepEqual(await runProbe({ tcpSocket: { port: p } }, target(), 1000), { result: 'Failure', message: `dial tcp ${host}:${p}: connect: connection refused` });
});

test('tcpSocket: host overrides the pod IP', async () => {
  assert.equal((await runProbe({ tcpSocket: { port, host } }, target({ podIP: '127.0.0.2' }), 1000)).result, 'Success');
});

/** A runtime whose exec answers from a script: output, then an exit code (or never). */
function fakeExec(answer: (command: string[]) => { out?: string; err?: string; code?: number; hang?: boolean; throws?: string }) {
  const calls: Array<{ id: string; command: string[] }> = [];
  const runtime: ProbeTarget['runtime'] = {
    exec: async (id: string, opts: ExecOptions) => {
      calls.push({ id, command: opts.command });
      const a = answer(opts.command);
      if (a.throws) throw new Error(a.throws);
      if (a.out) opts.stdout?.write(a.out);
      if (a.err) opts.stderr?.write(a.err);
      if (a.hang) return new Promise<number>(() => undefined);
      return a.code ?? 0;
    },
  };
  return { runtime, calls };
}

test('exec: exit 0 succeeds with the output', async () => {
  const { runtime, calls } = fakeExec(() => ({ out: 'fine\n' }));
  assert.deepEqual(await runProbe({ exec: { command: ['cat', '/tmp/healthy'] } }, target({ runtime }), 1000), { result: 'Success', message: 'fine\n' });
  assert.deepEqual(calls, [{ id: 'c1', command: ['cat', '/tmp/healthy'] }]);
});

test('exec: a non-zero exit fails with stdout and stderr', async () => {
  const { runtime } = fakeExec(() => ({ out: 'a', err: 'cat: /tmp/healthy: No such file or directory\n', code: 1 }));
  assert.deepEqual(await runProbe({ exec: { command: ['cat', '/tmp/healthy'] } }, target({ runtime }), 1000), {
    result: 'Failure',
    message: 'acat: /tmp/healthy: No such file or directory\n',
  });
});

test('exec: a command that outlives the timeout fails', async () => {
  const { runtime } = fakeExec(() => ({ hang: true }));
  const timers = { setTimeout: (fn: () => void) => (queueMicrotask(fn), 1), clearTimeout: () => undefined };
  assert.deepEqual(await runProbe({ exec: { command: ['sh', '-c', 'sleep 10'] } }, target({ runtime }), 1000, timers), {
    result: 'Failure',
    message: 'command "sh -c sleep 10" timed out',
  });
});

test('exec: a runtime error is an errored probe', async () => {
  const { runtime } = fakeExec(() => ({ throws: 'container c1 is not running' }));
  assert.deepEqual(await runProbe({ exec: { command: ['true'] } }, target({ runtime }), 1000), { result: 'Failure', message: 'container c1 is not running', errored: true });
});

test('grpc: not supported by the process runtime', async () => {
  assert.deepEqual(await runProbe({ grpc: { port: 9000 } }, target(), 1000), {
    result: 'Failure',
    message: 'grpc probes are not supported by the process runtime',
    errored: true,
  });
});
