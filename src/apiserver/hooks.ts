// Kind-specific steps of the write path (upstream's registry strategies and their
// PrepareForCreate, PrepareForUpdate, BeginCreate, BeginUpdate and AfterDelete hooks): Services
// allocate cluster IPs and node ports; CertificateSigningRequests record who asked and keep
// each update path to its own fields. A begin step returns a transaction the verb commits once
// the object is stored, or reverts.
import type { KubeObject } from '../api/types.js';
import type { UserInfo } from './authn.js';

export interface Transaction {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

export interface KindHooks {
  /** On create, before validation: what the server sets from the request (the requesting user). */
  prepareCreate?(obj: KubeObject, user: UserInfo): void;
  /**
   * On update, before defaulting and validation: carry over what this update path may not
   * change (values the server allocated, fields of other subresources). `subresource` is ''
   * for the object itself.
   */
  prepareUpdate?(next: KubeObject, old: KubeObject, subresource: string): void;
  /** On create, after validation and admission, before the object is stored. */
  beginCreate?(obj: KubeObject, dryRun: boolean): Promise<Transaction>;
  /** On update, after validation and admission, before the object is stored. */
  beginUpdate?(next: KubeObject, old: KubeObject, dryRun: boolean): Promise<Transaction>;
  /** After the object is gone from the store. */
  afterDelete?(obj: KubeObject): Promise<void>;
}
