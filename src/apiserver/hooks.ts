// Kind-specific steps of the write path that need the store (upstream's BeginCreate,
// BeginUpdate and AfterDelete hooks): Services allocate cluster IPs and node ports. A begin
// step returns a transaction the verb commits once the object is stored, or reverts.
import type { KubeObject } from '../api/types.js';

export interface Transaction {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

export interface KindHooks {
  /** On update, before defaulting: carry over values the server allocated and the body left out. */
  prepareUpdate?(next: KubeObject, old: KubeObject): void;
  /** On create, after validation and admission, before the object is stored. */
  beginCreate?(obj: KubeObject, dryRun: boolean): Promise<Transaction>;
  /** On update, after validation and admission, before the object is stored. */
  beginUpdate?(next: KubeObject, old: KubeObject, dryRun: boolean): Promise<Transaction>;
  /** After the object is gone from the store. */
  afterDelete?(obj: KubeObject): Promise<void>;
}
