import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecOptions } from '../runtime/runtime.js';
import type { Probe, ProbeTarget } from './probe.js';
import { ContainerProbes, ProbeWorker, type Clock, type ProbeType } from './worker.js';

/** A clock whose time moves only when the test says so; due timers fire in order. */
class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => void this.timers.delete(id as number);

  /** Move time forward by ms, firing each due timer and letting its promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = [...this.timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
    await settle();
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

/** An exec runtime answering each call with the next exit code (the last one repeats); 'hang' never answers. */
function scriptedExec(codes: Array<number | 'hang' | 'error'>) {
  const calls: number[] = [];
  let i = 0;
  const runtime: ProbeTarget['runtime'] = {
    exec: async (_id: string, opts: ExecOptions) => {
      const code = codes[Math.min(i++, codes.length - 1)];
      calls.push(Date.now());
      if (code === 'hang') return new Promise<number>(() => undefined);
      if (code === 'error') throw new Error('container is not running');
      opts.stdout?.write(`exit ${code}`);
      return code;
    },
  };
  return { runtime, calls, count: () => i };
}

function worker(type: ProbeType, probe: Partial<Probe>, codes: Array<number | 'hang' | 'error'>, extra: { started?: () => boolean } = {}) {
  const clock = new FakeClock();
  const exec = scriptedExec(codes);
  const results: Array<[ProbeType, boolean, string]> = [];
  const w = new ProbeWorker({
    type,
    probe: { exec: { command: ['check'] }, ...probe },
    target: { podIP: '127.0.0.1', containerId: 'c1', runtime: exec.runtime },
    clock,
    onResult: (t, healthy, message) => results.push([t, healthy, message]),
    ...extra,
  });
  return { w, clock, exec, results };
}

test('worker: readiness starts false and turns true on the first success', async () => {
  const { w, clock, results } = worker('readiness', {}, [0]);
  assert.equal(w.healthy, false);
  w.start();
  await clock.advance(0);
  assert.deepEqual(results, [['readiness', true, 'exit 0']]);
  w.stop();
});

test('worker: periodSeconds defaults to 10', async () => {
  const { w, clock, exec } = worker('readiness', {}, [0]);
  w.start();
  await clock.advance(0);
  assert.equal(exec.count(), 1);
  await clock.advance(9_999);
  assert.equal(exec.count(), 1);
  await clock.advance(1);
  assert.equal(exec.count(), 2);
  await clock.advance(20_000);
  assert.equal(exec.count(), 4);
  w.stop();
});

test('worker: initialDelaySeconds holds the first probe back', async () => {
  const { w, clock, exec } = worker('liveness', { initialDelaySeconds: 15, periodSeconds: 5 }, [0]);
  w.start();
  await clock.advance(14_999);
  assert.equal(exec.count(), 0);
  await clock.advance(1);
  assert.equal(exec.count(), 1);
  await clock.advance(5_000);
  assert.equal(exec.count(), 2);
  w.stop();
});

test('worker: readiness needs successThreshold successes and failureThreshold failures in a row', async () => {
  const { w, clock, results } = worker('readiness', { periodSeconds: 1, successThreshold: 2, failureThreshold: 2 }, [0, 1, 0, 0, 1, 0, 1, 1, 0]);
  w.start();
  const states: Array<boolean | undefined> = [];
  for (let i = 0; i < 9; i++) {
    await clock.advance(i === 0 ? 0 : 1000);
    states.push(w.healthy);
  }
  // results: 0 1 0 0 1 0 1 1 0
  assert.deepEqual(states, [false, false, false, true, true, true, true, false, false]);
  assert.deepEqual(
    results.map(([, h]) => h),
    [true, false],
  );
  w.stop();
});

test('worker: liveness fails after failureThreshold (default 3) and then stops probing', async () => {
  const { w, clock, results, exec } = worker('liveness', { periodSeconds: 1 }, [0, 1, 1, 1]);
  assert.equal(w.healthy, true);
  w.start();
  await clock.advance(0);
  await clock.advance(3000);
  assert.deepEqual(results, [['liveness', false, 'exit 1']]);
  assert.equal(exec.count(), 4);
  await clock.advance(10_000);
  assert.equal(exec.count(), 4, 'no probes after the liveness verdict');
});

test('worker: timeoutSeconds (default 1) turns a hanging exec into a failure', async () => {
  const { w, clock, results } = worker('readiness', { periodSeconds: 5, failureThreshold: 1 }, [0, 'hang']);
  w.start();
  await clock.advance(0);
  assert.deepEqual(results, [['readiness', true, 'exit 0']]);
  await clock.advance(5_000);
  assert.equal(w.healthy, true, 'still waiting for the command');
  await clock.advance(1_000);
  assert.deepEqual(results[1], ['readiness', false, 'command "check" timed out']);
  w.stop();
});

test('worker: errored probes are thrown away', async () => {
  const { w, clock, results, exec } = worker('liveness', { periodSeconds: 1, failureThreshold: 1 }, ['error']);
  const seen: string[] = [];
  const w2 = new ProbeWorker({
    type: 'liveness',
    probe: { exec: { command: ['check'] }, periodSeconds: 1, failureThreshold: 1 },
    target: { podIP: '127.0.0.1', containerId: 'c1', runtime: exec.runtime },
    clock,
    onResult: () => assert.fail('no transition expected'),
    onProbe: (_t, r) => seen.push(r.message),
  });
  w.start();
  w2.start();
  await clock.advance(5_000);
  assert.deepEqual(results, []);
  assert.equal(w.healthy, true);
  assert.equal(seen.length, 6);
  assert.equal(seen[0], 'container is not running');
  w.stop();
  w2.stop();
});

test('worker: liveness and readiness wait while the container has not started', async () => {
  let started = false;
  const { w, clock, exec } = worker('readiness', { periodSeconds: 2 }, [0], { started: () => started });
  w.start();
  await clock.advance(10_000);
  assert.equal(exec.count(), 0);
  started = true;
  await clock.advance(2_000);
  assert.equal(exec.count(), 1);
  w.stop();
});

test('worker: stop cancels the next probe', async () => {
  const { w, clock, exec } = worker('readiness', { periodSeconds: 1 }, [0]);
  w.start();
  await clock.advance(0);
  w.stop();
  await clock.advance(10_000);
  assert.equal(exec.count(), 1);
});

/** Exec runtime that answers by command: each command has its own script of exit codes. */
function perCommand(scripts: Record<string, number[]>) {
  const counts: Record<string, number> = {};
  const runtime: ProbeTarget['runtime'] = {
    exec: async (_id, opts) => {
      const cmd = opts.command[0];
      const i = (counts[cmd] = (counts[cmd] ?? 0) + 1) - 1;
      const script = scripts[cmd];
      return script[Math.min(i, script.length - 1)];
    },
  };
  return { runtime, counts };
}

test('container probes: startup gates liveness and readiness, readiness runs as soon as it succeeds', async () => {
  const clock = new FakeClock();
  const { runtime, counts } = perCommand({ startup: [1, 1, 0], live: [0], ready: [0] });
  const events: string[] = [];
  const probes = new ContainerProbes(
    {
      startupProbe: { exec: { command: ['startup'] }, periodSeconds: 5, failureThreshold: 10 },
      livenessProbe: { exec: { command: ['live'] }, periodSeconds: 10 },
      readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 10 },
    },
    { podIP: '127.0.0.1', containerId: 'c1', runtime },
    { clock, onResult: (t, h) => events.push(`${t}=${h}@${clock.now()}`) },
  );
  probes.start();
  await clock.advance(9_999);
  assert.deepEqual({ ...counts }, { startup: 2 });
  assert.equal(probes.started, false);
  assert.equal(probes.ready, false);
  await clock.advance(1);
  assert.deepEqual(events, ['startup=true@10000', 'readiness=true@10000']);
  assert.equal(probes.started, true);
  assert.equal(probes.ready, true);
  await clock.advance(30_000);
  assert.equal(counts.startup, 3, 'the startup probe stops once it has succeeded');
  assert.equal(counts.ready, 4);
  assert.equal(counts.live, 4);
  probes.stop();
});

test('container probes: a failed startup probe is reported once', async () => {
  const clock = new FakeClock();
  const { runtime, counts } = perCommand({ startup: [1], ready: [0] });
  const events: string[] = [];
  const probes = new ContainerProbes(
    { startupProbe: { exec: { command: ['startup'] }, periodSeconds: 1, failureThreshold: 3 }, readinessProbe: { exec: { command: ['ready'] } } },
    { podIP: '127.0.0.1', containerId: 'c1', runtime },
    { clock, onResult: (t, h, m) => events.push(`${t}=${h}:${m}`) },
  );
  probes.start();
  await clock.advance(10_000);
  assert.deepEqual(events, ['startup=false:']);
  assert.deepEqual({ ...counts }, { startup: 3 });
  assert.equal(probes.ready, false);
  probes.stop();
});

test('container probes: without probes a container is started and ready', () => {
  const probes = new ContainerProbes({}, { podIP: '127.0.0.1', containerId: 'c1', runtime: { exec: async () => 0 } }, { onResult: () => undefined });
  assert.equal(probes.started, true);
  assert.equal(probes.ready, true);
});
