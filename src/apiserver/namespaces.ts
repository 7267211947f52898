// Namespace deletion inside the API server: a namespace being deleted keeps its `kubernetes`
// finalizer until every object in it is gone, then goes itself. Objects with finalizers get
// their deletionTimestamp and are waited for. The controller manager takes this over when it
// exists (issue 4); until then the API server does it so `kubectl delete namespace` finishes.
import type { Store, WatchEvent } from '../store/store.js';
import type { KubeObject } from '../api/types.js';
import { storagePrefix, storageKey } from '../api/resources.js';
import type { ResourceRegistry } from './registry.js';
import type { WatchCache } from './watchcache.js';

const prefix = storagePrefix('', 'namespaces');

export class NamespaceFinalizer {
  private cancel?: () => void;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly store: Store, private readonly registry: ResourceRegistry, private readonly cache: WatchCache, private readonly now: () => Date) {}

  async start(): Promise<void> {
    const page = await this.store.list(prefix);
    const sub = this.cache.subscribe({ prefix, deliver: (events: WatchEvent[]) => events.length && this.kick(), fail: () => undefined }, page.revision);
    this.cancel = sub?.cancel;
    this.kick();
  }

  stop(): void {
    this.cancel?.();
    clearTimeout(this.timer);
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.sweep()
      .catch((err) => console.error(`namespace deletion: ${(err as Error).message}`))
      .then((pending) => {
        this.running = false;
        // Objects with finalizers are waited for: look again shortly.
        if (pending) this.timer = setTimeout(() => this.kick(), 1000).unref();
      });
  }

  /** One pass over every terminating namespace; true while some still wait. */
  private async sweep(): Promise<boolean> {
    const page = await this.store.list(prefix);
    let pending = false;
    for (const kv of page.items) {
      const ns = JSON.parse(kv.value) as KubeObject;
      const finalizers: string[] = (ns.spec as any)?.finalizers ?? [];
      if (!ns.metadata.deletionTimestamp || !finalizers.includes('kubernetes')) continue;
      const remaining = await this.emptyNamespace(ns.metadata.name!);
      if (remaining > 0) {
        pending = true;
        continue;
      }
      const next = structuredClone(ns);
      (next.spec as any).finalizers = finalizers.filter((f) => f !== 'kubernetes');
      const key = storageKey('', 'namespaces', undefined, ns.metadata.name!);
      if ((next.spec as any).finalizers.length === 0 && (next.metadata.finalizers ?? []).length === 0) await this.store.delete(key, kv.modRevision).catch(() => undefined);
      else await this.store.update(key, JSON.stringify(next), kv.modRevision).catch(() => undefined);
    }
    return pending;
  }

  /** Delete what is in a namespace; returns how many objects are still there. */
  private async emptyNamespace(namespace: string): Promise<number> {
    const prefixes = new Set(this.registry.all().filter((r) => r.namespaced).map((r) => storagePrefix(r.storageGroup, r.plural)));
    let remaining = 0;
    const stamp = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const p of prefixes) {
      const page = await this.store.list(`${p}${namespace}/`);
      for (const kv of page.items) {
        const obj = JSON.parse(kv.value) as KubeObject;
        if ((obj.metadata.finalizers ?? []).length === 0) {
          await this.store.delete(kv.key, kv.modRevision).catch(() => undefined);
          continue;
        }
        remaining++;
        if (!obj.metadata.deletionTimestamp) {
          obj.metadata.deletionTimestamp = stamp;
          obj.metadata.deletionGracePeriodSeconds = 0;
          await this.store.update(kv.key, JSON.stringify(obj), kv.modRevision).catch(() => undefined);
        }
      }
    }
    return remaining;
  }
}
