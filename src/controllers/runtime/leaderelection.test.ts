import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { LeaderElector } from './leaderelection.js';
import { FakeClock } from './clock.js';
import { waitFor } from './testing.js';

let api: TestApiServer;
before(async () => {
  api = await startTestApiServer();
});
after(async () => {
  await api.stop();
});

const leaseRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace: 'kube-system' };
const timers = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 };

function candidate(name: string, identity: string, clock: FakeClock) {
  const state = { leading: false, lost: false, leaders: [] as string[] };
  const elector = new LeaderElector(api.client, {
    namespace: 'kube-system',
    name,
    identity,
    ...timers,
    clock,
    onStartedLeading: () => (state.leading = true),
    onStoppedLeading: () => ((state.lost = true), (state.leading = false)),
    onNewLeader: (id) => state.leaders.push(id),
  });
  return { elector, state };
}

test('one candidate leads; a standby takes over at once when the leader releases the lease', async () => {
  const clock = new FakeClock();
  const a = candidate('release', 'a', clock);
  const b = candidate('release', 'b', clock);
  a.elector.start();
  await waitFor('a to lead', () => a.state.leading);
  b.elector.start();
  await waitFor('b to see a', () => b.state.leaders.includes('a'));
  assert.equal(b.state.leading, false);
  await a.elector.stop();
  clock.advance(timers.retryPeriodMs);
  await waitFor('b to lead', () => b.state.leading);
  const lease: any = await api.client.get(leaseRef, 'release');
  assert.equal(lease.spec.holderIdentity, 'b');
  assert.equal(lease.spec.leaseTransitions, 1);
  await b.elector.stop();
});

test('a standby takes over a lease nobody renews only after a whole lease duration', async () => {
  const clockA = new FakeClock();
  const clockB = new FakeClock();
  const a = candidate('expire', 'a', clockA);
  const b = candidate('expire', 'b', clockB);
  a.elector.start();
  await waitFor('a to lead', () => a.state.leading);
  // a now stops renewing (its clock never moves again), as a crashed process would.
  b.elector.start();
  await waitFor('b to see a', () => b.state.leaders.includes('a'));
  // Each step waits for b's attempt to finish (its next attempt is scheduled) before time moves on.
  const step = async () => {
    await waitFor('b to schedule its next attempt', () => clockB.pendingTimers === 1);
    clockB.advance(timers.retryPeriodMs);
  };
  for (let t = timers.retryPeriodMs; t < timers.leaseDurationMs; t += timers.retryPeriodMs) {
    await step();
    await waitFor('b to schedule its next attempt', () => clockB.pendingTimers === 1);
    assert.equal(b.state.leading, false, `b must not lead ${t} ms after it first saw the record`);
  }
  await step();
  await waitFor('b to lead', () => b.state.leading);
  await b.elector.stop();
});

test('a leader that cannot renew within the renew deadline stops leading', async () => {
  const clock = new FakeClock();
  const a = candidate('steal', 'a', clock);
  a.elector.start();
  await waitFor('a to lead', () => a.state.leading);
  const lease: any = await api.client.get(leaseRef, 'steal');
  await api.client.update(leaseRef, { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } });
  for (let i = 0; i < 6 && !a.state.lost; i++) {
    await waitFor('a to schedule its next attempt', () => clock.pendingTimers === 1 || a.state.lost);
    if (!a.state.lost) clock.advance(timers.retryPeriodMs);
  }
  await waitFor('a to give up', () => a.state.lost);
  assert.equal(a.state.leading, false);
});
