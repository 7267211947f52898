// What every request handler gets: the parsed request, the user, the resource it addresses,
// and the server's shared parts (store, registry, watch cache, admission, clock).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Store } from '../store/store.js';
import type { ResourceType } from '../api/resources.js';
import type { UserInfo } from './authn.js';
import type { RequestInfo } from './requestinfo.js';
import type { ResourceRegistry } from './registry.js';
import type { WatchCache } from './watchcache.js';
import type { Admission } from './admission.js';
import type { KindHooks } from './hooks.js';

export interface ServerParts {
  store: Store;
  registry: ResourceRegistry;
  watchCache: WatchCache;
  admission: Admission;
  /** Write-path hooks by group-kind ("Service", "Deployment.apps"). */
  hooks: Map<string, KindHooks>;
  now: () => Date;
  /** Called when a watch stream opens and closes, for metrics. */
  serverId: string;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  user: UserInfo;
  resource: ResourceType;
  parts: ServerParts;
  /** Warning headers to send ("299 - message"). */
  warnings: string[];
  /** An HTTP/1.1 Upgrade request (exec, attach, portforward): its socket, which res writes to. */
  upgrade?: UpgradeRequest;
}

export interface UpgradeRequest {
  socket: Duplex;
  /** Bytes the client sent after the request head. */
  head: Buffer;
  /** The handler took the socket over (switched protocols); the server must not close it. */
  taken?: boolean;
}

export function isDryRun(ctx: RequestContext): boolean {
  const values = ctx.query.getAll('dryRun');
  return values.includes('All');
}
