// Opens the configured store driver. Everything above the store imports from here: the Store
// contract (re-exported from store.ts) and openStore.
import { MemoryStore } from './drivers/memory.js';
import { SqliteStore } from './drivers/sqlite.js';
import { StoreError, type Store } from './store.js';

export * from './store.js';

/**
 * Which driver holds the cluster state. A driver added later (etcd: endpoints, TLS) extends this
 * union and the switch in openStore, and runs the shared contract suite in store.contract.ts.
 */
export type StoreDriver = 'sqlite' | 'memory';

export interface StoreConfig {
  driver: StoreDriver;
  /** sqlite: the directory of state.db (created if missing). */
  dataDir?: string;
  /** Idle watch progress notifications every this many milliseconds (default 1000). */
  progressIntervalMs?: number;
}

export async function openStore(config: StoreConfig): Promise<Store> {
  const { progressIntervalMs } = config;
  switch (config.driver) {
    case 'sqlite':
      if (!config.dataDir) throw new StoreError('the sqlite store needs a dataDir');
      return new SqliteStore({ dataDir: config.dataDir, progressIntervalMs });
    case 'memory':
      return new MemoryStore({ progressIntervalMs });
    default:
      throw new StoreError(`unknown store driver ${String((config as { driver: unknown }).driver)} (known: sqlite, memory)`);
  }
}
