// `unyo up`: a cluster in the foreground. Opens the store, starts the API server, writes
// DIR/kubeconfig and DIR/cluster.json, prints "ready", and shuts everything down on
// SIGINT/SIGTERM.
import { mkdirSync, writeFileSync, readFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ApiClient, loadKubeconfig, core } from '../client/client.js';
import { openStore } from '../store/index.js';
import { ensurePki } from '../apiserver/pki.js';
import { ApiServer } from '../apiserver/server.js';
import { StaticTokens } from '../apiserver/authn.js';
import { kubeconfig } from './kubeconfig.js';

export interface UpOptions {
  dataDir: string;
  port: number;
  nodes: number;
  ha: boolean;
  store: string;
  profile: string;
  demo: boolean;
}

class UsageError extends Error {}

/** The Service range, the `kubernetes` Service's address in it, and the cluster DNS (the kube-dns Service's, the 10th). */
const SERVICE_CIDR = '127.16.0.0/16';
const KUBERNETES_SERVICE_IP = '127.16.0.1';
const CLUSTER_DNS_IP = '127.16.0.10';
const CLUSTER_DOMAIN = 'cluster.local';

/** The kube-dns Service in kube-system, as a cluster's DNS add-on creates it; the proxy serves its address. */
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

function ensureToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(32).toString('base64url');
  writeAtomic(file, token + '\n');
  return token;
}

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

/** Resolve once `count` Nodes report Ready. */
async function waitForNodes(kubeconfigPath: string, count: number): Promise<void> {
  const client = new ApiClient(loadKubeconfig(kubeconfigPath, 'unyo-up'));
  try {
    for (;;) {
      try {
        const nodes = await client.list(core('nodes'));
        const ready = nodes.items.filter((n: any) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
        if (ready.length >= count) return;
      } catch {
        // the API is up; a failed list is retried
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}

function writeAtomic(path: string, data: string, mode = 0o600): void {
  writeFileSync(`${path}.tmp`, data, { mode });
  renameSync(`${path}.tmp`, path);
}

export async function up(opts: UpOptions): Promise<void> {
  if (opts.store !== 'sqlite' && opts.store !== 'etcd') throw new UsageError(`--store must be sqlite or etcd, got "${opts.store}"`);
  if (opts.profile !== 'default' && opts.profile !== 'fast') throw new UsageError(`--profile must be default or fast, got "${opts.profile}"`);
  if (opts.ha || opts.store === 'etcd') throw new UsageError('the etcd store and --ha are not available in this version of unyo; use the default sqlite store');
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  rmSync(join(dir, 'cluster.json'), { force: true });

  // Pods reach the API server as https://kubernetes.default.svc (the first Service address).
  const pki = await ensurePki(dir, [KUBERNETES_SERVICE_IP]);
  const token = ensureToken(join(dir, 'pki', 'admin.token'));
  const nodeClientTokenFile = join(dir, 'pki', 'node-client.token');
  const nodeClientToken = ensureToken(nodeClientTokenFile);
  const tokens = new StaticTokens();
  tokens.add(token, { name: 'unyo-admin', groups: ['system:masters'] });

  const store = await openStore({ driver: 'sqlite', dataDir: dir });
  const server = new ApiServer({ store, pki, tokens: [tokens], nodeClientToken, defaultTolerationSeconds: opts.profile === 'fast' ? 5 : 300, services: { serviceCIDR: SERVICE_CIDR } });
  await server.start(opts.port);
  const url = `https://127.0.0.1:${server.port}`;

  const kubeconfigPath = join(dir, 'kubeconfig');
  writeAtomic(kubeconfigPath, kubeconfig({ name: 'unyo', server: url, caPem: pki.ca.cert, token }));
  const components: Array<{ name: string; role: string; pid: number; url?: string }> = [
    { name: 'apiserver', role: 'apiserver', pid: process.pid, url },
    { name: 'store', role: 'store', pid: process.pid, url: `sqlite://${join(dir, 'state.db')}` },
  ];
  const writeClusterJson = () =>
    writeAtomic(join(dir, 'cluster.json'), JSON.stringify({ dataDir: dir, profile: opts.profile, store: opts.store, server: url, components }, null, 2) + '\n', 0o644);

  // The scheduler, the controller manager and one agent per node run as processes of their own, as on a real cluster.
  const children: ChildProcess[] = [];
  let stopping = false;
  // A component that dies before the cluster is ready fails `unyo up` instead of leaving it waiting.
  let failStartup: (err: Error) => void = () => undefined;
  const startupFailed = new Promise<never>((_, reject) => (failStartup = reject));
  startupFailed.catch(() => undefined);
  const startChild = (name: string, role: string, args: string[]) => {
    const child = spawn(process.execPath, [unyoBin, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    children.push(child);
    components.push({ name, role, pid: child.pid! });
    child.on('exit', (code, signal) => {
      if (!stopping) console.error(`unyo: ${name} exited (${signal ?? code})`);
      failStartup(new Error(`${name} exited (${signal ?? code}) before the cluster was ready; see its output above`));
    });
  };
  startChild('scheduler', 'scheduler', ['scheduler', '--kubeconfig', kubeconfigPath]);
  // Volume directories live outside every node's directory: a Pod moved to another node mounts the same data.
  const volumesDir = join(dir, 'volumes');
  mkdirSync(volumesDir, { recursive: true });
  startChild('controller-manager', 'controller-manager', ['controller-manager', '--kubeconfig', kubeconfigPath, '--profile', opts.profile, '--volumes-dir', volumesDir]);
  // One proxy for the machine: every node of `unyo up` shares the host's loopback.
  {
    const admin = new ApiClient(loadKubeconfig(kubeconfigPath, 'unyo-up'));
    try {
      await ensureDnsService(admin);
    } finally {
      admin.close();
    }
  }
  startChild('proxy', 'proxy', ['proxy', '--kubeconfig', kubeconfigPath, '--cluster-dns', CLUSTER_DNS_IP, '--cluster-domain', CLUSTER_DOMAIN]);
  const zones = ['zone-a', 'zone-b', 'zone-c'];
  for (let i = 0; i < opts.nodes; i++) {
    const name = `node-${i + 1}`;
    startChild(name, 'agent', ['agent', '--kubeconfig', kubeconfigPath, '--name', name, '--index', String(i), '--zone', zones[i % zones.length], '--data-dir', join(dir, 'nodes', name), '--profile', opts.profile, '--server-token-file', nodeClientTokenFile, '--cluster-dns', CLUSTER_DNS_IP, '--cluster-domain', CLUSTER_DOMAIN, '--volumes-dir', volumesDir]);
  }
  try {
    await Promise.race([waitForNodes(kubeconfigPath, opts.nodes), startupFailed]);
  } catch (err) {
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    await server.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  writeClusterJson();
  if (opts.demo) console.log('note: the console and sample applications come with a later version of unyo');
  console.log(`unyo: cluster ready at ${url} with ${opts.nodes} node${opts.nodes === 1 ? '' : 's'} (kubeconfig: ${kubeconfigPath})`);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`unyo: ${signal}, shutting down`);
    // Agents stop their containers before they exit: wait for them while the API still answers.
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((done) => {
            if (c.exitCode !== null || c.signalCode !== null) return done();
            c.once('exit', () => done());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 40_000).unref();
          }),
      ),
    );
    // Containers of an agent that died (kill -9) are still running: stop them from their records.
    for (let i = 0; i < opts.nodes; i++) await stopLeftoverContainers(join(dir, 'nodes', `node-${i + 1}`, 'runtime'));
    await server.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    rmSync(join(dir, 'cluster.json'), { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
