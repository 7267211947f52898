// One watch on the whole store, kept as a window of recent events and fanned out to every
// API watch in memory: the store sees one watcher however many clients watch, and each event
// is decoded once. A watch asking for a revision older than the window gets 410 Gone.
import { CompactedError, type Store, type WatchEvent, type Watcher } from '../store/store.js';

export interface CacheSubscriber {
  prefix: string;
  deliver(events: WatchEvent[]): void;
  /** The cache lost its store watch: the subscriber must end its watch (clients re-list). */
  fail(err: Error): void;
}

export class WatchCache {
  private history: WatchEvent[] = [];
  private storeWatch?: Watcher;
  private subscribers = new Set<CacheSubscriber>();
  private stopped = false;
  private waiters: Array<{ revision: number; resolve: () => void }> = [];
  /** Latest revision the cache has seen (events or progress). */
  revision = 0;
  /** Events after this revision are all in the window. */
  oldest = 0;

  constructor(private readonly store: Store, private readonly capacity = 20_000) {}

  async start(): Promise<void> {
    // Fill the window from the store's history, so clients that watched before a restart
    // resume where they were instead of re-listing everything.
    const current = await this.store.currentRevision();
    const from = Math.max(await this.store.compactedRevision(), current - Math.floor(this.capacity / 2), 0);
    this.revision = from;
    this.oldest = from;
    this.open();
    if (!(await this.waitFor(current, 30_000))) throw new Error(`the watch cache could not catch up with the store (revision ${current})`);
  }

  private open(): void {
    this.storeWatch = this.store.watch('/registry/', {
      fromRevision: this.revision,
      onEvents: (events) => this.onEvents(events),
      onProgress: (rev) => this.advance(rev),
      onError: (err) => this.onStoreError(err),
    });
  }

  private onEvents(events: WatchEvent[]): void {
    for (const e of events) this.history.push(e);
    if (this.history.length > this.capacity) {
      const drop = this.history.length - this.capacity;
      this.oldest = this.history[drop - 1].revision;
      this.history.splice(0, drop);
    }
    for (const s of this.subscribers) {
      const mine = events.filter((e) => e.kv.key.startsWith(s.prefix));
      if (mine.length) s.deliver(mine);
    }
    this.advance(events[events.length - 1].revision);
  }

  private advance(revision: number): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    if (this.waiters.length) {
      const ready = this.waiters.filter((w) => w.revision <= revision);
      this.waiters = this.waiters.filter((w) => w.revision > revision);
      for (const w of ready) w.resolve();
    }
  }

  private onStoreError(err: Error): void {
    this.storeWatch = undefined;
    if (this.stopped) return;
    // A store that is only unreachable for a while (an etcd member lost, quorum regained):
    // resume from the last revision seen, so the window stays whole and API watches go on.
    if (!(err instanceof CompactedError)) {
      setTimeout(() => {
        if (this.stopped) return;
        this.store
          .compactedRevision()
          .then((compacted) => {
            if (compacted > this.revision) return this.startOver(new CompactedError(this.revision, compacted));
            this.open();
          })
          .catch(() => this.onStoreError(err));
      }, 500).unref();
      return;
    }
    this.startOver(err);
  }

  /** History is lost: every API watch ends (clients re-list and re-watch) and the cache starts again from now. */
  private startOver(err: Error): void {
    for (const s of this.subscribers) s.fail(err);
    this.subscribers.clear();
    this.history = [];
    setTimeout(() => {
      if (this.stopped) return;
      this.store
        .currentRevision()
        .then((rev) => {
          this.revision = rev;
          this.oldest = rev;
          this.open();
        })
        .catch(() => this.startOver(err));
    }, 500).unref();
  }

  /**
   * Subscribe to changes under `prefix` after `fromRevision`: the events already in the window
   * are returned to replay first; live ones follow through deliver(). Returns undefined when
   * fromRevision is older than the window (the caller answers 410 Gone).
   */
  subscribe(sub: CacheSubscriber, fromRevision: number): { replay: WatchEvent[]; cancel: () => void } | undefined {
    if (fromRevision < this.oldest) return undefined;
    const replay: WatchEvent[] = [];
    for (const e of this.history) if (e.revision > fromRevision && e.kv.key.startsWith(sub.prefix)) replay.push(e);
    this.subscribers.add(sub);
    return { replay, cancel: () => this.subscribers.delete(sub) };
  }

  /** Resolve once the cache has seen `revision` (false after timeoutMs). */
  waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    if (revision <= this.revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { revision, resolve: () => (clearTimeout(timer), resolve(true)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  get watcherCount(): number {
    return this.subscribers.size;
  }

  stop(): void {
    this.stopped = true;
    this.storeWatch?.close();
    for (const s of this.subscribers) s.fail(new Error('the server is shutting down'));
    this.subscribers.clear();
  }
}
