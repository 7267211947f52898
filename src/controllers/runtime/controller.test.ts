import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, TerminalError } from './controller.js';
import { FakeClock } from './clock.js';
import { ApiError } from '../../api/errors.js';
import { waitFor } from './testing.js';

test('a failing reconcile is retried with backoff until it succeeds; a terminal error is not retried', async () => {
  const clock = new FakeClock();
  const calls: string[] = [];
  let failures = 2;
  const logs: string[] = [];
  const c = new Controller(
    'test',
    async (key) => {
      calls.push(key);
      if (key === 'bad') throw new TerminalError('invalid object');
      if (key === 'flaky' && failures-- > 0) throw new ApiError(409, 'Conflict', 'the object has been modified');
    },
    { clock, workers: 2, log: (l) => logs.push(l) },
  );
  c.start();
  c.enqueue('flaky');
  c.enqueue('bad');
  await waitFor('first attempts', () => calls.length >= 2);
  clock.advance(5);
  await waitFor('second attempt', () => calls.filter((k) => k === 'flaky').length === 2);
  clock.advance(10);
  await waitFor('third attempt', () => calls.filter((k) => k === 'flaky').length === 3);
  clock.advance(10_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.filter((k) => k === 'flaky').length, 3, 'no retry after success');
  assert.equal(calls.filter((k) => k === 'bad').length, 1, 'terminal errors are not retried');
  assert.deepEqual(logs, ['test: bad: invalid object'], 'conflicts are retried quietly');
  await c.stop();
});

test('requeueAfterMs brings a key back after the delay', async () => {
  const clock = new FakeClock();
  let n = 0;
  const c = new Controller('test', async () => (++n === 1 ? { requeueAfterMs: 3000 } : undefined), { clock });
  c.start();
  c.enqueue('k');
  await waitFor('first reconcile', () => n === 1);
  clock.advance(2999);
  await new Promise((r) => setImmediate(r));
  assert.equal(n, 1);
  clock.advance(1);
  await waitFor('requeued reconcile', () => n === 2);
  await c.stop();
});
