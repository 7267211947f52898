// `unyo up`: a cluster in the foreground. Starts the store and the API server, then the
// scheduler, the controller manager, the Service proxy and one agent per node as processes of
// their own; writes DIR/kubeconfig and DIR/cluster.json, prints "ready", and shuts everything
// down on SIGINT/SIGTERM.
//
// Single machine (default): one API server in this process on the embedded sqlite store (or
// on an existing etcd cluster with --store etcd --etcd-endpoints).
// `--ha`: three etcd members, three API servers (`unyo server`) behind a health-checked load
// balancer (`unyo lb`) whose address goes into the kubeconfig, and three controller managers
// and schedulers electing one leader each; crashed control-plane processes restart.
import { mkdirSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient, loadKubeconfig, core } from '../client/client.js';
import { ensurePki } from '../apiserver/pki.js';
import { ensureToken, writeAtomic } from '../cluster/files.js';
import { Supervisor, type ComponentStatus, type ComponentSpec } from '../cluster/supervisor.js';
import { clientUrl, etcdLayout, etcdMemberSpec, findEtcd, freePort, memberHealthy, readClientTls, type EtcdClientTls } from '../cluster/etcd.js';
import { ensureEtcdPki } from '../cluster/etcd-pki.js';
import { kubeconfig } from './kubeconfig.js';
import { CLUSTER_DNS_IP, CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, serveApi, storeConfig, type EtcdFlags, type ServingApi } from './server.js';

export interface UpOptions extends EtcdFlags {
  dataDir: string;
  port: number;
  nodes: number;
  ha: boolean;
  store: string;
  profile: string;
  demo: boolean;
  /** HA: seconds a crashed control-plane process waits before it restarts. */
  restartDelay: number;
}

class UsageError extends Error {}

/** The kube-system/kube-dns Service, as a cluster's DNS add-on creates it; the proxy serves its address. */
async function ensureDnsService(client: ApiClient): Promise<void> {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
    spec: {
      clusterIP: CLUSTER_DNS_IP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  };
  // A restarted cluster has it already (creating it again would fail on its address, not its name).
  try {
    await client.get(core('services', 'kube-system'), 'kube-dns');
    return;
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
  try {
    await client.create(core('services', 'kube-system'), svc as any);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

const unyoBin = fileURLToPath(new URL('../../../bin/unyo.js', import.meta.url));
const unyo = (args: string[]) => ({ command: process.execPath, args: [unyoBin, ...args] });

async function stopLeftoverContainers(rootDir: string): Promise<void> {
  if (!existsSync(rootDir)) return;
  const { ProcessRuntime } = await import('../agent/runtime/process.js');
  const { resolveImage } = await import('../images/catalog.js');
  const runtime = new ProcessRuntime({ rootDir, resolveImage });
  try {
    for (const c of runtime.listContainers()) if (c.state === 'running') await runtime.stopContainer(c.id, 0).catch(() => undefined);
  } finally {
    runtime.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolve once `check` returns true (it is retried every 200 ms; errors count as false). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
}

/** Resolve once `count` Nodes report Ready. */
async function waitForNodes(kubeconfigPath: string, count: number): Promise<void> {
  const client = new ApiClient(loadKubeconfig(kubeconfigPath, 'unyo-up'));
  try {
    await until(async () => {
      const nodes = await client.list(core('nodes'));
      return nodes.items.filter((n: any) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length >= count;
    });
  } finally {
    client.close();
  }
}

/** Resolve once a majority of the etcd members report healthy. */
async function waitForEtcd(urls: string[], tls?: EtcdClientTls): Promise<void> {
  await until(async () => {
    const healthy = await Promise.all(urls.map((u) => memberHealthy(u, tls)));
    return healthy.filter(Boolean).length > urls.length / 2;
  });
}

export async function up(opts: UpOptions): Promise<void> {
  if (opts.profile !== 'default' && opts.profile !== 'fast') throw new UsageError(`--profile must be default or fast, got "${opts.profile}"`);
  if (opts.ha && opts.store === 'sqlite' && opts.etcdEndpoints) throw new UsageError('--etcd-endpoints needs --store etcd');
  if (opts.ha && (opts.etcdEndpoints || opts.etcdCafile || opts.etcdCertfile || opts.etcdKeyfile)) throw new UsageError('--ha starts its own etcd cluster; --etcd-endpoints and --etcd-cafile/--etcd-certfile/--etcd-keyfile are for a single server on an existing one');
  const profile = opts.profile as 'default' | 'fast';
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  rmSync(join(dir, 'cluster.json'), { force: true });

  // Made before any server starts, so that several servers on one directory never race to make them.
  const pki = await ensurePki(dir, [KUBERNETES_SERVICE_IP]);
  const token = ensureToken(join(dir, 'pki', 'admin.token'));

  let url = '';
  let storeName = opts.store;
  let api: ServingApi | undefined;
  const inProcess: ComponentStatus[] = [];
  const writeClusterJson = () => {
    const components = [...inProcess, ...supervisor.status()];
    writeAtomic(join(dir, 'cluster.json'), JSON.stringify({ dataDir: dir, profile, store: storeName, ha: opts.ha, server: url, components }, null, 2) + '\n', 0o644);
  };
  let ready = false;
  const supervisor = new Supervisor({ restartDelayMs: opts.restartDelay * 1000, onChange: () => ready && writeClusterJson() });
  const stopOrder = ['agent', 'proxy', 'controller-manager', 'scheduler', 'lb', 'apiserver', 'store'] as const;
  const abort = async () => {
    await supervisor.stop([...stopOrder], 5000);
    await api?.stop();
  };

  try {
    if (opts.ha) {
      storeName = 'etcd';
      const etcd = findEtcd();
      const layout = await etcdLayout(dir);
      const etcdPki = await ensureEtcdPki(dir);
      for (const m of layout.members) supervisor.start(etcdMemberSpec(etcd, dir, layout, m, etcdPki));
      const endpoints = layout.members.map((m) => clientUrl(layout, m));
      const etcdTls = layout.tls ? ['--etcd-cafile', etcdPki.caFile, '--etcd-certfile', etcdPki.clientCertFile, '--etcd-keyfile', etcdPki.clientKeyFile] : [];
      await Promise.race([waitForEtcd(endpoints, layout.tls ? readClientTls(etcdPki) : undefined), supervisor.startupFailed]);
      const lbPort = opts.port === 0 ? await freePort() : opts.port;
      url = `https://127.0.0.1:${lbPort}`;
      const backends: string[] = [];
      for (let i = 0; i < layout.members.length; i++) {
        const port = await freePort();
        backends.push(`127.0.0.1:${port}`);
        // Each server talks to its own member first (the others are its fallbacks), as on separate machines.
        const own = [endpoints[i], ...endpoints.filter((_, j) => j !== i)].join(',');
        supervisor.start({
          name: `apiserver-${i + 1}`,
          role: 'apiserver',
          zone: layout.members[i].zone,
          url: `https://127.0.0.1:${port}`,
          restart: true,
          ...unyo(['server', '--data-dir', dir, '--port', String(port), '--store', 'etcd', '--etcd-endpoints', own, ...etcdTls, '--profile', profile, '--advertise-address', `127.0.0.1:${lbPort}`, '--name', `apiserver-${i + 1}`]),
        });
      }
      supervisor.start({ name: 'lb', role: 'lb', url, restart: true, ...unyo(['lb', '--port', String(lbPort), '--backends', backends.join(','), '--ca-file', join(dir, 'pki', 'ca.crt')]) });
    } else {
      const store = storeConfig(opts.store, dir, opts);
      api = await serveApi({ dataDir: dir, store, port: opts.port, profile });
      url = api.url;
      inProcess.push({ name: 'apiserver', role: 'apiserver', pid: process.pid, url });
      inProcess.push({ name: 'store', role: 'store', pid: process.pid, url: opts.store === 'etcd' ? opts.etcdEndpoints! : `sqlite://${join(dir, 'state.db')}` });
    }

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeAtomic(kubeconfigPath, kubeconfig({ name: 'unyo', server: url, caPem: pki.ca.cert, token }));
    const admin = new ApiClient(loadKubeconfig(kubeconfigPath, 'unyo-up'));
    try {
      // HA: the servers come up behind the load balancer; the DNS Service is the first write through it.
      await Promise.race([until(async () => (await ensureDnsService(admin), true)), supervisor.startupFailed]);
    } finally {
      admin.close();
    }

    // Volume directories live outside every node's directory: a Pod moved to another node mounts the same data.
    const volumesDir = join(dir, 'volumes');
    mkdirSync(volumesDir, { recursive: true });
    const controlPlane = opts.ha ? 3 : 1;
    const zones = ['zone-a', 'zone-b', 'zone-c'];
    for (let i = 0; i < controlPlane; i++) {
      const suffix = opts.ha ? `-${i + 1}` : '';
      const zone = opts.ha ? zones[i] : undefined;
      const cp: Partial<ComponentSpec> = { restart: opts.ha, zone };
      supervisor.start({ name: `scheduler${suffix}`, role: 'scheduler', ...cp, ...unyo(['scheduler', '--kubeconfig', kubeconfigPath, '--profile', profile]) });
      supervisor.start({ name: `controller-manager${suffix}`, role: 'controller-manager', ...cp, ...unyo(['controller-manager', '--kubeconfig', kubeconfigPath, '--profile', profile, '--volumes-dir', volumesDir, '--cluster-signing-cert-file', join(dir, 'pki', 'ca.crt'), '--cluster-signing-key-file', join(dir, 'pki', 'ca.key')]) });
    }
    // One proxy for the machine: every node of `unyo up` shares the host's loopback.
    supervisor.start({ name: 'proxy', role: 'proxy', restart: opts.ha, ...unyo(['proxy', '--kubeconfig', kubeconfigPath, '--cluster-dns', CLUSTER_DNS_IP, '--cluster-domain', CLUSTER_DOMAIN]) });
    for (let i = 0; i < opts.nodes; i++) {
      const name = `node-${i + 1}`;
      supervisor.start({
        name,
        role: 'agent',
        zone: zones[i % zones.length],
        ...unyo(['agent', '--kubeconfig', kubeconfigPath, '--name', name, '--index', String(i), '--zone', zones[i % zones.length], '--data-dir', join(dir, 'nodes', name), '--profile', profile, '--cluster-dns', CLUSTER_DNS_IP, '--cluster-domain', CLUSTER_DOMAIN, '--volumes-dir', volumesDir]),
      });
    }
    await Promise.race([waitForNodes(kubeconfigPath, opts.nodes), supervisor.startupFailed]);
    ready = true;
    supervisor.ready();
    writeClusterJson();
    if (opts.demo) console.log('note: the console and sample applications come with a later version of unyo');
    const plane = opts.ha ? ' (HA: 3 etcd members, 3 API servers behind a load balancer)' : '';
    console.log(`unyo: cluster ready at ${url} with ${opts.nodes} node${opts.nodes === 1 ? '' : 's'}${plane} (kubeconfig: ${kubeconfigPath})`);
  } catch (err) {
    await abort();
    throw err;
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`unyo: ${signal}, shutting down`);
    // Agents stop their containers before they exit: they go first, while the API still answers.
    await supervisor.stop([...stopOrder]);
    // Containers of an agent that died (kill -9) are still running: stop them from their records.
    for (let i = 0; i < opts.nodes; i++) await stopLeftoverContainers(join(dir, 'nodes', `node-${i + 1}`, 'runtime'));
    await api?.stop();
    rmSync(join(dir, 'cluster.json'), { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
