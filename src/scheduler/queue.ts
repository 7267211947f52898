// The scheduling queue, after upstream's: pending pods wait in the active queue (highest priority
// first, then oldest); a pod no node fits waits as unschedulable until the cluster changes, and
// then sits out the rest of its backoff (1s, doubling per attempt, at most 10s) before it is tried
// again; a pod that failed on an error only sits out its backoff. A pod left unschedulable for
// five minutes with no relevant change is tried again anyway. Time comes from an injected clock.
import type { Pod } from './types.js';
import { podKey, podPriority } from './types.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  unschedulableTimeoutMs?: number;
}

export interface QueuedPod {
  key: string;
  pod: Pod;
  /** Scheduling attempts so far, counting the one in progress. */
  attempts: number;
  /** When the pod first entered the queue (ms); older pods go first among equal priorities. */
  enqueuedAt: number;
  /** The scheduling cycle of the latest attempt. */
  cycle: number;
  backoffUntil: number;
  unschedulableSince: number;
}

/** The parts of a pod whose change may make it schedulable: not its status, nor bookkeeping. */
function schedulingRelevant(pod: Pod): string {
  const { resourceVersion, managedFields, generation, ...metadata } = pod.metadata;
  return JSON.stringify({ metadata, spec: pod.spec });
}

export class SchedulingQueue {
  private readonly active = new Map<string, QueuedPod>();
  private readonly backoff = new Map<string, QueuedPod>();
  private readonly unschedulable = new Map<string, QueuedPod>();
  private readonly inFlight = new Map<string, QueuedPod>();
  private schedulingCycle = 0;
  /** The cycle at which the cluster last changed: a pod whose attempt started before it has not seen the change. */
  private moveRequestCycle = -1;
  private timer: unknown;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableTimeoutMs: number;

  constructor(private readonly now: () => number, private readonly timers: Timers, private readonly onActive: () => void, opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = opts.unschedulableTimeoutMs ?? 5 * 60_000;
  }

  /** Backoff after the given number of attempts: 1s, 2s, 4s, 8s, then 10s. */
  backoffMs(attempts: number): number {
    let ms = this.initialBackoffMs;
    for (let i = 1; i < attempts && ms < this.maxBackoffMs; i++) ms *= 2;
    return Math.min(ms, this.maxBackoffMs);
  }

  get activeCount(): number {
    return this.active.size;
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key) || this.inFlight.has(key);
  }

  /** A pod waiting for a node appeared or changed. */
  add(pod: Pod): void {
    const key = podKey(pod);
    for (const map of [this.active, this.backoff, this.inFlight]) {
      const qp = map.get(key);
      if (qp) {
        qp.pod = pod;
        return;
      }
    }
    const parked = this.unschedulable.get(key);
    if (parked) {
      const changed = schedulingRelevant(parked.pod) !== schedulingRelevant(pod);
      parked.pod = pod;
      if (changed) this.release(parked);
      return;
    }
    const now = this.now();
    this.active.set(key, { key, pod, attempts: 0, enqueuedAt: now, cycle: 0, backoffUntil: 0, unschedulableSince: 0 });
    this.onActive();
  }

  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
    this.arm();
  }

  /** The next pod to schedule, now in flight. */
  pop(): QueuedPod | undefined {
    let best: QueuedPod | undefined;
    for (const qp of this.active.values()) {
      if (!best) best = qp;
      else {
        const a = podPriority(qp.pod);
        const b = podPriority(best.pod);
        if (a > b || (a === b && qp.enqueuedAt < best.enqueuedAt)) best = qp;
      }
    }
    if (!best) return undefined;
    this.active.delete(best.key);
    best.attempts++;
    best.cycle = ++this.schedulingCycle;
    this.inFlight.set(best.key, best);
    return best;
  }

  /** The attempt ended with the pod bound or assumed, or the pod is gone. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * No node fits. The pod waits for a cluster change — unless one already happened while it was
   * being scheduled, in which case it only sits out its backoff.
   */
  unschedulableFailed(qp: QueuedPod): void {
    if (!this.inFlight.delete(qp.key)) return;
    const now = this.now();
    qp.backoffUntil = now + this.backoffMs(qp.attempts);
    if (this.moveRequestCycle >= qp.cycle) this.backoff.set(qp.key, qp);
    else {
      qp.unschedulableSince = now;
      this.unschedulable.set(qp.key, qp);
    }
    this.arm();
  }

  /** An error (not a verdict): try again after the backoff. */
  errorFailed(qp: QueuedPod): void {
    if (!this.inFlight.delete(qp.key)) return;
    qp.backoffUntil = this.now() + this.backoffMs(qp.attempts);
    this.backoff.set(qp.key, qp);
    this.arm();
  }

  /** The cluster changed: unschedulable pods (those the filter accepts) are tried again once their backoff is over. */
  moveAll(filter: (pod: Pod) => boolean = () => true): void {
    this.moveRequestCycle = this.schedulingCycle;
    for (const qp of [...this.unschedulable.values()]) if (filter(qp.pod)) this.release(qp);
  }

  close(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private release(qp: QueuedPod): void {
    this.unschedulable.delete(qp.key);
    if (qp.backoffUntil > this.now()) this.backoff.set(qp.key, qp);
    else this.activate(qp);
    this.arm();
  }

  private activate(qp: QueuedPod): void {
    this.backoff.delete(qp.key);
    this.unschedulable.delete(qp.key);
    this.active.set(qp.key, qp);
    this.onActive();
  }

  /** One timer, for the earliest moment a waiting pod becomes due. */
  private arm(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    let due = Infinity;
    for (const qp of this.backoff.values()) due = Math.min(due, qp.backoffUntil);
    for (const qp of this.unschedulable.values()) due = Math.min(due, qp.unschedulableSince + this.unschedulableTimeoutMs);
    if (due === Infinity) return;
    this.timer = this.timers.setTimeout(() => this.flush(), Math.max(0, due - this.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const now = this.now();
    for (const qp of [...this.backoff.values()]) if (qp.backoffUntil <= now) this.activate(qp);
    for (const qp of [...this.unschedulable.values()]) if (qp.unschedulableSince + this.unschedulableTimeoutMs <= now) this.activate(qp);
    this.arm();
  }
}
