// Leader election through a coordination.k8s.io Lease, as client-go's leaderelection: the
// holder renews the Lease every retry period; a candidate takes it over once it has seen the
// same record unchanged for a whole lease duration (measured on its own clock, so clocks of
// different machines need not agree). A leader that cannot renew within the renew deadline
// stops leading, and the controller manager exits so it cannot act alongside a new leader.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { ApiClient } from '../../client/client.js';
import { systemClock, type Clock } from './clock.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  /** How long a lease is good for without renewal (upstream 15 s). */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it gives up (upstream 10 s). */
  renewDeadlineMs: number;
  /** How often to try to acquire or renew (upstream 2 s). */
  retryPeriodMs: number;
  clock?: Clock;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/**
 * A candidate's identity: the machine's name, as upstream, plus the process id, so a drill
 * can tell which of several processes on one machine holds the Lease.
 */
export function leaderIdentity(): string {
  return `${hostname()}_${process.pid}_${randomUUID().slice(0, 8)}`;
}

const leasesRef = (namespace: string) => ({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace });
const microTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

export class LeaderElector {
  private readonly clock: Clock;
  private leading = false;
  private stopped = false;
  private timer: unknown;
  /** The last record seen and when (on our clock) it last changed. */
  private observed?: { spec: string; at: number };
  private lastRenew = 0;
  private lastLeader?: string;

  constructor(private readonly client: ApiClient, private readonly opts: LeaderElectionOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stop, and hand the lease back if we hold it so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.client.get<KubeObject & { spec: LeaseSpec }>(leasesRef(this.opts.namespace), this.opts.name);
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      const now = microTime(this.clock.now());
      await this.client.update(leasesRef(this.opts.namespace), { ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: now, acquireTime: now } } as KubeObject);
    } catch {
      // Best effort: the lease expires on its own.
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.tick(), this.opts.retryPeriodMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let held = false;
    try {
      held = await this.tryAcquireOrRenew();
    } catch {
      held = false;
    }
    if (this.stopped) return;
    const now = this.clock.now();
    if (held) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.opts.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew > this.opts.renewDeadlineMs) {
      this.leading = false;
      this.stopped = true;
      this.opts.onStoppedLeading();
      return;
    }
    this.schedule();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const ref = leasesRef(this.opts.namespace);
    const now = this.clock.now();
    const mine: LeaseSpec = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.opts.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let lease: KubeObject & { spec?: LeaseSpec };
    try {
      lease = await this.client.get(ref, this.opts.name);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      await this.client.create(ref, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.opts.name, namespace: this.opts.namespace }, spec: mine } as KubeObject);
      this.observed = { spec: JSON.stringify(mine), at: now };
      this.noteLeader(this.opts.identity);
      return true;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify(spec);
    if (this.observed?.spec !== record) this.observed = { spec: record, at: now };
    const holder = spec.holderIdentity;
    if (holder) this.noteLeader(holder);
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder && holder !== this.opts.identity && this.observed.at + durationMs > now) return false;
    const next: LeaseSpec =
      holder === this.opts.identity
        ? { ...spec, renewTime: mine.renewTime, leaseDurationSeconds: mine.leaseDurationSeconds }
        : { ...mine, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
    // The update carries the resourceVersion we read: if another candidate won the race, ours fails with 409.
    await this.client.update(ref, { ...lease, spec: next } as KubeObject);
    this.observed = { spec: JSON.stringify(next), at: now };
    this.noteLeader(this.opts.identity);
    return true;
  }

  private noteLeader(identity: string): void {
    if (identity === this.lastLeader) return;
    this.lastLeader = identity;
    this.opts.onNewLeader?.(identity);
  }
}
