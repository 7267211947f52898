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
}

/**
 * Fires `op(seq)` at `perSecond` for `seconds`. Latency counts from the scheduled time, not
 * the actual send, so a stall (in the server or this process) shows up in the figures
 * instead of silently lowering the offered rate.
 */
export async function openLoop(perSecond: number, seconds: number, op: (seq: number) => Promise<void>): Promise<OpenLoopResult> {
  const result: OpenLoopResult = { latenciesMs: [], failed: 0 };
  const total = Math.round(perSecond * seconds);
  const intervalMs = 1000 / perSecond;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const fire = (seq: number, scheduled: number) =>
    op(seq).then(
      () => void result.latenciesMs.push(performance.now() - scheduled),
      (err: unknown) => {
        result.failed++;
        result.firstError ??= (err as Error).message;
      },
    );
  for (let seq = 0; seq < total; ) {
    const now = performance.now();
    for (; seq < total && start + seq * intervalMs <= now; seq++) inFlight.push(fire(seq, start + seq * intervalMs));
    await sleep(1);
  }
  await Promise.all(inFlight);
  return result;
}
