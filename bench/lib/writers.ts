// Closed-loop write load spread over worker threads. One Node thread cannot drive some
// servers to saturation (the gRPC client behind the etcd baseline costs more CPU per put than
// etcd spends serving it), so a single-threaded load generator would measure itself. Both
// sides of a comparison get the same pool shape: the same threads, clients and rounds.
import { Worker } from 'node:worker_threads';
import type { ClosedLoopResult } from './load.js';

/** Where the writes go; everything a worker needs to build its own clients. */
export type WriteTarget =
  | { kind: 'etcd'; endpoint: string; keyPrefix: string }
  | { kind: 'unyo'; server: string; ca: string; token: string; namespace: string };

export interface WriterSetup {
  target: WriteTarget;
  /** This worker's share of the clients; each has its own connection. */
  clients: number;
  /** Offset of this worker's first client, so names stay unique across workers. */
  firstClient: number;
  value: string;
}

export type WriterRequest = { run: { seconds: number; tag: string } } | { close: true };
export type WriterReply = { ready: true } | { result: ClosedLoopResult } | { error: string };

export class WriterPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(target: WriteTarget, threads: number, clients: number, value: string): Promise<WriterPool> {
    const workers: Worker[] = [];
    const pool = new WriterPool(workers);
    try {
      let first = 0;
      for (let t = 0; t < threads; t++) {
        // 64 clients over 3 threads: 22, 21, 21.
        const share = Math.floor(clients / threads) + (t < clients % threads ? 1 : 0);
        const setup: WriterSetup = { target, clients: share, firstClient: first, value };
        first += share;
        workers.push(new Worker(new URL('./writer.js', import.meta.url), { workerData: setup }));
      }
      await Promise.all(workers.map((w) => reply(w)));
      return pool;
    } catch (err) {
      await pool.close();
      throw err;
    }
  }

  /** One closed-loop round on every thread at once; the rate is total writes over the longest thread's time. */
  async run(seconds: number, tag: string): Promise<ClosedLoopResult> {
    const results = await Promise.all(
      this.workers.map(async (w) => {
        const answer = reply(w);
        w.postMessage({ run: { seconds, tag } } satisfies WriterRequest);
        const r = await answer;
        if (!('result' in r)) throw new Error('writer thread answered without a result');
        return r.result;
      }),
    );
    return {
      ok: results.reduce((a, r) => a + r.ok, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      seconds: Math.max(...results.map((r) => r.seconds)),
      firstError: results.find((r) => r.firstError)?.firstError,
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        w.postMessage({ close: true } satisfies WriterRequest);
        const exited = new Promise<void>((r) => w.once('exit', () => r()));
        const timer = setTimeout(() => void w.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** The worker's next message, rejecting on an error it reports or on its death. */
function reply(w: Worker): Promise<WriterReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: WriterReply) => {
      cleanup();
      if ('error' in m) reject(new Error(m.error));
      else resolve(m);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`writer thread exited (code ${code})`));
    };
    const cleanup = () => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}
