// Opens the configured store driver. Everything above the store imports from here: the Store
// contract (re-exported from store.ts) and openStore.
import { MemoryStore } from './drivers/memory.js';
import { SqliteStore } from './drivers/sqlite.js';
import { EtcdStore } from './drivers/etcd.js';
import { StoreError, type Store } from './store.js';

export * from './store.js';

/**
 * Which driver holds the cluster state. Each runs the shared contract suite in store.contract.ts.
 */
export type StoreDriver = 'sqlite' | 'memory' | 'etcd';

export interface StoreConfig {
  driver: StoreDriver;
  /** sqlite: the directory of state.db (created if missing). */
  dataDir?: string;
  /** Idle watch progress notifications every this many milliseconds (default 1000; etcd: set on its members). */
  progressIntervalMs?: number;
  /** etcd: the client URLs of the members. */
  endpoints?: string[];
  /** etcd: prepended to every key (default none). */
  prefix?: string;
  /** etcd: a call that takes longer fails as unavailable (default 5000). */
  requestTimeoutMs?: number;
  /** etcd: TLS to the members. */
  tls?: { caPem?: string; certPem?: string; keyPem?: string };
}

export async function openStore(config: StoreConfig): Promise<Store> {
  const { progressIntervalMs } = config;
  switch (config.driver) {
    case 'sqlite':
      if (!config.dataDir) throw new StoreError('the sqlite store needs a dataDir');
      return new SqliteStore({ dataDir: config.dataDir, progressIntervalMs });
    case 'memory':
      return new MemoryStore({ progressIntervalMs });
    case 'etcd': {
      if (!config.endpoints?.length) throw new StoreError('the etcd store needs endpoints');
      const store = new EtcdStore({ endpoints: config.endpoints, prefix: config.prefix, requestTimeoutMs: config.requestTimeoutMs, tls: config.tls });
      // Fail at start, with the endpoints named, when no member answers.
      await store.currentRevision().catch(async (err: Error) => {
        await store.close();
        throw err;
      });
      return store;
    }
    default:
      throw new StoreError(`unknown store driver ${String((config as { driver: unknown }).driver)} (known: sqlite, memory, etcd)`);
  }
}
