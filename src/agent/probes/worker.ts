// Periodic probing of a running container, as the kubelet's probe workers do it: one worker per
// container and probe type, thresholds before a result counts, liveness and readiness held back
// until the startup probe has succeeded. Workers report transitions; what to do about them
// (restart the container, flip Ready) is the pod worker's business.
import { runProbe, type ContainerPort, type Probe, type ProbeResult, type ProbeTarget, type Timers } from './probe.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export interface Clock extends Timers {
  now(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type OnResult = (type: ProbeType, healthy: boolean, message: string) => void;
export type OnProbe = (type: ProbeType, result: ProbeResult) => void;

export interface ProbeWorkerOptions {
  type: ProbeType;
  probe: Probe;
  target: ProbeTarget;
  /** Called when the probe's state changes: after failureThreshold failures or successThreshold successes in a row. */
  onResult: OnResult;
  /** Called after every probe run, for events: upstream records "probe failed" on each failure, not only on transitions. */
  onProbe?: OnProbe;
  /** Liveness and readiness probes wait while this returns false (the startup probe has not succeeded yet). */
  started?: () => boolean;
  /** When the container started, in clock milliseconds; initialDelaySeconds counts from here. Default: now. */
  startedAt?: number;
  clock?: Clock;
}

/** Upstream's defaults for the fields a Probe may leave out. */
const DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, initialDelaySeconds: 0 };

export class ProbeWorker {
  readonly type: ProbeType;
  private readonly clock: Clock;
  private readonly startedAt: number;
  private readonly periodMs: number;
  private readonly timeoutMs: number;
  private readonly initialDelayMs: number;
  private readonly successThreshold: number;
  private readonly failureThreshold: number;
  private state: boolean | undefined;
  private lastResult?: ProbeResult['result'];
  /** How many probes in a row gave lastResult. */
  private resultRun = 0;
  private timer: unknown;
  private running = false;
  private stopped = true;
  /** A failed liveness probe, or a startup probe that reached a verdict: nothing more to probe for this container. */
  private onHold = false;

  constructor(private readonly opts: ProbeWorkerOptions) {
    const p = opts.probe;
    this.type = opts.type;
    this.clock = opts.clock ?? systemClock;
    this.startedAt = opts.startedAt ?? this.clock.now();
    this.periodMs = 1000 * (p.periodSeconds || DEFAULTS.periodSeconds);
    this.timeoutMs = 1000 * (p.timeoutSeconds || DEFAULTS.timeoutSeconds);
    this.initialDelayMs = 1000 * (p.initialDelaySeconds || DEFAULTS.initialDelaySeconds);
    this.successThreshold = p.successThreshold || DEFAULTS.successThreshold;
    this.failureThreshold = p.failureThreshold || DEFAULTS.failureThreshold;
    // Upstream's initial values: not ready until proven, alive until proven otherwise, startup unknown.
    this.state = opts.type === 'readiness' ? false : opts.type === 'liveness' ? true : undefined;
  }

  /** The current verdict: undefined while a startup probe has not decided yet. */
  get healthy(): boolean | undefined {
    return this.state;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Probe now rather than at the next period (done for readiness as soon as the container has started). */
  trigger(): void {
    if (this.stopped || this.onHold || this.running) return;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.onHold) return;
    const now = this.clock.now();
    const delayLeft = this.startedAt + this.initialDelayMs - now;
    if (delayLeft > 0) return this.schedule(delayLeft);
    if (this.type !== 'startup' && this.opts.started && !this.opts.started()) return this.schedule(this.periodMs);

    this.running = true;
    let result: ProbeResult;
    try {
      result = await runProbe(this.opts.probe, this.opts.target, this.timeoutMs, this.clock);
    } catch (err) {
      result = { result: 'Failure', message: (err as Error).message, errored: true };
    }
    this.running = false;
    if (this.stopped) return;
    this.opts.onProbe?.(this.type, result);
    // A probe that could not run says nothing about the container: upstream throws it away.
    if (!result.errored) this.record(result);
    if (!this.stopped && !this.onHold) this.schedule(Math.max(0, now + this.periodMs - this.clock.now()));
  }

  private record(r: ProbeResult): void {
    if (r.result === this.lastResult) this.resultRun++;
    else {
      this.lastResult = r.result;
      this.resultRun = 1;
    }
    const healthy = r.result === 'Success';
    if (this.resultRun < (healthy ? this.successThreshold : this.failureThreshold)) return;
    if ((this.type === 'liveness' && !healthy) || this.type === 'startup') {
      // The container is restarted (or has started): a new container gets new workers.
      this.onHold = true;
      this.resultRun = 0;
    }
    if (healthy === this.state) return;
    this.state = healthy;
    this.opts.onResult(this.type, healthy, r.message);
  }
}

/** The probe fields of a v1 Container. */
export interface ProbedContainer {
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  ports?: ContainerPort[];
}

export interface ContainerProbesOptions {
  onResult: OnResult;
  onProbe?: OnProbe;
  startedAt?: number;
  clock?: Clock;
}

/** The workers of one running container, with liveness and readiness waiting for startup. */
export class ContainerProbes {
  private readonly workers = new Map<ProbeType, ProbeWorker>();

  constructor(container: ProbedContainer, target: Omit<ProbeTarget, 'ports'>, opts: ContainerProbesOptions) {
    const probes: Array<[ProbeType, Probe | undefined]> = [
      ['startup', container.startupProbe],
      ['liveness', container.livenessProbe],
      ['readiness', container.readinessProbe],
    ];
    for (const [type, probe] of probes) {
      if (!probe) continue;
      const worker = new ProbeWorker({
        type,
        probe,
        target: { ...target, ports: container.ports },
        startedAt: opts.startedAt,
        clock: opts.clock,
        onProbe: opts.onProbe,
        started: () => this.started,
        onResult: (t, healthy, message) => {
          opts.onResult(t, healthy, message);
          if (t === 'startup' && healthy) {
            this.workers.get('liveness')?.trigger();
            this.workers.get('readiness')?.trigger();
          }
        },
      });
      this.workers.set(type, worker);
    }
  }

  /** Started: there is no startup probe, or it has succeeded. */
  get started(): boolean {
    const startup = this.workers.get('startup');
    return !startup || startup.healthy === true;
  }

  /** Ready: started, and the readiness probe (if any) passes. */
  get ready(): boolean {
    const readiness = this.workers.get('readiness');
    return this.started && (!readiness || readiness.healthy === true);
  }

  start(): void {
    for (const w of this.workers.values()) w.start();
  }

  stop(): void {
    for (const w of this.workers.values()) w.stop();
  }
}
