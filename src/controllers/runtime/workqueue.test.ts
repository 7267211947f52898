import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './workqueue.js';
import { FakeClock } from './clock.js';

test('a key added many times is queued once', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
});

test('a key being processed is not handed out again until done, then comes back once', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  const key = await q.get();
  q.add('a');
  q.add('a');
  assert.equal(q.length, 0, 'not queued while processing');
  q.done(key!);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'a');
  q.done('a');
  assert.equal(q.length, 0);
});

test('a waiting worker gets the next key at once', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const pending = q.get();
  q.add('x');
  assert.equal(await pending, 'x');
});

test('failures back off exponentially per key and forget resets the backoff', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 10, maxDelayMs: 35 });
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    q.addRateLimited('k');
    let waited = 0;
    while (q.length === 0) {
      clock.advance(1);
      waited++;
    }
    delays.push(waited);
    await q.get();
    q.done('k');
  }
  assert.deepEqual(delays, [10, 20, 35, 35]);
  assert.equal(q.numRequeues('k'), 4);
  q.forget('k');
  assert.equal(q.numRequeues('k'), 0);
});

test('addAfter keeps the earliest of several delayed adds', () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addAfter('k', 1000);
  q.addAfter('k', 100);
  q.addAfter('k', 500);
  clock.advance(99);
  assert.equal(q.length, 0);
  clock.advance(1);
  assert.equal(q.length, 1);
  assert.equal(clock.pendingTimers, 0);
});

test('shutting down releases waiting workers and drops delayed adds', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  const pending = q.get();
  q.addAfter('k', 10);
  q.shutDown();
  assert.equal(await pending, undefined);
  clock.advance(100);
  assert.equal(q.length, 0);
  q.add('z');
  assert.equal(await q.get(), undefined);
});
