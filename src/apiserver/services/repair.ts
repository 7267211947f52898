// Keeps the claims of cluster IPs and node ports true to the Services that exist, as
// upstream's repair controllers do: a deleted Service's values are freed when its deletion is
// seen (whichever path deleted it: a DELETE, the last finalizer, its namespace going away), a
// Service whose values have no claim (data from before claims, a restored backup) gets them,
// and a claim whose owner never appeared (a create that failed after allocating) is freed once
// it is old enough that no create can still be in flight for it.
import type { KubeObject } from '../../api/types.js';
import { storagePrefix } from '../../api/resources.js';
import type { Store, WatchEvent } from '../../store/store.js';
import type { WatchCache } from '../watchcache.js';
import { clusterIPsOf, nodePortsOf, type ServiceAllocations } from './allocations.js';
import type { ClaimAllocator } from './allocator.js';

const servicesPrefix = storagePrefix('', 'services');
/** A claim without a Service is freed when older than this (upstream waits for several repair passes). */
const orphanAgeMs = 60_000;

export class ServiceAllocationRepair {
  private cancel?: () => void;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly cache: WatchCache,
    private readonly allocations: ServiceAllocations,
    private readonly now: () => Date,
    private readonly intervalMs = 60_000,
  ) {}

  async start(): Promise<void> {
    this.subscribe();
    await this.repair().catch((err) => console.error(`service allocation repair: ${(err as Error).message}`));
    this.timer = setInterval(() => void this.repair().catch((err) => console.error(`service allocation repair: ${(err as Error).message}`)), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    clearInterval(this.timer);
  }

  private subscribe(): void {
    if (this.stopped) return;
    // The cache drops its subscribers when it loses the store watch: subscribe again, and let a
    // repair pass catch what was deleted meanwhile.
    const sub = this.cache.subscribe({ prefix: servicesPrefix, deliver: (events) => this.onEvents(events), fail: () => setTimeout(() => this.subscribe(), 1000).unref() }, this.cache.revision);
    this.cancel = sub?.cancel;
  }

  private onEvents(events: WatchEvent[]): void {
    for (const e of events) {
      if (e.type !== 'DELETE') continue;
      const value = e.kv.value || e.prevKv?.value;
      if (!value) continue;
      void this.allocations.release(JSON.parse(value) as KubeObject).catch(() => undefined);
    }
  }

  /** One pass: claim what Services hold, free what no Service holds. */
  async repair(): Promise<void> {
    const services = (await this.store.list(servicesPrefix)).items.map((kv) => JSON.parse(kv.value) as KubeObject);
    const ipOwners = new Map<string, string>();
    const portOwners = new Map<string, string>();
    for (const svc of services) {
      const owner = { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '' };
      for (const ip of clusterIPsOf(svc)) {
        ipOwners.set(ip, owner.uid);
        if (!(await this.allocations.ips.adopt(ip, owner))) console.error(`service allocation repair: cluster IP ${ip} of ${owner.namespace}/${owner.name} is claimed by another Service`);
      }
      for (const port of nodePortsOf(svc)) {
        portOwners.set(String(port), owner.uid);
        if (!(await this.allocations.ports.adopt(String(port), owner))) console.error(`service allocation repair: node port ${port} of ${owner.namespace}/${owner.name} is claimed by another Service`);
      }
    }
    await this.freeOrphans(this.allocations.ips, ipOwners);
    await this.freeOrphans(this.allocations.ports, portOwners);
  }

  private async freeOrphans(allocator: ClaimAllocator, owners: Map<string, string>): Promise<void> {
    const now = this.now().getTime();
    for (const [value, claim] of await allocator.claims()) {
      if (owners.get(value) === claim.owner.uid) continue;
      if (now - Date.parse(claim.createdAt) < orphanAgeMs) continue;
      await allocator.drop(value, claim.modRevision);
    }
  }
}
