// The storage of unyo/kv: an in-memory map backed by an append-only journal. A write is
// answered only after its journal line is fsynced (writes arriving together share one
// fsync). Deletes are tombstones, so followers can ask for every change after a revision.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** One key's latest state; `value` null is a tombstone. `revision` is the primary's write counter. */
export interface Entry {
  key: string;
  value: Buffer | null;
  revision: number;
}

interface Meta {
  /** Identifies this data directory's history; a primary's new epoch means its data was lost. */
  epoch: string;
  /** On a follower: the epoch of the primary its data was copied from. */
  primaryEpoch?: string;
}

interface Pending {
  entries: Entry[];
  done: (err?: Error) => void;
}

const journalName = 'journal.log';

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a file so that after a crash it is either the old or the new content. */
async function writeAtomically(dir: string, name: string, data: string | Buffer): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}

function line(entry: Entry): string {
  return JSON.stringify({ r: entry.revision, k: entry.key, v: entry.value === null ? null : entry.value.toString('base64') }) + '\n';
}

export class KvStore {
  private readonly entries = new Map<string, Entry>();
  /** Highest durable revision. */
  private revision = 0;
  /** Highest revision handed to a write (durable or not): the next write takes the one after. */
  private assigned = 0;
  private journalLines = 0;
  private queue: Pending[] = [];
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(readonly dir: string, private meta: Meta, private journal: FileHandle) {}

  /** Opens (or creates) the store in `dir`, replaying its journal; a torn last line from a crash is cut off. */
  static async open(dir: string): Promise<KvStore> {
    await mkdir(dir, { recursive: true });
    let meta: Meta;
    try {
      meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Meta;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      meta = { epoch: randomUUID() };
      await writeAtomically(dir, 'meta.json', JSON.stringify(meta));
    }
    const path = join(dir, journalName);
    let data = Buffer.alloc(0);
    try {
      data = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const complete = data.lastIndexOf(0x0a) + 1;
    const journal = await open(path, 'a+');
    if (complete < data.length) await journal.truncate(complete);
    if (data.length === 0) await fsyncDir(dir);
    const store = new KvStore(dir, meta, journal);
    const lines = data.subarray(0, complete).toString('utf8').split('\n');
    lines.pop();
    lines.forEach((text, i) => {
      let record: { r: number; k: string; v: string | null };
      try {
        record = JSON.parse(text);
      } catch {
        throw new Error(`${path}: line ${i + 1} is corrupt`);
      }
      store.remember({ key: record.k, value: record.v === null ? null : Buffer.from(record.v, 'base64'), revision: record.r });
    });
    store.journalLines = lines.length;
    return store;
  }

  get epoch(): string {
    return this.meta.epoch;
  }

  get primaryEpoch(): string | undefined {
    return this.meta.primaryEpoch;
  }

  /** The highest durable revision: every change up to it is visible to reads and changedSince. */
  get currentRevision(): number {
    return this.revision;
  }

  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && entry.value !== null ? entry : undefined;
  }

  keys(prefix = ''): string[] {
    return [...this.entries.values()].filter((e) => e.value !== null && e.key.startsWith(prefix)).map((e) => e.key).sort();
  }

  /** Every entry, tombstones included, changed after `revision`, oldest first. */
  changedSince(revision: number): Entry[] {
    return [...this.entries.values()].filter((e) => e.revision > revision).sort((a, b) => a.revision - b.revision);
  }

  /** A write on the primary: takes the next revision; resolves once durable. */
  put(key: string, value: Buffer): Promise<Entry> {
    const entry = { key, value, revision: this.nextRevision() };
    return this.write([entry]).then(() => entry);
  }

  /** A delete on the primary; undefined when the key does not exist. */
  async delete(key: string): Promise<Entry | undefined> {
    if (!this.get(key)) return undefined;
    const entry = { key, value: null, revision: this.nextRevision() };
    await this.write([entry]);
    return entry;
  }

  /** Replicated entries on a follower: only those newer than what it holds are written. */
  async apply(entries: Entry[]): Promise<void> {
    const newer = entries.filter((e) => (this.entries.get(e.key)?.revision ?? 0) < e.revision);
    if (newer.length > 0) await this.write(newer);
  }

  /** Replaces all data with a primary's full copy (the primary's history changed: new epoch). */
  replaceAll(entries: Entry[], primaryEpoch: string): Promise<void> {
    return this.serialize(async () => {
      this.entries.clear();
      this.revision = 0;
      this.assigned = 0;
      for (const entry of entries) this.remember(entry);
      await this.rewriteJournal();
      this.meta = { ...this.meta, primaryEpoch };
      await writeAtomically(this.dir, 'meta.json', JSON.stringify(this.meta));
    });
  }

  /** Records which primary history a follower's data follows. */
  setPrimaryEpoch(primaryEpoch: string): Promise<void> {
    return this.serialize(async () => {
      if (this.meta.primaryEpoch === primaryEpoch) return;
      this.meta = { ...this.meta, primaryEpoch };
      await writeAtomically(this.dir, 'meta.json', JSON.stringify(this.meta));
    });
  }

  /** Waits for queued writes, then closes the journal. */
  close(): Promise<void> {
    return this.serialize(() => this.journal.close());
  }

  private nextRevision(): number {
    this.assigned = Math.max(this.assigned, this.revision) + 1;
    return this.assigned;
  }

  private remember(entry: Entry): void {
    if ((this.entries.get(entry.key)?.revision ?? 0) < entry.revision) this.entries.set(entry.key, entry);
    if (entry.revision > this.revision) this.revision = entry.revision;
  }

  /** Runs journal operations one at a time, in call order. */
  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation, operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private write(entries: Entry[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, done: (err) => (err ? reject(err) : resolve()) });
      if (this.queue.length === 1) void this.serialize(() => this.flush());
    });
  }

  /** Appends everything queued so far with one fsync, then makes it visible to reads. */
  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const entries = batch.flatMap((p) => p.entries);
    try {
      await this.journal.appendFile(entries.map(line).join(''));
      await this.journal.sync();
    } catch (err) {
      for (const p of batch) p.done(err as Error);
      return;
    }
    for (const entry of entries) this.remember(entry);
    this.journalLines += entries.length;
    for (const p of batch) p.done();
    // Overwritten keys leave dead lines behind: rewrite once they outnumber the live ones.
    if (this.journalLines > 1000 && this.journalLines > 2 * this.entries.size) await this.rewriteJournal();
  }

  /** Writes the current entries as a fresh journal and swaps it in atomically. */
  private async rewriteJournal(): Promise<void> {
    const entries = [...this.entries.values()].sort((a, b) => a.revision - b.revision);
    await writeAtomically(this.dir, journalName, entries.map(line).join(''));
    const previous = this.journal;
    this.journal = await open(join(this.dir, journalName), 'a+');
    await previous.close();
    this.journalLines = entries.length;
  }
}
