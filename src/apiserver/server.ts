// The API server: HTTPS, authentication, authorization, then either a non-resource path
// (health, version, discovery, OpenAPI) or a resource request dispatched to its verb.
import https from 'node:https';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { randomUUID, createHash } from 'node:crypto';
import { errors } from '../api/errors.js';
import type { Store } from '../store/store.js';
import { Registry } from 'prom-client';
import { ApiMetrics } from './metrics.js';
import { serveSnapshot } from './snapshot.js';
import { storageKey } from '../api/resources.js';
import type { ClusterPki } from './pki.js';
import { authenticate, type TokenAuthenticator, type UserInfo } from './authn.js';
import { AuthenticatedAuthorizer, forbiddenMessage, type Authorizer } from './authz.js';
import { BootstrapTokens } from './authn/bootstrap.js';
import { ClusterInfo } from './clusterinfo.js';
import { parseRequestInfo, type RequestInfo } from './requestinfo.js';
import { ResourceRegistry } from './registry.js';
import { WatchCache } from './watchcache.js';
import { Admission, namespaceLifecycle, defaultTolerationSeconds } from './admission.js';
import { limitRanger } from './admission/limitranger.js';
import { resourceQuota } from './admission/resourcequota.js';
import type { RequestContext, ServerParts, UpgradeRequest } from './context.js';
import { writeError, writeJson } from './respond.js';
import { aggregatedDiscovery, aggregatedDiscoveryVersion, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { openApiV3Document, openApiV3Index, openApiV2Placeholder } from './openapi/index.js';
import { CrdController } from './crds.js';
import { ServiceAllocations, type ServiceRangesOptions } from './services/allocations.js';
import { ServiceAllocationRepair } from './services/repair.js';
import { KubernetesService } from './services/kubernetes.js';
import { defaultStorageClassAdmission, persistentVolumeClaimResize, storageObjectInUseProtection } from './storage/admission.js';
import { ensureSnapshotCrds, ensureStorageDefaults } from './storage/bootstrap.js';
import { get } from './verbs/get.js';
import { list } from './verbs/list.js';
import { watch } from './verbs/watch.js';
import { create } from './verbs/create.js';
import { update } from './verbs/update.js';
import { patch } from './verbs/patch.js';
import { deleteOne, deleteCollection } from './verbs/delete.js';
import { scale } from './verbs/scale.js';
import { binding } from './verbs/binding.js';
import { podLog } from './verbs/log.js';
import { nodeProxy } from './verbs/proxy.js';
import { podStream } from './verbs/stream.js';
import { eviction } from './verbs/eviction.js';
import { certificateSigningRequestHooks } from './certificates.js';

export const kubernetesVersion = { major: '1', minor: '33', gitVersion: 'v1.33.0+unyo' };

export interface ApiServerOptions {
  store: Store;
  pki: ClusterPki;
  tokens: TokenAuthenticator[];
  authorizer?: Authorizer;
  now?: () => Date;
  /** Accept bootstrap tokens (kube-system/bootstrap-token-<id> Secrets) as bearer tokens (default true, as kubeadm sets up). */
  bootstrapTokens?: boolean;
  /** The server URL kube-public/cluster-info gives joining nodes (default: the advertised address). */
  clusterInfoServer?: string;
  /** How long new Pods tolerate not-ready/unreachable nodes (upstream 300 s). */
  defaultTolerationSeconds?: number;
  /** The Service cluster IP and node port ranges. */
  services?: ServiceRangesOptions;
  /** Keep the `kubernetes` Service and its endpoints in `default` (upstream always does; default true). */
  kubernetesService?: boolean;
  /** The address the `kubernetes` Service's endpoints name (default: where this server listens; HA: the load balancer). */
  advertise?: { ip: string; port: number };
  /** This server's name among several, answered in the X-Unyo-Apiserver header of every response. */
  name?: string;
  /** Where /metrics comes from (the store's own metrics may already be in it); default a new one. */
  metricsRegistry?: Registry;
}

export class ApiServer {
  readonly registry = new ResourceRegistry();
  readonly parts: ServerParts;
  private server?: https.Server;
  private crds: CrdController;
  readonly serviceAllocations: ServiceAllocations;
  private serviceRepair: ServiceAllocationRepair;
  private kubernetesService?: KubernetesService;
  private authorizer: Authorizer;
  private readonly tokens: TokenAuthenticator[];
  private clusterInfo?: ClusterInfo;
  private address = '';
  private openapiCache = new Map<string, { body: string; etag: string }>();
  private openapiGeneration = -1;
  private compactTimer?: NodeJS.Timeout;
  readonly metrics: ApiMetrics;

  constructor(private readonly opts: ApiServerOptions) {
    const now = opts.now ?? (() => new Date());
    this.serviceAllocations = new ServiceAllocations(opts.store, opts.services, now);
    const allocations = this.serviceAllocations;
    const watchCache = new WatchCache(opts.store);
    this.parts = {
      store: opts.store,
      registry: this.registry,
      watchCache,
      // Upstream's order: LimitRanger early, ResourceQuota last (it charges what the others let through).
      admission: new Admission([
        namespaceLifecycle(opts.store),
        limitRanger(opts.store, watchCache),
        defaultTolerationSeconds(opts.defaultTolerationSeconds ?? 300),
        defaultStorageClassAdmission(opts.store),
        storageObjectInUseProtection(),
        persistentVolumeClaimResize(opts.store),
        resourceQuota(opts.store, watchCache, now),
      ]),
      now,
      serverId: randomUUID(),
      hooks: new Map([
        [
          'Service',
          {
            prepareUpdate: (next, old, subresource) => {
              if (subresource === '') allocations.prepareUpdate(next, old);
            },
            beginCreate: (obj, dryRun) => allocations.beginCreate(obj, dryRun),
            beginUpdate: (next, old, dryRun) => allocations.beginUpdate(next, old, dryRun),
            afterDelete: (obj) => allocations.release(obj).catch(() => undefined),
          },
        ],
        ['CertificateSigningRequest.certificates.k8s.io', certificateSigningRequestHooks(now)],
      ]),
    };
    this.metrics = new ApiMetrics(opts.metricsRegistry ?? new Registry(), opts.store, () => watchCache.watcherCount);
    this.authorizer = opts.authorizer ?? new AuthenticatedAuthorizer();
    this.tokens = opts.bootstrapTokens === false ? opts.tokens : [...opts.tokens, new BootstrapTokens(opts.store, now)];
    this.crds = new CrdController(opts.store, this.registry, this.parts.watchCache, now);
    this.serviceRepair = new ServiceAllocationRepair(opts.store, this.parts.watchCache, this.serviceAllocations, now);
  }

  async start(port: number, host = '127.0.0.1'): Promise<void> {
    await this.parts.watchCache.start();
    await this.bootstrap();
    const newCluster = await ensureSnapshotCrds(this.opts.store, this.parts.now());
    await this.crds.start();
    if (newCluster) await ensureStorageDefaults(this.opts.store, this.parts.now());
    await this.serviceRepair.start();
    this.server = https.createServer(
      { key: this.opts.pki.serving.key, cert: this.opts.pki.serving.cert, ca: this.opts.pki.ca.cert, requestCert: true, rejectUnauthorized: false, keepAlive: true },
      (req, res) => void this.handle(req, res),
    );
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
    this.server.keepAliveTimeout = 60_000;
    this.server.headersTimeout = 65_000;
    this.server.requestTimeout = 0; // watches stream for a long time
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.address = `${host}:${addr.port}`;
    const advertise = this.opts.advertise ?? { ip: host === '0.0.0.0' ? '127.0.0.1' : host, port: addr.port };
    if (this.opts.kubernetesService !== false) {
      this.kubernetesService = new KubernetesService(this.opts.store, this.serviceAllocations, advertise, this.parts.now);
      await this.kubernetesService.start();
    }
    this.clusterInfo = new ClusterInfo(this.opts.store, this.opts.clusterInfoServer ?? `https://${advertise.ip}:${advertise.port}`, this.opts.pki.ca.cert, this.parts.now);
    await this.clusterInfo.ensure();
    this.scheduleCompaction();
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    clearInterval(this.compactTimer);
    this.crds.stop();
    this.serviceRepair.stop();
    this.kubernetesService?.stop();
    this.parts.watchCache.stop();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The namespaces every cluster has. */
  private async bootstrap(): Promise<void> {
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      const key = storageKey('', 'namespaces', undefined, name);
      if (await this.opts.store.get(key)) continue;
      const ns = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, uid: randomUUID(), creationTimestamp: this.parts.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      };
      await this.opts.store.create(key, JSON.stringify(ns)).catch(() => undefined);
    }
  }

  /** Keep the store's history bounded: every 5 minutes forget what is older than the previous mark. */
  private scheduleCompaction(): void {
    let mark = 0;
    this.compactTimer = setInterval(() => {
      const target = mark;
      mark = this.parts.watchCache.revision;
      if (target > 0) this.opts.store.compact(target).catch(() => undefined);
    }, 5 * 60_000);
    this.compactTimer.unref();
  }

  /**
   * An HTTP/1.1 Upgrade request goes through the same authentication and dispatch, with a
   * response written straight to its socket; unless a handler switched protocols, the
   * connection closes after that response.
   */
  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const res = new ServerResponse(req);
    res.assignSocket(socket as never);
    res.shouldKeepAlive = false;
    const upgrade: UpgradeRequest = { socket, head };
    res.on('finish', () => {
      res.detachSocket(socket as never);
      if (!upgrade.taken) socket.end();
    });
    void this.handle(req, res, upgrade).finally(() => {
      if (!upgrade.taken && !res.writableEnded) socket.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, upgrade?: UpgradeRequest): Promise<void> {
    const warnings: string[] = [];
    if (this.opts.name) res.setHeader('X-Unyo-Apiserver', this.opts.name);
    try {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      this.metrics.track(req, res, info);
      const auth = await authenticate(req, this.tokens);
      if ('error' in auth) throw errors.unauthorized();
      const decision = await this.authorizer.authorize(auth.user, info);
      if (!decision.allowed) {
        if (auth.user.name === 'system:anonymous') throw errors.unauthorized();
        if (!info.isResourceRequest) throw errors.forbiddenPath(forbiddenMessage(auth.user, info));
        throw errors.forbidden(info.group, info.resource, info.name, forbiddenMessage(auth.user, info));
      }
      if (!info.isResourceRequest) return await this.nonResource(req, res, url, info, auth.user);
      await this.resource(req, res, url, info, auth.user, warnings, upgrade);
    } catch (err) {
      writeError(res, err, warnings);
    }
  }

  /**
   * /healthz, /livez and /readyz: the store must answer a read within 2 s (upstream's `etcd`
   * check), so a load balancer stops sending clients to a server that lost its store.
   */
  private async health(res: ServerResponse, url: URL, name: string): Promise<void> {
    const store = await storeCheck(this.opts.store, 2000);
    const lines = ['[+]ping ok', store ? `[-]etcd failed: ${store}` : '[+]etcd ok', store ? `${name} check failed` : `${name} check passed`];
    res.writeHead(store ? 500 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(url.searchParams.has('verbose') || store ? lines.join('\n') + '\n' : 'ok');
  }

  private async nonResource(req: IncomingMessage, res: ServerResponse, url: URL, info: RequestInfo, user: UserInfo): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed(req.method ?? '', path);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return this.health(res, url, path.slice(1));
    if (path === '/metrics') return this.metrics.serve(res);
    if (path === '/unyo/v1/snapshot') return serveSnapshot(this.opts.store, user, res);
    if (path === '/version') {
      return writeJson(res, 200, { ...kubernetesVersion, gitCommit: 'unyo', gitTreeState: 'clean', buildDate: '2026-11-22T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'unyo', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}` });
    }
    const accept = req.headers.accept;
    if (path === '/api') {
      const agg = aggregatedDiscoveryVersion(accept);
      if (agg) return writeJson(res, 200, aggregatedDiscovery(this.registry, true, agg), [], `application/json;g=apidiscovery.k8s.io;v=${agg.split('/')[1]};as=APIGroupDiscoveryList`);
      return writeJson(res, 200, apiVersions(this.address));
    }
    if (path === '/apis') {
      const agg = aggregatedDiscoveryVersion(accept);
      if (agg) return writeJson(res, 200, aggregatedDiscovery(this.registry, false, agg), [], `application/json;g=apidiscovery.k8s.io;v=${agg.split('/')[1]};as=APIGroupDiscoveryList`);
      return writeJson(res, 200, apiGroupList(this.registry));
    }
    if (path.startsWith('/apis/') && path.split('/').length === 3) {
      const g = apiGroup(this.registry, path.split('/')[2]);
      if (!g) throw errors.pathNotFound();
      return writeJson(res, 200, g);
    }
    if (path === '/api/v1' || (path.startsWith('/apis/') && path.split('/').length === 4)) {
      const list = apiResourceList(this.registry, info.group, info.version);
      if (!list) throw errors.pathNotFound();
      return writeJson(res, 200, list);
    }
    if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return this.openapi(req, res, path);
    if (path === '/openapi/v2') {
      const v2 = openApiV2Placeholder(accept);
      res.writeHead(200, { 'Content-Type': v2.contentType, 'Content-Length': Buffer.byteLength(v2.body) });
      res.end(v2.body);
      return;
    }
    throw errors.pathNotFound();
  }

  private openapi(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (this.openapiGeneration !== this.registry.generation) {
      this.openapiCache.clear();
      this.openapiGeneration = this.registry.generation;
    }
    const key = path === '/openapi/v3' ? '' : path.slice('/openapi/v3/'.length);
    let doc = this.openapiCache.get(key);
    if (!doc) {
      if (key === '') {
        const text = JSON.stringify(openApiV3Index(this.registry.all()));
        doc = { body: text, etag: `"${createHash('sha512').update(text).digest('hex').toUpperCase()}"` };
      } else {
        const built = openApiV3Document(this.registry.all(), key);
        if (!built) throw errors.pathNotFound();
        doc = { body: built.body, etag: `"${built.hash}"` };
      }
      this.openapiCache.set(key, doc);
    }
    if (req.headers['if-none-match'] === doc.etag) {
      res.writeHead(304, { ETag: doc.etag });
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: doc.etag, 'Cache-Control': key === '' ? 'no-cache, private' : 'public, immutable', 'Content-Length': Buffer.byteLength(doc.body) });
    res.end(doc.body);
  }

  private async resource(req: IncomingMessage, res: ServerResponse, url: URL, info: RequestInfo, user: UserInfo, warnings: string[], upgrade?: UpgradeRequest): Promise<void> {
    const resource = this.registry.lookup(info.group, info.version, info.resource);
    if (!resource) throw errors.pathNotFound();
    if (info.namespace && !resource.namespaced && !(resource.kind === 'Namespace' && resource.group === '')) throw errors.pathNotFound();
    const ctx: RequestContext = { req, res, info, query: url.searchParams, user, resource, parts: this.parts, warnings, upgrade };
    const verb = info.verb;
    const sub = info.subresource;
    if (sub) {
      const proxyPath = /^proxy(?:\/(.*))?$/.exec(sub);
      if (proxyPath && resource.kind === 'Node' && resource.group === '') return nodeProxy(ctx, this.opts.pki.kubeletClient, proxyPath[1] ?? '');
      if (!resource.subresources.includes(sub)) throw errors.pathNotFound();
      if (sub === 'scale') return scale(ctx);
      if (sub === 'binding' && resource.kind === 'Pod' && resource.group === '') return binding(ctx);
      if (sub === 'eviction' && resource.kind === 'Pod' && resource.group === '') return eviction(ctx);
      if (sub === 'log' && resource.kind === 'Pod' && resource.group === '') return podLog(ctx, this.opts.pki.kubeletClient);
      if ((sub === 'exec' || sub === 'attach' || sub === 'portforward') && resource.kind === 'Pod' && resource.group === '') {
        return podStream(ctx, this.opts.pki.kubeletClient);
      }
      if (sub === 'finalize' && resource.kind === 'Namespace' && resource.group === '') {
        if (verb === 'update') return update(ctx);
        throw errors.methodNotAllowed(req.method ?? '', 'Namespace/finalize');
      }
      if (sub === 'status' || (sub === 'approval' && resource.kind === 'CertificateSigningRequest' && resource.group === 'certificates.k8s.io')) {
        if (verb === 'get') return get(ctx);
        if (verb === 'update') return update(ctx);
        if (verb === 'patch') return patch(ctx);
        throw errors.methodNotAllowed(req.method ?? '', `${resource.kind}/${sub}`);
      }
      throw errors.notFoundSubresource(resource, sub);
    }
    if (!resource.verbs.includes(verb as never)) throw errors.methodNotAllowed(verb, resource.kind);
    if (resource.namespaced && !info.namespace && ['create', 'update', 'patch', 'delete', 'get'].includes(verb)) {
      throw errors.pathNotFound();
    }
    switch (verb) {
      case 'get':
        return get(ctx);
      case 'list':
        return list(ctx);
      case 'watch':
        return watch(ctx);
      case 'create':
        return create(ctx);
      case 'update':
        return update(ctx);
      case 'patch':
        return patch(ctx);
      case 'delete':
        return deleteOne(ctx);
      case 'deletecollection':
        return deleteCollection(ctx);
      default:
        throw errors.methodNotAllowed(verb, resource.kind);
    }
  }
}

/** Why the store cannot serve a read now (undefined: it can). */
async function storeCheck(store: Store, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer in ${timeoutMs} ms`), timeoutMs)));
  try {
    return await Promise.race([store.currentRevision().then(() => undefined, (err: Error) => err.message), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
