// Load shapes shared by the benchmarks: closed loop (N clients, each sending its next
// request when the previous one answers) for throughput, open loop (requests fired on a
// fixed schedule whatever the answers) for latency.
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

export interface ClosedLoopResult {
  ok: number;
  failed: number;
  seconds: number;
  firstError?: string;
}

/**
 * `clients` workers call `op(client, seq)` back to back until `seconds` have passed; the
 * rate is completed operations over the time until the last in-flight one answered.
 */
export async function closedLoop(clients: number, seconds: number, op: (client: number, seq: number) => Promise<void>): Promise<ClosedLoopResult> {
  const result: ClosedLoopResult = { ok: 0, failed: 0, seconds: 0 };
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async (client: number) => {
    for (let seq = 0; performance.now() < deadline; seq++) {
      try {
        await op(client, seq);
        result.ok++;
      } catch (err) {
        result.failed++;
        result.firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => worker(i)));
  result.seconds = (performance.now() - start) / 1000;
  return result;
}

export interface OpenLoopResult {
  /** Milliseconds from each request's scheduled send time to its answer. */
  latenciesMs: number[];
  failed: number;
  firstError?: string;
  /** Requests never sent because the backlog hit its limit: the rate was not sustained. */
  unsent: number;
  /** Requests still unanswered after the drain time; their age then is in latenciesMs as a lower bound. */
  unanswered: number;
}

export interface OpenLoopLimits {
  /** Stop sending once this many requests are waiting for answers. */
  maxInFlight: number;
  /** How long to wait for the last answers after the schedule ends. */
  drainSeconds: number;
}

/**
 * Fires `op(seq)` at `perSecond` for `seconds`. Latency counts from the scheduled time, not
 * the actual send, so a stall (in the server or this process) shows up in the figures
 * instead of silently lowering the offered rate. A server that cannot keep up is not waited
 * for without bound: see OpenLoopLimits.
 */
export async function openLoop(perSecond: number, seconds: number, op: (seq: number) => Promise<void>, limits: OpenLoopLimits): Promise<OpenLoopResult> {
  const result: OpenLoopResult = { latenciesMs: [], failed: 0, unsent: 0, unanswered: 0 };
  const total = Math.round(perSecond * seconds);
  const intervalMs = 1000 / perSecond;
  const pending = new Set<number>();
  let settled: () => void = () => undefined;
  let over = false;
  const start = performance.now();
  const fire = (seq: number) => {
    const scheduled = start + seq * intervalMs;
    pending.add(scheduled);
    op(seq).then(
      () => {
        if (!over) result.latenciesMs.push(performance.now() - scheduled);
      },
      (err: unknown) => {
        if (over) return;
        result.failed++;
        result.firstError ??= (err as Error).message;
      },
    ).finally(() => {
      pending.delete(scheduled);
      if (pending.size === 0) settled();
    });
  };
  for (let seq = 0; seq < total; ) {
    if (pending.size >= limits.maxInFlight) {
      result.unsent = total - seq;
      break;
    }
    const now = performance.now();
    for (; seq < total && start + seq * intervalMs <= now && pending.size < limits.maxInFlight; seq++) fire(seq);
    await sleep(1);
  }
  if (pending.size > 0) {
    const drained = new Promise<void>((r) => (settled = r));
    await Promise.race([drained, sleep(limits.drainSeconds * 1000)]);
  }
  over = true;
  const end = performance.now();
  for (const scheduled of pending) result.latenciesMs.push(end - scheduled);
  result.unanswered = pending.size;
  return result;
}
