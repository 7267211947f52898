import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequest } from './common.js';
import { startImage } from './testing.js';

test('unyo/loadgen sends RATE requests per second, summarises each second and stops after DURATION', async (t) => {
  const web = startImage('unyo/web:1', { ports: [0] });
  t.after(() => web.child.kill('SIGKILL'));
  const target = await web.listening();

  const loadgen = startImage('unyo/loadgen:1', { args: [`${target}/`], env: { RATE: '40', CONCURRENCY: '2', DURATION: '3' }, ports: [0] });
  t.after(() => loadgen.child.kill('SIGKILL'));
  const metricsUrl = await loadgen.listening();
  await loadgen.waitFor(/^ok=\d+ failed=0 p50=[\d.]+ms p99=[\d.]+ms/m);
  const metrics = (await httpRequest(`${metricsUrl}/metrics`)).body.toString();
  assert.match(metrics, /^loadgen_requests_total\{result="ok"\} \d+$/m);
  assert.match(metrics, /^loadgen_request_duration_seconds_count \d+$/m);

  assert.deepEqual(await loadgen.exited, { code: 0, signal: null });
  const total = /total ok=(\d+) failed=(\d+) skipped=(\d+)/.exec(loadgen.stdout());
  assert.ok(total, loadgen.stdout());
  const [ok, failed, skipped] = total.slice(1).map(Number);
  assert.equal(failed, 0);
  // 3 s at 40/s: 120 due, each sent or, while CONCURRENCY are in flight on a busy machine, skipped.
  assert.ok(ok > 0 && ok + skipped >= 100 && ok + skipped <= 120, `ok=${ok} skipped=${skipped}`);

  const served = (await httpRequest(`${target}/metrics`)).body.toString();
  assert.equal(Number(/^http_requests_total\{handler="\/",code="200"\} (\d+)$/m.exec(served)?.[1]), ok);
});

test('unyo/loadgen counts errors and refused connections as failed', async () => {
  const loadgen = startImage('unyo/loadgen:1', { env: { URL: 'http://127.0.0.1:1/', RATE: '20', DURATION: '1' } });
  await loadgen.waitFor(/^ok=0 failed=\d+ .*last_error="ECONNREFUSED"$/m);
  assert.deepEqual(await loadgen.exited, { code: 0, signal: null });
});

test('unyo/loadgen without a URL fails with a clear reason', async () => {
  const loadgen = startImage('unyo/loadgen:1');
  assert.equal((await loadgen.exited).code, 2);
  assert.match(loadgen.stderr(), /no target/);
});
