// What the two log-table drivers (memory and sqlite) share: the row of the revision log, the
// check each write makes against a key's latest row, and the watch hub that replays history from
// the log and then fans committed events out to watchers.
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  NotFoundError,
  StoreError,
  UnavailableError,
  type KeyValue,
  type WatchEvent,
  type Watcher,
  type WatchOptions,
} from '../store.js';

/**
 * One row of the append-only log: every write is a row and its id is the write's revision.
 * A delete is a tombstone row carrying the last value, so every row is a complete watch event.
 */
export interface LogRow {
  revision: number;
  key: string;
  created: boolean;
  deleted: boolean;
  createRevision: number;
  /** Revision of the key's row this one supersedes (0 for the first create). */
  prevRevision: number;
  /** The new value; for a tombstone, the value it deleted. */
  value: string;
  /** The superseded value on an update (absent on creates and tombstones). */
  oldValue?: string;
}

export type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expectedModRevision: number }
  | { kind: 'delete'; key: string; expectedModRevision?: number };

/** The row `op` appends at `revision` given the key's latest row, or why it cannot. */
export function planWrite(op: WriteOp, latest: LogRow | undefined, revision: number): LogRow | StoreError {
  const live = latest !== undefined && !latest.deleted ? latest : undefined;
  switch (op.kind) {
    case 'create':
      if (live) return new KeyExistsError(op.key);
      return { revision, key: op.key, created: true, deleted: false, createRevision: revision, prevRevision: latest?.revision ?? 0, value: op.value };
    case 'update':
      if (!live) return new NotFoundError(op.key);
      if (live.revision !== op.expectedModRevision) return new ConflictError(op.key, live.revision);
      return { revision, key: op.key, created: false, deleted: false, createRevision: live.createRevision, prevRevision: live.revision, value: op.value, oldValue: live.value };
    case 'delete':
      if (!live) return new NotFoundError(op.key);
      if (op.expectedModRevision !== undefined && live.revision !== op.expectedModRevision) return new ConflictError(op.key, live.revision);
      return { revision, key: op.key, created: false, deleted: true, createRevision: live.createRevision, prevRevision: live.revision, value: live.value };
  }
}

/** The KeyValue a row stands for; for a tombstone, the deleted value at the delete's revision. */
export function rowKeyValue(row: LogRow): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.revision };
}

export function rowEvent(row: LogRow): WatchEvent {
  const kv = rowKeyValue(row);
  if (row.created) return { type: 'PUT', kv, revision: row.revision };
  const prevValue = row.deleted ? row.value : (row.oldValue ?? '');
  const prevKv = { key: row.key, value: prevValue, createRevision: row.createRevision, modRevision: row.prevRevision };
  return { type: row.deleted ? 'DELETE' : 'PUT', kv, prevKv, revision: row.revision };
}

/**
 * The smallest string greater than every string starting with `prefix`, or undefined when there
 * is none (empty prefix). Keys are compared code unit by code unit, as both drivers order them.
 */
export function prefixEnd(prefix: string): string | undefined {
  let end = prefix;
  while (end.length > 0) {
    const last = end.charCodeAt(end.length - 1);
    if (last < 0xffff) return end.slice(0, -1) + String.fromCharCode(last + 1);
    end = end.slice(0, -1);
  }
  return undefined;
}

/** Checks a read revision against the log: 0 means the latest; older than compaction or newer than now fails. */
export function readRevision(requested: number | undefined, current: number, compacted: number): number {
  if (!requested) return current;
  if (requested < compacted) throw new CompactedError(requested, compacted);
  if (requested > current) throw new StoreError(`required revision ${requested} is a future revision (current ${current})`);
  return requested;
}

/** What the hub needs from a driver's log. */
export interface EventLog {
  /** The revision of the last committed write. */
  revision(): number;
  compactedRevision(): number;
  /**
   * Committed events under `prefix` with afterRevision < revision <= upToRevision, oldest
   * first, at most `limit`. Throws CompactedError when afterRevision is compacted.
   */
  readEvents(prefix: string, afterRevision: number, upToRevision: number, limit: number): WatchEvent[];
}

export interface WatchHubOptions {
  /** Idle progress notifications every this many milliseconds (default 1000). */
  progressIntervalMs?: number;
  /** Most events one replay step reads from the log before yielding to the event loop. */
  replayChunk?: number;
}

interface HubWatch {
  prefix: string;
  /** Every event up to this revision has been delivered (or did not match the prefix). */
  revision: number;
  options: WatchOptions;
  closed: boolean;
}

/**
 * Delivers committed events to watchers, asynchronously and in batches. The driver publishes the
 * events of each commit; one flush, scheduled with setImmediate, hands each watcher the events
 * after its revision. A watcher that is behind the published window (a watch from a past
 * revision, or one still replaying) reads its gap from the log first: as JavaScript runs one
 * flush at a time and the log already holds every published event, replay and live delivery
 * meet without a gap or a duplicate.
 */
export class WatchHub {
  private readonly watches = new Set<HubWatch>();
  /** Committed events not yet flushed: exactly the revisions (pendingFrom, log.revision()]. */
  private pending: WatchEvent[] = [];
  private pendingFrom: number;
  private flushScheduled = false;
  private progressTimer?: NodeJS.Timeout;
  private readonly progressIntervalMs: number;
  private readonly replayChunk: number;

  constructor(private readonly log: EventLog, options: WatchHubOptions = {}) {
    this.pendingFrom = log.revision();
    this.progressIntervalMs = options.progressIntervalMs ?? 1000;
    this.replayChunk = options.replayChunk ?? 10_000;
  }

  /** Hand over the events of a commit (consecutive revisions, following the last published). */
  publish(events: WatchEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) this.pending.push(e);
    if (this.watches.size === 0) {
      this.pending = [];
      this.pendingFrom = this.log.revision();
      return;
    }
    this.scheduleFlush();
  }

  watch(prefix: string, options: WatchOptions): Watcher {
    const current = this.log.revision();
    const w: HubWatch = { prefix, revision: options.fromRevision || current, options, closed: false };
    const compacted = this.log.compactedRevision();
    if (options.fromRevision && options.fromRevision < compacted) {
      setImmediate(() => this.fail(w, new CompactedError(options.fromRevision, compacted)));
      return { close: () => (w.closed = true) };
    }
    this.watches.add(w);
    if (w.revision < current) this.scheduleFlush();
    if (!this.progressTimer) {
      this.progressTimer = setInterval(() => this.progress(), this.progressIntervalMs);
      this.progressTimer.unref();
    }
    return { close: () => this.remove(w) };
  }

  /** End every watch with `err` (the store is closing). */
  close(err: Error): void {
    for (const w of [...this.watches]) this.fail(w, err);
    this.pending = [];
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const upTo = this.log.revision();
    let behind = false;
    for (const w of [...this.watches]) {
      if (w.closed || w.revision >= upTo) continue;
      let events: WatchEvent[];
      let reached = upTo;
      if (w.revision < this.pendingFrom) {
        try {
          events = this.log.readEvents(w.prefix, w.revision, upTo, this.replayChunk);
        } catch (err) {
          this.fail(w, err instanceof Error ? err : new StoreError(String(err)));
          continue;
        }
        if (events.length === this.replayChunk) {
          reached = events[events.length - 1].revision;
          behind = true;
        }
      } else {
        events = [];
        for (let i = w.revision - this.pendingFrom; i < this.pending.length; i++) {
          const e = this.pending[i];
          if (e.kv.key.startsWith(w.prefix)) events.push(e);
        }
      }
      w.revision = reached;
      try {
        if (events.length > 0) w.options.onEvents(events);
        if (!w.closed) w.options.onProgress?.(reached);
      } catch (err) {
        this.fail(w, err instanceof Error ? err : new StoreError(String(err)));
      }
    }
    this.pending = [];
    this.pendingFrom = upTo;
    if (behind) this.scheduleFlush();
  }

  private progress(): void {
    if (this.flushScheduled) return;
    const current = this.log.revision();
    for (const w of [...this.watches]) {
      if (w.closed || w.revision < current || !w.options.onProgress) continue;
      try {
        w.options.onProgress(current);
      } catch (err) {
        this.fail(w, err instanceof Error ? err : new StoreError(String(err)));
      }
    }
  }

  private fail(w: HubWatch, err: Error): void {
    if (w.closed) return;
    this.remove(w);
    w.options.onError(err);
  }

  private remove(w: HubWatch): void {
    w.closed = true;
    this.watches.delete(w);
    if (this.watches.size === 0 && this.progressTimer) {
      clearInterval(this.progressTimer);
      this.progressTimer = undefined;
    }
  }
}

export function closedError(): UnavailableError {
  return new UnavailableError('the store is closed');
}
