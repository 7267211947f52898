// The Store interface: a key-value store with MVCC revisions, shaped after etcd v3 so that the
// sqlite (kine-style log table), memory and etcd drivers all fit it. The API server maps
// an object's resourceVersion to the modRevision of its key.
//
// Semantics every driver must keep (store.contract.ts checks them, for every driver):
// - one global revision counter, increased by exactly one for every successful write
//   (create, update, delete), never reused, surviving restarts;
// - reads and writes are linearizable; a write is acknowledged only once it is durable;
// - list and get may read at an older revision while it is not compacted;
// - watch delivers every change after `fromRevision` in revision order, with the previous
//   value on updates and deletes; a watch or read at a compacted revision fails with
//   CompactedError.

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (the first create after any delete). */
  createRevision: number;
  /** Revision of the last write of this key. */
  modRevision: number;
}

export interface ListOptions {
  /** Read as of this revision (0 or undefined: the latest). */
  revision?: number;
  /** At most this many items; `more` says whether there were others. */
  limit?: number;
  /** Start listing at this key (inclusive): the continue point of paging. */
  startKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when `limit` cut the list short. */
  more: boolean;
  /** Number of keys under the prefix from startKey on, including the returned ones. */
  count: number;
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface WatchEvent {
  type: WatchEventType;
  /** For PUT the new value; for DELETE the key with the revision of the delete and the last value. */
  kv: KeyValue;
  /** The value before this change (absent on a create). */
  prevKv?: KeyValue;
  /** The revision at which this event happened (modRevision of the write). */
  revision: number;
}

export interface Watcher {
  /** Stop delivering events and free the watch. */
  close(): void;
}

export interface WatchOptions {
  /** Deliver changes with revision > fromRevision. 0: from now. */
  fromRevision: number;
  onEvents: (events: WatchEvent[]) => void;
  /** Called once if the watch cannot continue (compaction, driver closed, connection lost). */
  onError: (err: Error) => void;
  /** Called when the store reports it has sent every event up to this revision (progress notify). */
  onProgress?: (revision: number) => void;
}

export interface Store {
  /** The latest revision. */
  currentRevision(): Promise<number>;
  get(key: string, revision?: number): Promise<KeyValue | undefined>;
  /** Keys under a prefix, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Create a key. Fails with KeyExistsError if it exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replace a key's value if its modRevision is still `expectedModRevision`, else ConflictError (NotFoundError if gone). */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Delete a key, optionally only at `expectedModRevision`. Returns the deleted value with the delete's revision as modRevision. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Watch a prefix. */
  watch(prefix: string, options: WatchOptions): Watcher;
  /** Forget history older than `revision`; reads and watches before it fail with CompactedError. */
  compact(revision: number): Promise<void>;
  /** The oldest revision still readable. */
  compactedRevision(): Promise<number>;
  /**
   * Write a consistent copy of the whole store to `file`, in the driver's own format (sqlite:
   * a database file; etcd: etcd's snapshot, which `etcdctl snapshot restore` reads), while
   * the store goes on serving. Resolves with the revision the copy holds.
   */
  snapshot?(file: string): Promise<SnapshotInfo>;
  close(): Promise<void>;
}

export interface SnapshotInfo {
  revision: number;
  bytes: number;
  /** The driver that wrote it (restore must match it). */
  format: 'sqlite' | 'etcd';
}

export class StoreError extends Error {}
export class KeyExistsError extends StoreError {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
  }
}
export class NotFoundError extends StoreError {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}
export class ConflictError extends StoreError {
  constructor(readonly key: string, readonly actualModRevision: number) {
    super(`revision conflict on ${key}: now at ${actualModRevision}`);
  }
}
export class CompactedError extends StoreError {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (oldest available ${compacted})`);
  }
}
/** The store cannot take the request now (quorum lost, disk full, closed); the API answers 503/504. */
export class UnavailableError extends StoreError {}
