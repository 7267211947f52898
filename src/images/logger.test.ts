import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startImage } from './testing.js';

test('unyo/logger writes numbered lines at its rate, alternating streams with STDERR=true', async () => {
  const logger = startImage('unyo/logger:1', { env: { RATE: '50', COUNT: '5', STDERR: 'true', MESSAGE: 'hello lab' } });
  assert.deepEqual(await logger.exited, { code: 0, signal: null });
  const line = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\d+) hello lab$/;
  const numbers = (text: string) => text.trim().split('\n').map((l) => Number(line.exec(l)?.[1]));
  assert.deepEqual(numbers(logger.stdout()), [1, 3, 5]);
  assert.deepEqual(numbers(logger.stderr()), [2, 4]);
});

test('unyo/logger keeps logging until SIGTERM, then exits 0', async () => {
  const logger = startImage('unyo/logger:1', { hostname: 'logger-0', env: { RATE: '20' } });
  await logger.waitFor(/ 3 hello from logger-0\n/);
  logger.child.kill('SIGTERM');
  assert.deepEqual(await logger.exited, { code: 0, signal: null });
  assert.equal(logger.stderr(), '');
});
