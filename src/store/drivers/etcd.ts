// The etcd store driver: the Store contract on a real etcd v3 cluster, through the etcd3 client.
//
// Revisions. etcd counts from 1 (an empty etcd is at revision 1); the Store contract counts
// from 0. So a store revision is the etcd revision minus one, a fixed offset: store revision
// r is etcd revision r + 1, on every call, across restarts. On an etcd unyo has to itself, the
// store revision grows by exactly one per write, as the contract asks; other clients of the
// same etcd make it jump, which Kubernetes clients tolerate (resourceVersions are opaque).
//
// Writes are transactions comparing a key's create or mod revision (compare-and-swap), so a
// write either happens whole at one revision or not at all, and etcd acknowledges it only once
// a quorum has it on disk. Every unary call has a deadline: without quorum a write fails with
// UnavailableError after `requestTimeoutMs` instead of hanging.
//
// Watches are etcd watches with prevKv. etcd's watch stream survives the loss of the member it
// was on (the client reconnects to another endpoint and resumes from the last revision seen).
// Progress notifications (for bookmarks) come from etcd's progress notify, every
// `--experimental-watch-progress-notify-interval` of the server (10 minutes by default; unyo's
// own members are started with 1 s), and after each batch of events.
//
// Compaction. etcd cannot be asked for its compacted revision, so compactedRevision() finds
// the oldest revision a read still succeeds at, by bisection (about twenty cheap reads); it is
// only asked when a watch or read starts from old history.
import etcd3 from 'etcd3';
import type * as RPC from 'etcd3';

const { Etcd3, CompareTarget, CompareResult } = etcd3;
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  NotFoundError,
  StoreError,
  UnavailableError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type WatchEvent,
  type WatchOptions,
  type Watcher,
  type SnapshotInfo,
} from '../store.js';
import { createWriteStream } from 'node:fs';

export interface EtcdStoreOptions {
  /** Client URLs, e.g. http://127.0.0.1:2379. */
  endpoints: string[];
  /** Prepended to every key (default none: keys are stored as the API server names them, /registry/...). */
  prefix?: string;
  /** A unary call that takes longer fails with UnavailableError (default 5 s). */
  requestTimeoutMs?: number;
  /** TLS to the etcd members. */
  tls?: { caPem?: string; certPem?: string; keyPem?: string };
}

/** Store revision ↔ etcd revision. */
const fromEtcd = (rev: string | number) => Number(rev) - 1;
const toEtcd = (rev: number) => rev + 1;

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key: etcd's "\0" range end
}

export class EtcdStore implements Store {
  private readonly client: InstanceType<typeof Etcd3>;
  private readonly prefix: Buffer;
  private readonly timeoutMs: number;
  private closed = false;
  /** The newest etcd revision any answer carried: a watch "from now" starts after it. */
  private lastSeen = 0;
  private readonly watchers = new Set<{ close: () => void; fail: (err: Error) => void }>();

  constructor(private readonly opts: EtcdStoreOptions) {
    if (opts.endpoints.length === 0) throw new StoreError('the etcd store needs at least one endpoint');
    this.prefix = Buffer.from(opts.prefix ?? '');
    this.timeoutMs = opts.requestTimeoutMs ?? 5000;
    const options: RPC.IOptions = {
      hosts: opts.endpoints,
      dialTimeout: this.timeoutMs,
      // A LIST of thousands of objects is one range answer: no 4 MiB cap (kube-apiserver lifts it too).
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.timeoutMs }),
    };
    if (opts.tls) options.credentials = { rootCertificate: opts.tls.caPem ? Buffer.from(opts.tls.caPem) : Buffer.alloc(0), certChain: opts.tls.certPem ? Buffer.from(opts.tls.certPem) : undefined, privateKey: opts.tls.keyPem ? Buffer.from(opts.tls.keyPem) : undefined };
    this.client = new Etcd3(options);
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: this.key('/'), count_only: true }));
    return fromEtcd(res.header.revision);
  }

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    const res = await this.read(revision, () => this.client.kv.range({ key: this.key(key), revision: revision ? toEtcd(revision) : undefined }));
    return res.kvs.length ? this.kv(res.kvs[0]) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const start = this.key(options.startKey && options.startKey > prefix ? options.startKey : prefix);
    const end = prefix || this.prefix.length ? prefixEnd(this.key(prefix)) : Buffer.from([0]);
    const res = await this.read(options.revision, () =>
      this.client.kv.range({ key: start, range_end: end, limit: options.limit ?? 0, revision: options.revision ? toEtcd(options.revision) : undefined }),
    );
    return { items: res.kvs.map((kv) => this.kv(kv)), revision: options.revision || fromEtcd(res.header.revision), more: res.more, count: Number(res.count) };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = this.key(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: k, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      }),
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = fromEtcd(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const k = this.key(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: k, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: toEtcd(expectedModRevision) }],
        success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.writeConflict(key, res);
    const prev = res.responses[0].response_put!.prev_kv!;
    return { key, value, createRevision: fromEtcd(prev.create_revision), modRevision: fromEtcd(res.header.revision) };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = this.key(key);
    const compare: RPC.ICompare =
      expectedModRevision === undefined
        ? { key: k, target: CompareTarget.Create, result: CompareResult.Greater, create_revision: 0 }
        : { key: k, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: toEtcd(expectedModRevision) };
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [compare],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.writeConflict(key, res);
    const prev = res.responses[0].response_delete_range!.prev_kvs[0];
    return { key, value: prev.value.toString(), createRevision: fromEtcd(prev.create_revision), modRevision: fromEtcd(res.header.revision) };
  }

  watch(prefix: string, options: WatchOptions): Watcher {
    if (this.closed) throw new UnavailableError('the store is closed');
    // "From now": after every revision this client has been told of, so no write issued after
    // this call (and none acknowledged before it) is on the wrong side.
    const from = options.fromRevision > 0 ? options.fromRevision : fromEtcd(Math.max(this.lastSeen, 1));
    let open = true;
    let watcher: RPC.Watcher | undefined;
    const fail = (err: Error) => {
      if (!open) return;
      open = false;
      this.watchers.delete(handle);
      void watcher?.cancel().catch(() => undefined);
      options.onError(err);
    };
    const handle = {
      close: () => {
        if (!open) return;
        open = false;
        this.watchers.delete(handle);
        void watcher?.cancel().catch(() => undefined);
      },
      fail,
    };
    this.watchers.add(handle);
    const start = () => {
      if (!open) return;
      const builder = prefix || this.prefix.length ? this.client.watch().prefix(this.key(prefix)) : this.client.watch().inRange({ start: Buffer.from([0]), end: Buffer.from([0]) });
      watcher = builder.withPreviousKV().startRevision(String(toEtcd(from) + 1)).watcher();
      // Where a reconnected watch must resume: after the last event delivered. (The client would
      // resume after the answer's header revision, which during catch-up is the store's current
      // revision, not the last event's: events in between would be skipped.)
      let resume = toEtcd(from) + 1;
      const w = watcher;
      w.on('data', (res: RPC.IWatchResponse) => {
        resume = this.deliver(res, options, () => open) ?? resume;
        w.request.start_revision = String(resume);
      });
      w.on('connected', () => (w.request.start_revision = String(resume)));
      // A watch created with nothing to replay is caught up at once: etcd's answer carries the
      // current revision. (Idle progress otherwise waits for etcd's progress notify interval.)
      // (Only the first creation: the client moves its start revision on as events arrive.)
      const startRevision = toEtcd(from) + 1;
      watcher.once('connected', (res: RPC.IWatchResponse) => {
        if (open && startRevision > Number(res.header.revision)) options.onProgress?.(fromEtcd(res.header.revision));
      });
      // etcd cancels a watch whose start revision is compacted (the client does not pass on
      // the compact revision, so it is looked up).
      watcher.on('error', (err: Error) => {
        void this.compactedRevision().then(
          (compacted) => fail(compacted > from ? new CompactedError(from, compacted) : new UnavailableError(`etcd watch ended: ${err.message}`)),
          () => fail(new UnavailableError(`etcd watch ended: ${err.message}`)),
        );
      });
    };
    // etcd still replays the change at its compact revision, which the Store contract counts
    // as compacted: a watch from before it fails instead.
    if (options.fromRevision > 0) {
      this.compactedRevision().then(
        (compacted) => (compacted > from ? fail(new CompactedError(from, compacted)) : start()),
        (err: Error) => fail(err),
      );
    } else start();
    return handle;
  }

  /**
   * One watch response: its events as a batch, then progress up to the last of them. Returns
   * the etcd revision to resume after it. Only an answer without events (etcd's progress
   * notification, sent when the watch is caught up) vouches for its header revision.
   */
  private deliver(res: RPC.IWatchResponse, options: WatchOptions, open: () => boolean): number | undefined {
    if (!open()) return undefined;
    if (res.events.length === 0) {
      if (res.created) return undefined;
      options.onProgress?.(fromEtcd(res.header.revision));
      return Number(res.header.revision) + 1;
    }
    const events: WatchEvent[] = res.events.map((e) => {
      const kv = this.kv(e.kv);
      const prevKv = e.prev_kv ? this.kv(e.prev_kv) : undefined;
      // The client decodes enums as their names.
      if ((e.type as unknown) === 'Delete' || (e.type as unknown) === 1) {
        return { type: 'DELETE', kv: { ...kv, value: prevKv?.value ?? '', createRevision: prevKv?.createRevision ?? 0 }, prevKv, revision: kv.modRevision };
      }
      return { type: 'PUT', kv, ...(prevKv ? { prevKv } : {}), revision: kv.modRevision };
    });
    options.onEvents(events);
    const last = events[events.length - 1].revision;
    if (open()) options.onProgress?.(last);
    return toEtcd(last) + 1;
  }

  async compact(revision: number): Promise<void> {
    const current = await this.currentRevision();
    if (revision > current) throw new StoreError(`cannot compact to revision ${revision}: the store is at ${current}`);
    if (revision <= (await this.compactedRevision())) return;
    await this.call(() => this.client.kv.compact({ revision: toEtcd(revision), physical: true })).catch((err: Error) => {
      if (!(err instanceof CompactedError)) throw err;
    });
  }

  async compactedRevision(): Promise<number> {
    // The oldest readable etcd revision r: reads at r succeed, at r - 1 fail (compacted).
    const readable = async (rev: number) => {
      try {
        await this.call(() => this.client.kv.range({ key: this.key('/'), count_only: true, revision: rev }));
        return true;
      } catch (err) {
        if (err instanceof CompactedError) return false;
        throw err;
      }
    };
    let hi = toEtcd(await this.currentRevision());
    let lo = 1;
    if (await readable(lo)) return 0;
    // Invariant: lo is compacted away, hi is readable.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    return fromEtcd(hi);
  }

  /** etcd's own snapshot of the member the client talks to (a bbolt file with etcd's hash at its end). */
  async snapshot(file: string): Promise<SnapshotInfo> {
    // A gRPC readable stream underneath: it can pause for the file's backpressure.
    const stream = (await this.call(() => this.client.maintenance.snapshot())) as RPC.IResponseStream<RPC.ISnapshotResponse> & { pause(): void; resume(): void };
    const out = createWriteStream(file);
    let revision = 0;
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: RPC.ISnapshotResponse) => {
        if (!revision && chunk.header?.revision) revision = fromEtcd(chunk.header.revision);
        bytes += chunk.blob.length;
        if (!out.write(chunk.blob)) {
          stream.pause();
          out.once('drain', () => stream.resume());
        }
      });
      stream.on('error', (err: Error) => reject(this.storeError(err)));
      stream.on('end', () => out.end(() => resolve()));
      out.on('error', reject);
    });
    return { revision, bytes, format: 'etcd' };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watchers]) w.fail(new UnavailableError('the store is closed'));
    // Calls already under way are answered before the connections go.
    await new Promise((r) => setImmediate(r));
    await this.drain();
    this.client.close();
  }

  private inflight = 0;
  private drained: Array<() => void> = [];

  private drain(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((r) => this.drained.push(r));
  }

  /** The etcd key of a store key; the empty key (every key) is etcd's "\0". */
  private key(key: string): Buffer {
    const k = this.prefix.length ? Buffer.concat([this.prefix, Buffer.from(key)]) : Buffer.from(key);
    return k.length ? k : Buffer.from([0]);
  }

  private kv(kv: RPC.IKeyValue): KeyValue {
    const key = kv.key.subarray(this.prefix.length).toString();
    return { key, value: kv.value.toString(), createRevision: fromEtcd(kv.create_revision), modRevision: fromEtcd(kv.mod_revision) };
  }

  /** The error of a compare that failed: the key is gone, or at another revision. */
  private writeConflict(key: string, res: RPC.ITxnResponse): StoreError {
    const current = res.responses[0]?.response_range?.kvs[0];
    return current ? new ConflictError(key, fromEtcd(current.mod_revision)) : new NotFoundError(key);
  }

  /** A read at `revision` (0 or undefined: the latest); compaction answers with the compacted revision. */
  private async read<T>(revision: number | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await this.call(call);
    } catch (err) {
      if (err instanceof CompactedError && revision) throw new CompactedError(revision, await this.compactedRevision());
      throw err;
    }
  }

  /** One etcd call, its errors in the Store's terms. */
  private async call<T>(call: () => Promise<T>): Promise<T> {
    if (this.closed) throw new UnavailableError('the store is closed');
    this.inflight++;
    try {
      const res = await call();
      const rev = Number((res as { header?: { revision?: string } }).header?.revision ?? 0);
      if (rev > this.lastSeen) this.lastSeen = rev;
      return res;
    } catch (err) {
      throw this.storeError(err as Error);
    } finally {
      if (--this.inflight === 0 && this.drained.length) for (const r of this.drained.splice(0)) r();
    }
  }

  private storeError(err: Error): Error {
    const msg = err.message ?? String(err);
    if (/required revision has been compacted/.test(msg)) return new CompactedError(0, 0);
    if (/required revision is a future revision/.test(msg)) return new StoreError('the requested revision is newer than the store');
    const endpoints = this.opts.endpoints.join(',');
    if (/DEADLINE_EXCEEDED|Deadline exceeded/i.test(msg)) return new UnavailableError(`etcd did not answer within ${this.timeoutMs / 1000} s (endpoints ${endpoints}): is a quorum of its members up?`);
    if (/deadline|timed out|unavailable|no connection|connect|ECONNREFUSED|closed|leader/i.test(msg) || err.constructor.name.startsWith('GRPC')) {
      return new UnavailableError(`etcd unavailable at ${this.opts.endpoints.join(',')}: ${msg.replace(/\s+/g, ' ').trim()}`);
    }
    return new StoreError(`etcd: ${msg}`);
  }
}
