// Which namespaces hold any object under a storage prefix (LimitRanges, ResourceQuotas), kept
// in memory from the watch cache, so admission of the common create — in a namespace with no
// quota and no LimitRange — costs no store read. Like upstream's informer-backed listers it
// may lag the store by a moment; creates this server admits count at once, and whenever the
// index is not running the answer is "maybe", so the plugin reads the store.
import type { Store, WatchEvent } from '../../store/store.js';
import type { WatchCache } from '../watchcache.js';

export class NamespacePresence {
  private counts = new Map<string, number>();
  /** The revision the counts were listed at: the cache may still deliver older events. */
  private listedAt = 0;
  /** Namespaces where this server just admitted a create, until the watch surely shows it. */
  private readonly recent = new Map<string, number>();
  private starting?: Promise<boolean>;

  constructor(private readonly store: Store, private readonly watchCache: WatchCache, private readonly prefix: string) {}

  /** An object under the prefix is being created in the namespace: count it now. */
  noteCreate(namespace: string): void {
    this.recent.set(namespace, Date.now() + 10_000);
  }

  /** False only when the namespace holds no object under the prefix, as far as this server knows. */
  async maybeIn(namespace: string): Promise<boolean> {
    this.starting ??= this.start();
    if (!(await this.starting)) return true;
    if ((this.counts.get(namespace) ?? 0) > 0) return true;
    const until = this.recent.get(namespace);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.recent.delete(namespace);
    return false;
  }

  private async start(): Promise<boolean> {
    try {
      const page = await this.store.list(this.prefix);
      const counts = new Map<string, number>();
      for (const kv of page.items) this.bump(counts, kv.key, 1);
      const sub = this.watchCache.subscribe(
        {
          prefix: this.prefix,
          deliver: (events) => this.apply(events),
          fail: () => {
            // The cache lost its store watch: start over on the next question.
            this.starting = undefined;
          },
        },
        page.revision,
      );
      if (!sub) return false;
      this.counts = counts;
      this.listedAt = page.revision;
      this.apply(sub.replay);
      return true;
    } catch {
      this.starting = undefined;
      return false;
    }
  }

  private apply(events: WatchEvent[]): void {
    for (const e of events) {
      if (e.revision <= this.listedAt) continue;
      if (e.type === 'DELETE') this.bump(this.counts, e.kv.key, -1);
      else if (e.kv.createRevision === e.kv.modRevision) this.bump(this.counts, e.kv.key, 1);
    }
  }

  private bump(counts: Map<string, number>, key: string, by: number): void {
    const namespace = key.slice(this.prefix.length).split('/')[0];
    counts.set(namespace, Math.max(0, (counts.get(namespace) ?? 0) + by));
  }
}
