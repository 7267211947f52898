import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequest } from './common.js';
import { startImage } from './testing.js';

test('unyo/web answers its tag and hostname, probes and metrics', async (t) => {
  const web = startImage('docker.io/unyo/web:2', { hostname: 'web-7d4-abc', ports: [8080] });
  t.after(() => web.child.kill('SIGKILL'));
  const base = await web.listening();
  assert.match(base, /^http:\/\/127\.\d+\.\d+\.\d+:8080$/);

  const root = await httpRequest(`${base}/`);
  assert.equal(root.status, 200);
  assert.deepEqual(root.body.toString().split('\n'), ['2', 'web 2 from web-7d4-abc', '']);
  assert.equal((await httpRequest(`${base}/healthz`)).status, 200);
  assert.equal((await httpRequest(`${base}/readyz`)).status, 200);
  assert.equal((await httpRequest(`${base}/nope`)).status, 404);
  assert.equal((await httpRequest(`${base}/work?ms=-1`)).status, 400);

  const started = performance.now();
  const work = await httpRequest(`${base}/work?ms=150`);
  assert.equal(work.status, 200);
  assert.ok(performance.now() - started >= 150);

  const metrics = (await httpRequest(`${base}/metrics`)).body.toString();
  assert.match(metrics, /^http_requests_total\{handler="\/",code="200"\} 1$/m);
  assert.match(metrics, /^http_requests_total\{handler="other",code="404"\} 1$/m);
  assert.match(metrics, /^http_requests_in_flight 1$/m);
  assert.match(metrics, /^http_request_duration_seconds_bucket\{le="\+Inf"\} 6$/m);
  const cpu = Number(/^process_cpu_seconds_total (\S+)$/m.exec(metrics)?.[1]);
  assert.ok(cpu >= 0.15, `process_cpu_seconds_total ${cpu} after 150 ms of work`);
});

test('unyo/web:broken is alive but never ready', async (t) => {
  const web = startImage('unyo/web:broken', { ports: [0] });
  t.after(() => web.child.kill('SIGKILL'));
  const base = await web.listening();
  assert.equal((await httpRequest(`${base}/healthz`)).status, 200);
  assert.equal((await httpRequest(`${base}/readyz`)).status, 503);
  const root = await httpRequest(`${base}/`);
  assert.equal(root.status, 500);
  assert.equal(root.body.toString().split('\n')[0], 'broken');
});

test('unyo/web PORT overrides the containerPort; an unknown flag fails the container', async (t) => {
  const web = startImage('unyo/web:1', { ports: [1], env: { PORT: '0' } });
  t.after(() => web.child.kill('SIGKILL'));
  assert.doesNotMatch(await web.listening(), /:1$/);
  const bad = startImage('unyo/web:1', { args: ['--prot=1'] });
  assert.equal((await bad.exited).code, 2);
  assert.match(bad.stderr(), /unknown flag --prot/);
});

test('unyo/web on SIGTERM finishes in-flight requests, refuses new ones, exits 0 within 1 s', async (t) => {
  const web = startImage('unyo/web:1', { ports: [0] });
  t.after(() => web.child.kill('SIGKILL'));
  const base = await web.listening();
  const inFlight = httpRequest(`${base}/work?ms=400`);
  // Signal once the server is answering it: in flight are /work and this /metrics request.
  for (;;) {
    const metrics = (await httpRequest(`${base}/metrics`, { headers: { Connection: 'close' } })).body.toString();
    if (/^http_requests_in_flight 2$/m.test(metrics)) break;
  }
  const signalledAt = performance.now();
  web.child.kill('SIGTERM');
  await web.waitFor(/SIGTERM: stopped accepting connections, 1 request/);
  await assert.rejects(httpRequest(`${base}/healthz`), /ECONNREFUSED/);
  const answered = await inFlight;
  assert.equal(answered.status, 200);
  assert.equal(answered.headers.connection, 'close');
  const exit = await web.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
  // The image's own deadline is 900 ms; the margin is for observing the exit on a busy machine.
  assert.ok(performance.now() - signalledAt < 1500, `exited ${performance.now() - signalledAt} ms after SIGTERM`);
});
