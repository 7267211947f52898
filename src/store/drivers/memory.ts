// The memory driver: the revision log held in this process, with the same semantics as sqlite
// (minus durability). Tests and throwaway clusters use it.
import { CompactedError, StoreError, type KeyValue, type ListOptions, type ListResult, type Store, type WatchEvent, type Watcher, type WatchOptions } from '../store.js';
import { closedError, planWrite, prefixEnd, readRevision, rowEvent, rowKeyValue, WatchHub, type LogRow, type WatchHubOptions, type WriteOp } from './log.js';

export type MemoryStoreOptions = WatchHubOptions;

export class MemoryStore implements Store {
  private revision = 0;
  private compacted = 0;
  /** Every row after the compacted revision: log[i] has revision compacted + 1 + i. */
  private log: LogRow[] = [];
  /** Each key's rows still readable, oldest first. */
  private readonly history = new Map<string, LogRow[]>();
  /** The keys of `history`, sorted. */
  private keys: string[] = [];
  private readonly hub: WatchHub;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.hub = new WatchHub(
      {
        revision: () => this.revision,
        compactedRevision: () => this.compacted,
        readEvents: (prefix, after, upTo, limit) => this.readEvents(prefix, after, upTo, limit),
      },
      options,
    );
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    this.checkOpen();
    const rev = readRevision(revision, this.revision, this.compacted);
    const row = this.rowAt(key, rev);
    return row && !row.deleted ? rowKeyValue(row) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const rev = readRevision(options.revision, this.revision, this.compacted);
    const from = options.startKey !== undefined && options.startKey > prefix ? options.startKey : prefix;
    const end = prefixEnd(prefix);
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const items: KeyValue[] = [];
    let count = 0;
    for (let i = lowerBound(this.keys, from); i < this.keys.length; i++) {
      const key = this.keys[i];
      if (end !== undefined && key >= end) break;
      const row = this.rowAt(key, rev);
      if (!row || row.deleted) continue;
      count++;
      if (items.length < limit) items.push(rowKeyValue(row));
    }
    return { items, revision: rev, more: count > items.length, count };
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.write({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.write({ kind: 'update', key, value, expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.write({ kind: 'delete', key, expectedModRevision });
  }

  watch(prefix: string, options: WatchOptions): Watcher {
    this.checkOpen();
    return this.hub.watch(prefix, options);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.revision) throw new StoreError(`cannot compact at future revision ${revision} (current ${this.revision})`);
    if (revision <= this.compacted) return;
    for (const key of this.keys) {
      const rows = this.history.get(key)!;
      const last = lastAtOrBefore(rows, revision);
      if (last < 0) continue;
      // Keep the row visible at `revision` unless it is a tombstone; drop what it superseded.
      const keepFrom = rows[last].deleted ? last + 1 : last;
      if (keepFrom === rows.length) this.history.delete(key);
      else if (keepFrom > 0) this.history.set(key, rows.slice(keepFrom));
    }
    this.keys = this.keys.filter((k) => this.history.has(k));
    this.log = this.log.slice(revision - this.compacted);
    this.compacted = revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.close(closedError());
  }

  private async write(op: WriteOp): Promise<KeyValue> {
    this.checkOpen();
    const rows = this.history.get(op.key);
    const planned = planWrite(op, rows?.[rows.length - 1], this.revision + 1);
    if (planned instanceof StoreError) throw planned;
    this.revision = planned.revision;
    this.log.push(planned);
    if (rows) rows.push(planned);
    else {
      this.history.set(op.key, [planned]);
      this.keys.splice(lowerBound(this.keys, op.key), 0, op.key);
    }
    this.hub.publish([rowEvent(planned)]);
    return rowKeyValue(planned);
  }

  private rowAt(key: string, revision: number): LogRow | undefined {
    const rows = this.history.get(key);
    if (!rows) return undefined;
    const i = lastAtOrBefore(rows, revision);
    return i >= 0 ? rows[i] : undefined;
  }

  private readEvents(prefix: string, after: number, upTo: number, limit: number): WatchEvent[] {
    if (after < this.compacted) throw new CompactedError(after, this.compacted);
    const events: WatchEvent[] = [];
    for (let i = after - this.compacted; i < upTo - this.compacted && events.length < limit; i++) {
      const row = this.log[i];
      if (row.key.startsWith(prefix)) events.push(rowEvent(row));
    }
    return events;
  }

  private checkOpen(): void {
    if (this.closed) throw closedError();
  }
}

/** Index of the first element of sorted `a` that is >= `s`. */
function lowerBound(a: string[], s: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last row with revision <= `revision`, or -1. */
function lastAtOrBefore(rows: LogRow[], revision: number): number {
  let i = rows.length - 1;
  while (i >= 0 && rows[i].revision > revision) i--;
  return i;
}
