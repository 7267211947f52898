// The reconcile contract every unyo controller follows (after controller-runtime): a request
// names an object by key ("namespace/name"), never what happened to it, and the reconciler
// makes the world match the object's spec as it is now (level-based). An ordinary error is
// retried with per-key backoff; a TerminalError is logged and not retried; a result may ask
// to be called again after a delay (for timers such as minReadySeconds).
import { ApiError } from '../../api/errors.js';
import { systemClock, type Clock } from './clock.js';
import { WorkQueue } from './workqueue.js';

export interface Result {
  /** Reconcile this key again after so many milliseconds (even if nothing changes). */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<Result | void>;

/** An error that retrying cannot fix (the object is invalid, say): logged, not retried. */
export class TerminalError extends Error {}

export interface ControllerOptions {
  /** Keys reconciled at once (upstream: 5 for most workload controllers). */
  workers?: number;
  clock?: Clock;
  log?: (line: string) => void;
}

export class Controller {
  readonly queue: WorkQueue;
  private readonly workers: number;
  private readonly log: (line: string) => void;
  private running: Promise<void>[] = [];

  constructor(readonly name: string, private readonly reconcile: Reconcile, opts: ControllerOptions = {}) {
    this.queue = new WorkQueue({ clock: opts.clock ?? systemClock });
    this.workers = opts.workers ?? 5;
    this.log = opts.log ?? ((line) => console.error(line));
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  start(): void {
    for (let i = 0; i < this.workers; i++) this.running.push(this.work());
  }

  /** Stop taking keys and wait for the reconciles in progress. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.running);
  }

  /** Reconcile one key now, outside the queue; what tests use to step a controller. */
  async reconcileNow(key: string): Promise<Result | void> {
    return this.reconcile(key);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const result = await this.reconcile(key);
        this.queue.forget(key);
        if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        if (err instanceof TerminalError) {
          this.queue.forget(key);
          this.log(`${this.name}: ${key}: ${err.message}`);
        } else {
          // Conflicts are the normal price of optimistic concurrency: retry quietly.
          if (!(err instanceof ApiError && err.code === 409)) this.log(`${this.name}: ${key}: ${(err as Error).message} (retrying)`);
          this.queue.addRateLimited(key);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }
}
