// The sqlite driver, the cluster's default store: one file <dataDir>/state.db holding the
// kine-style revision log. Every write appends a row whose id is its revision; the latest row of
// a key is its value, a delete appends a tombstone, and a read at revision R takes each key's
// latest row with id <= R. Writes made in the same event-loop turn are committed together in one
// durable transaction (WAL, synchronous=FULL), so 64 concurrent creates cost one fsync, not 64.
// This process owns the file (exclusive lock): live watch events come from the commit path.
import Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CompactedError, StoreError, UnavailableError, type KeyValue, type ListOptions, type ListResult, type Store, type WatchEvent, type Watcher, type WatchOptions, type SnapshotInfo } from '../store.js';
import { closedError, planWrite, prefixEnd, readRevision, rowEvent, rowKeyValue, WatchHub, type LogRow, type WatchHubOptions, type WriteOp } from './log.js';

export interface SqliteStoreOptions extends WatchHubOptions {
  /** The directory of state.db (created if missing). */
  dataDir: string;
}

const SCHEMA_VERSION = 1;

// AUTOINCREMENT keeps the highest id ever used in sqlite_sequence, so revisions are never reused
// even after compaction deleted every row. The (name, id) index serves both "latest row of a key"
// and key-ordered range scans; carrying `deleted` too lets the count of a paged list run on the
// index alone, without reading every row's value.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL,
  old_value TEXT
);
CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id, deleted);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

const ROW_COLUMNS = 'id, name, created, deleted, create_revision, prev_revision, value, old_value';
const KV_COLUMNS = 'l.name AS key, l.value AS value, l.create_revision AS createRevision, l.id AS modRevision';

interface DbRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
  old_value: string | null;
}

function fromDb(r: DbRow): LogRow {
  const row: LogRow = {
    revision: r.id,
    key: r.name,
    created: r.created === 1,
    deleted: r.deleted === 1,
    createRevision: r.create_revision,
    prevRevision: r.prev_revision,
    value: r.value,
  };
  if (r.old_value !== null) row.oldValue = r.old_value;
  return row;
}

interface QueuedWrite {
  op: WriteOp;
  resolve: (kv: KeyValue) => void;
  reject: (err: Error) => void;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly hub: WatchHub;
  private revision: number;
  private compacted: number;
  private closed = false;
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;

  private readonly latestRow: Database.Statement<[string], DbRow>;
  private readonly rowAtRevision: Database.Statement<[string, number], DbRow>;
  private readonly insertRow: Database.Statement<unknown[]>;
  private readonly setMeta: Database.Statement<[string, number]>;
  private readonly deleteSuperseded: Database.Statement<[number, number]>;
  private readonly deleteTombstones: Database.Statement<[number, number]>;
  private readonly commitBatch: (batch: QueuedWrite[]) => Array<LogRow | StoreError>;
  private readonly compactTx: (revision: number) => void;
  /** Range statements, prepared on first use, by shape ("list", "count", "events") and whether the prefix has an end. */
  private readonly rangeStatements = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    const path = join(options.dataDir, 'state.db');
    const db = new Database(path, { timeout: 0 });
    try {
      // Exclusive before WAL: the WAL index then lives in this process's heap, and a second
      // process opening the file fails instead of writing behind our back.
      db.pragma('locking_mode = EXCLUSIVE');
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new StoreError(`${path}: cannot use WAL journal (got ${String(mode)})`);
      db.pragma('synchronous = FULL');
      // The default 2 MiB page cache would reread most pages of a large list from the OS.
      db.pragma('cache_size = -65536');
      // A checkpoint after a huge transaction truncates the WAL back to this size.
      db.pragma('journal_size_limit = 67108864');
      db.exec(SCHEMA);
      const version = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?').get('schema_version')?.value;
      if (version === undefined) db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)').run('schema_version', SCHEMA_VERSION);
      else if (version !== SCHEMA_VERSION) throw new StoreError(`${path}: unknown schema version ${version} (this unyo knows ${SCHEMA_VERSION})`);
    } catch (err) {
      db.close();
      if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY')) {
        throw new UnavailableError(`${path} is in use by another process`);
      }
      throw err;
    }
    this.db = db;

    this.compacted = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'compact_revision'").get()?.value ?? 0;
    const seq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'log'").get()?.seq ?? 0;
    this.revision = Math.max(seq, this.compacted);

    this.latestRow = db.prepare(`SELECT ${ROW_COLUMNS} FROM log WHERE name = ? ORDER BY id DESC LIMIT 1`);
    this.rowAtRevision = db.prepare(`SELECT ${ROW_COLUMNS} FROM log WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`);
    this.insertRow = db.prepare(`INSERT INTO log (${ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.setMeta = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
    // A row is garbage at compaction revision C once a row of the same key at or before C
    // supersedes it: those rows are exactly the prev_revision of the rows written since the last
    // compaction. Tombstones at or before C go too (the key is gone).
    this.deleteSuperseded = db.prepare('DELETE FROM log WHERE id IN (SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision > 0)');
    this.deleteTombstones = db.prepare('DELETE FROM log WHERE id > ? AND id <= ? AND deleted = 1');

    this.commitBatch = db.transaction((batch: QueuedWrite[]) => {
      let revision = this.revision;
      return batch.map(({ op }) => {
        const latest = this.latestRow.get(op.key);
        const row = planWrite(op, latest && fromDb(latest), revision + 1);
        if (row instanceof StoreError) return row;
        this.insertRow.run(row.revision, row.key, row.created ? 1 : 0, row.deleted ? 1 : 0, row.createRevision, row.prevRevision, row.value, row.oldValue ?? null);
        revision = row.revision;
        return row;
      });
    });
    this.compactTx = db.transaction((revision: number) => {
      this.deleteSuperseded.run(this.compacted, revision);
      this.deleteTombstones.run(this.compacted, revision);
      this.setMeta.run('compact_revision', revision);
    });

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
    const row = rev === this.revision ? this.latestRow.get(key) : this.rowAtRevision.get(key, rev);
    return row && row.deleted === 0 ? rowKeyValue(fromDb(row)) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const rev = readRevision(options.revision, this.revision, this.compacted);
    const from = options.startKey !== undefined && options.startKey > prefix ? options.startKey : prefix;
    const end = prefixEnd(prefix);
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const range = { from, end, rev };
    // One row past the limit tells whether there are more.
    const items = this.rangeStatement('list', end !== undefined).all({ ...range, limit: limit ? limit + 1 : -1 }) as KeyValue[];
    if (!limit || items.length <= limit) return { items, revision: rev, more: false, count: items.length };
    items.length = limit;
    const count = this.rangeStatement('count', end !== undefined).pluck().get(range) as number;
    return { items, revision: rev, more: true, count };
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'update', key, value, expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'delete', key, expectedModRevision });
  }

  watch(prefix: string, options: WatchOptions): Watcher {
    this.checkOpen();
    return this.hub.watch(prefix, options);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.revision) throw new StoreError(`cannot compact at future revision ${revision} (current ${this.revision})`);
    if (revision <= this.compacted) return;
    try {
      this.compactTx(revision);
    } catch (err) {
      throw unavailable(err);
    }
    this.compacted = revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  /** A copy through SQLite's online backup: consistent, taken while writes go on. */
  async snapshot(file: string): Promise<SnapshotInfo> {
    if (this.closed) throw new UnavailableError('the store is closed');
    await this.db.backup(file);
    const copy = new Database(file, { readonly: true });
    try {
      const seq = copy.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'log'").get()?.seq ?? 0;
      const compacted = copy.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'compact_revision'").get()?.value ?? 0;
      return { revision: Math.max(seq, compacted), bytes: statSync(file).size, format: 'sqlite' };
    } finally {
      copy.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Writes already accepted are committed (and answered) before the file closes.
    this.flush();
    this.closed = true;
    this.hub.close(closedError());
    this.db.close();
  }

  private enqueue(op: WriteOp): Promise<KeyValue> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Commit every queued write in one transaction. Each write is checked against the log as
   * the earlier writes of the batch left it, and fails alone; the promises settle only after
   * the commit is durable. A failed commit fails the whole batch and uses no revision.
   */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let outcomes: Array<LogRow | StoreError>;
    try {
      outcomes = this.commitBatch(batch);
    } catch (err) {
      const failure = unavailable(err);
      for (const w of batch) w.reject(failure);
      return;
    }
    const events: WatchEvent[] = [];
    for (const o of outcomes) {
      if (o instanceof StoreError) continue;
      this.revision = o.revision;
      events.push(rowEvent(o));
    }
    this.hub.publish(events);
    outcomes.forEach((o, i) => (o instanceof StoreError ? batch[i].reject(o) : batch[i].resolve(rowKeyValue(o))));
  }

  private readEvents(prefix: string, after: number, upTo: number, limit: number): WatchEvent[] {
    if (after < this.compacted) throw new CompactedError(after, this.compacted);
    const end = prefixEnd(prefix);
    const rows = this.rangeStatement('events', end !== undefined).all({ after, upTo, from: prefix, end, limit }) as DbRow[];
    return rows.map((r) => rowEvent(fromDb(r)));
  }

  private rangeStatement(shape: 'list' | 'count' | 'events', bounded: boolean): Database.Statement {
    const id = `${shape}:${bounded}`;
    let stmt = this.rangeStatements.get(id);
    if (stmt) return stmt;
    const upper = bounded ? 'AND l.name < @end' : '';
    // The latest row of each key at the read revision: no row of that key after it, up to the revision.
    const visible = `l.name >= @from ${upper} AND l.id <= @rev AND l.deleted = 0
      AND NOT EXISTS (SELECT 1 FROM log n WHERE n.name = l.name AND n.id > l.id AND n.id <= @rev)`;
    switch (shape) {
      case 'list':
        stmt = this.db.prepare(`SELECT ${KV_COLUMNS} FROM log l WHERE ${visible} ORDER BY l.name LIMIT @limit`);
        break;
      case 'count':
        stmt = this.db.prepare(`SELECT COUNT(*) FROM log l WHERE ${visible}`);
        break;
      case 'events':
        stmt = this.db.prepare(`SELECT ${ROW_COLUMNS} FROM log l WHERE l.id > @after AND l.id <= @upTo AND l.name >= @from ${upper} ORDER BY l.id LIMIT @limit`);
        break;
    }
    this.rangeStatements.set(id, stmt);
    return stmt;
  }

  private checkOpen(): void {
    if (this.closed) throw closedError();
  }
}

function unavailable(err: unknown): UnavailableError {
  return new UnavailableError(`sqlite: ${err instanceof Error ? err.message : String(err)}`);
}
