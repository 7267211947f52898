import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchedulingQueue } from './queue.js';
import { FakeClock, pod } from './testing.js';

function setup() {
  const clock = new FakeClock();
  let wakeups = 0;
  const queue = new SchedulingQueue(clock.nowMs, clock, () => wakeups++);
  return { clock, queue, wakeups: () => wakeups };
}

test('SchedulingQueue: backoff doubles from 1s to at most 10s', () => {
  const { queue } = setup();
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => queue.backoffMs(a)), [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('SchedulingQueue: higher priority first, then the oldest', () => {
  const { clock, queue } = setup();
  queue.add(pod('old'));
  clock.advance(10);
  queue.add(pod('urgent', { priority: 1000 }));
  clock.advance(10);
  queue.add(pod('new'));
  assert.deepEqual([queue.pop(), queue.pop(), queue.pop(), queue.pop()].map((qp) => qp?.pod.metadata.name), ['urgent', 'old', 'new', undefined]);
});

test('SchedulingQueue: an unschedulable pod waits for a cluster change, then for its backoff', () => {
  const { clock, queue } = setup();
  queue.add(pod('p'));
  const qp = queue.pop()!;
  queue.unschedulableFailed(qp);
  clock.advance(60_000);
  assert.equal(queue.activeCount, 0, 'no change, no retry');
  queue.moveAll();
  assert.equal(queue.activeCount, 1, 'backoff (1s) long over');
  const again = queue.pop()!;
  assert.equal(again.attempts, 2);
  queue.unschedulableFailed(again);
  queue.moveAll();
  assert.equal(queue.activeCount, 0, 'still backing off (2s)');
  clock.advance(1999);
  assert.equal(queue.activeCount, 0);
  clock.advance(1);
  assert.equal(queue.activeCount, 1);
});

test('SchedulingQueue: a change during the attempt sends the pod to backoff, not to wait', () => {
  const { clock, queue } = setup();
  queue.add(pod('p'));
  const qp = queue.pop()!;
  queue.moveAll();
  queue.unschedulableFailed(qp);
  clock.advance(1000);
  assert.equal(queue.activeCount, 1);
});

test('SchedulingQueue: errors retry after the backoff alone', () => {
  const { clock, queue } = setup();
  queue.add(pod('p'));
  queue.errorFailed(queue.pop()!);
  clock.advance(999);
  assert.equal(queue.activeCount, 0);
  clock.advance(1);
  assert.equal(queue.activeCount, 1);
});

test('SchedulingQueue: an unschedulable pod is retried after five minutes without any change', () => {
  const { clock, queue } = setup();
  queue.add(pod('p'));
  queue.unschedulableFailed(queue.pop()!);
  clock.advance(5 * 60_000 - 1);
  assert.equal(queue.activeCount, 0);
  clock.advance(1);
  assert.equal(queue.activeCount, 1);
});

test('SchedulingQueue: moveAll can be limited to some pods', () => {
  const { clock, queue } = setup();
  queue.add(pod('plain'));
  queue.add(pod('picky', { affinity: { podAffinity: {} } }));
  queue.unschedulableFailed(queue.pop()!);
  queue.unschedulableFailed(queue.pop()!);
  clock.advance(2000);
  queue.moveAll((p) => !!p.spec.affinity);
  assert.deepEqual(queue.pop()?.pod.metadata.name, 'picky');
  assert.equal(queue.pop(), undefined);
});

test('SchedulingQueue: a waiting pod whose spec changed is retried; a status change is not enough', () => {
  const { clock, queue } = setup();
  queue.add(pod('p'));
  queue.unschedulableFailed(queue.pop()!);
  clock.advance(2000);
  queue.add({ ...pod('p'), status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } });
  assert.equal(queue.activeCount, 0);
  queue.add(pod('p', { tolerations: [{ operator: 'Exists' }] }));
  assert.equal(queue.activeCount, 1);
  assert.deepEqual(queue.pop()?.pod.spec.tolerations, [{ operator: 'Exists' }]);
});

test('SchedulingQueue: deleted pods leave every queue and their timers', () => {
  const { clock, queue } = setup();
  queue.add(pod('p'));
  queue.errorFailed(queue.pop()!);
  queue.delete('default/p');
  assert.equal(clock.pendingTimers, 0);
  clock.advance(10_000);
  assert.equal(queue.pop(), undefined);
});

test('SchedulingQueue: adding wakes the scheduler; updates in flight change the object only', () => {
  const { queue, wakeups } = setup();
  queue.add(pod('p'));
  assert.equal(wakeups(), 1);
  const qp = queue.pop()!;
  queue.add(pod('p', { labels: { v: '2' } }));
  assert.equal(queue.activeCount, 0);
  assert.deepEqual(qp.pod.metadata.labels, { v: '2' });
});
