// `unyo server`: one API server on a store. `unyo up` runs it in its own process for a
// single-machine cluster and starts three of them (on an etcd cluster) for `--ha`; on
// several machines each control-plane machine runs one against the same etcd cluster.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ensureToken } from '../cluster/files.js';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { openStore, type Store, type StoreConfig } from '../store/index.js';
import { instrumentStore } from '../store/metrics.js';
import { ensurePki } from '../apiserver/pki.js';
import { ApiServer } from '../apiserver/server.js';
import { StaticTokens } from '../apiserver/authn.js';

/** The Service range, the `kubernetes` Service's address in it, and the cluster DNS (the kube-dns Service's, the 10th). */
export const SERVICE_CIDR = '127.16.0.0/16';
export const KUBERNETES_SERVICE_IP = '127.16.0.1';
export const CLUSTER_DNS_IP = '127.16.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';

export interface ServeOptions {
  /** Where the PKI and tokens are (DIR/pki), and state.db for sqlite. */
  dataDir: string;
  store: StoreConfig;
  port: number;
  host?: string;
  profile: 'default' | 'fast';
  /** The address Pods reach the API at, for the `kubernetes` Service (HA: the load balancer's). */
  advertise?: { ip: string; port: number };
  /** This server's name, sent in the X-Unyo-Apiserver header so clients and drills can tell servers apart. */
  name?: string;
}

export interface ServingApi {
  server: ApiServer;
  store: Store;
  url: string;
  token: string;
  caPem: string;
  stop(): Promise<void>;
}

/** Open the store and serve the API on it; PKI and tokens are made on first use and reused. */
export async function serveApi(opts: ServeOptions): Promise<ServingApi> {
  // Pods reach the API server as https://kubernetes.default.svc (the first Service address).
  // Another machine reaches it by the address it binds to or advertises: the serving certificate names those too.
  const reachable = [opts.host, opts.advertise?.ip].filter((ip): ip is string => !!ip && ip !== '0.0.0.0' && ip !== '127.0.0.1');
  const pki = await ensurePki(opts.dataDir, [KUBERNETES_SERVICE_IP, ...reachable]);
  const token = ensureToken(join(opts.dataDir, 'pki', 'admin.token'));
  const tokens = new StaticTokens();
  tokens.add(token, { name: 'unyo-admin', groups: ['system:masters'] });
  // The process's own figures, the store's round trips and the API's requests, all on /metrics.
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const store = instrumentStore(await openStore(opts.store), metricsRegistry);
  const server = new ApiServer({
    store,
    pki,
    tokens: [tokens],
    defaultTolerationSeconds: opts.profile === 'fast' ? 5 : 300,
    services: { serviceCIDR: SERVICE_CIDR },
    advertise: opts.advertise,
    name: opts.name,
    metricsRegistry,
  });
  try {
    await server.start(opts.port, opts.host);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return {
    server,
    store,
    url: `https://${opts.host ?? '127.0.0.1'}:${server.port}`,
    token,
    caPem: pki.ca.cert,
    async stop() {
      await server.stop().catch(() => undefined);
      await store.close().catch(() => undefined);
    },
  };
}

export interface ServerCommandOptions extends EtcdFlags {
  dataDir: string;
  port: number;
  store: string;
  profile: 'default' | 'fast';
  advertiseAddress?: string;
  bindAddress: string;
  name?: string;
}

/** The `unyo server` command: serve until SIGINT/SIGTERM. */
export async function runServer(opts: ServerCommandOptions): Promise<void> {
  const store = storeConfig(opts.store, opts.dataDir, opts);
  let advertise: ServeOptions['advertise'];
  if (opts.advertiseAddress) {
    const m = /^([\d.]+):(\d+)$/.exec(opts.advertiseAddress);
    if (!m) throw new Error(`--advertise-address must be IP:PORT, got "${opts.advertiseAddress}"`);
    advertise = { ip: m[1], port: Number(m[2]) };
  }
  if (!/^[\d.]+$/.test(opts.bindAddress)) throw new Error(`--bind-address must be an IPv4 address, got "${opts.bindAddress}"`);
  const api = await serveApi({ dataDir: opts.dataDir, store, port: opts.port, host: opts.bindAddress, profile: opts.profile, advertise, name: opts.name });
  console.log(`${opts.name ?? 'apiserver'}: ready, serving on ${api.url}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await api.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

/** How a server reaches etcd: the command line's --etcd-* flags (kube-apiserver's names). */
export interface EtcdFlags {
  etcdEndpoints?: string;
  /** The CA that signed the members' serving certificates (default: the system's). */
  etcdCafile?: string;
  /** The client certificate and key presented to members that require one (--client-cert-auth). */
  etcdCertfile?: string;
  etcdKeyfile?: string;
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${flag}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The store a server uses, from the command line's --store and --etcd-* flags. */
export function storeConfig(driver: string, dataDir: string, etcd: EtcdFlags = {}): StoreConfig {
  const tlsFlags = etcd.etcdCafile || etcd.etcdCertfile || etcd.etcdKeyfile;
  if (driver === 'sqlite') {
    if (etcd.etcdEndpoints || tlsFlags) throw new Error('--etcd-endpoints and --etcd-cafile/--etcd-certfile/--etcd-keyfile need --store etcd');
    return { driver: 'sqlite', dataDir };
  }
  if (driver === 'etcd') {
    const endpoints = (etcd.etcdEndpoints ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (endpoints.length === 0) throw new Error('--store etcd needs --etcd-endpoints URLS (e.g. https://127.0.0.1:2379)');
    for (const e of endpoints) if (!/^https?:\/\/[^/]+$/.test(e)) throw new Error(`--etcd-endpoints: "${e}" is not a URL like https://127.0.0.1:2379`);
    const secure = endpoints.filter((e) => e.startsWith('https:')).length;
    if (secure !== 0 && secure !== endpoints.length) throw new Error('--etcd-endpoints: all https:// or all http://, not a mix');
    if (tlsFlags && secure === 0) throw new Error('--etcd-cafile/--etcd-certfile/--etcd-keyfile need https:// endpoints');
    if (Boolean(etcd.etcdCertfile) !== Boolean(etcd.etcdKeyfile)) throw new Error('--etcd-certfile and --etcd-keyfile go together');
    const config: StoreConfig = { driver: 'etcd', endpoints };
    if (secure) {
      config.tls = {
        caPem: etcd.etcdCafile ? readPem('--etcd-cafile', etcd.etcdCafile) : undefined,
        certPem: etcd.etcdCertfile ? readPem('--etcd-certfile', etcd.etcdCertfile) : undefined,
        keyPem: etcd.etcdKeyfile ? readPem('--etcd-keyfile', etcd.etcdKeyfile) : undefined,
      };
    }
    return config;
  }
  throw new Error(`--store must be sqlite or etcd, got "${driver}"`);
}
