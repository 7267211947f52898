// An informer: a local cache of one resource kept current by list+watch, as client-go's
// shared informer does. It re-watches from the last resourceVersion when a stream ends,
// re-lists on 410 Gone, and tells handlers about adds, updates and deletes. Handlers run
// in order, after the cache has changed.
import type { KubeObject } from '../api/types.js';
import { ApiClient, type ResourceRef, type WatchHandle } from './client.js';

export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export function objectKeyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

/** Maps an object to the index values it is filed under (client-go's IndexFunc). */
export type IndexFunc<T> = (obj: T) => string[];

export class Informer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  /** index name → index value → object keys */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private watchHandle?: WatchHandle;
  private resourceVersion = '';
  private stopped = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private retryTimer?: NodeJS.Timeout;

  constructor(private readonly client: ApiClient, private readonly ref: ResourceRef, private readonly opts: { labelSelector?: string; fieldSelector?: string } = {}) {
    this.addIndex('namespace', (obj) => (obj.metadata.namespace ? [obj.metadata.namespace] : []));
  }

  on(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.items.values()];
    return this.byIndex('namespace', namespace);
  }

  /**
   * Keep an index of the cache: byIndex(name, value) then answers without a scan. Add
   * indexes before start(). A `namespace` index exists from the start.
   */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexFuncs.has(name)) return;
    this.indexFuncs.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indexes.set(name, index);
    for (const [key, obj] of this.items) this.fileUnder(index, fn(obj), key);
  }

  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) {
      if (!this.indexes.has(name)) throw new Error(`informer has no index "${name}"`);
      return [];
    }
    return [...keys].map((k) => this.items.get(k)!);
  }

  private fileUnder(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      let keys = index.get(v);
      if (!keys) index.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  private reindex(key: string, old: T | undefined, obj: T | undefined): void {
    for (const [name, fn] of this.indexFuncs) {
      const index = this.indexes.get(name)!;
      if (old)
        for (const v of fn(old)) {
          const keys = index.get(v);
          keys?.delete(key);
          if (keys?.size === 0) index.delete(v);
        }
      if (obj) this.fileUnder(index, fn(obj), key);
    }
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.watchHandle?.stop();
  }

  private retry(fn: () => void, ms: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(fn, ms);
    this.retryTimer.unref();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const list = await this.client.list<T>(this.ref, this.opts);
      const fresh = new Map<string, T>();
      for (const item of list.items) fresh.set(objectKeyOf(item), item);
      for (const [key, old] of this.items) if (!fresh.has(key)) this.apply('DELETED', old);
      for (const item of fresh.values()) this.apply(this.items.has(objectKeyOf(item)) ? 'MODIFIED' : 'ADDED', item);
      this.resourceVersion = list.metadata.resourceVersion ?? '';
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
      this.rewatch();
    } catch {
      this.retry(() => void this.relist(), 1000);
    }
  }

  private rewatch(): void {
    if (this.stopped) return;
    let gone = false;
    this.watchHandle = this.client.watch(
      this.ref,
      { ...this.opts, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 + Math.floor(Math.random() * 300) },
      (type, obj) => {
        if (type === 'ERROR') {
          gone = obj?.code === 410;
          return;
        }
        if (obj?.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
        if (type !== 'BOOKMARK') this.apply(type, obj as T);
      },
      (err) => {
        if (this.stopped) return;
        if (gone) this.retry(() => void this.relist(), 0);
        else if (err) this.retry(() => void this.relist(), 1000);
        else this.retry(() => this.rewatch(), 0);
      },
    );
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    const key = objectKeyOf(obj);
    const old = this.items.get(key);
    if (type === 'DELETED') {
      if (!old) return;
      this.items.delete(key);
      this.reindex(key, old, undefined);
      for (const h of this.handlers) h.delete?.(obj);
      return;
    }
    this.items.set(key, obj);
    this.reindex(key, old, obj);
    if (old) {
      if (old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
      for (const h of this.handlers) h.update?.(old, obj);
    } else for (const h of this.handlers) h.add?.(obj);
  }
}
