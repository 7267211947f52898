// `unyo agent`: one node agent process. `unyo up` starts one per node with its kubeconfig; on
// another machine an agent joins with `--server URL --token TOKEN --ca-cert-hash sha256:HEX`:
// it gets its own client certificate (agent/bootstrap.ts), keeps it in DATA_DIR/kubeconfig and
// reuses that file when it starts again.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ApiClient, loadKubeconfig, type ClientConfig } from '../client/client.js';
import { NodeAgent, agentTimers } from '../agent/agent.js';
import { bootstrapNodeCredentials } from '../agent/bootstrap.js';
import { ProcessRuntime } from '../agent/runtime/process.js';
import { resolveImage } from '../images/catalog.js';
import { volumeHost } from '../agent/volumes/host.js';
import { probeHooks } from '../agent/probes/hooks.js';
import { writeAtomic } from '../cluster/files.js';
import { kubeconfig } from './kubeconfig.js';

export interface AgentCommandOptions {
  kubeconfig?: string;
  server?: string;
  token?: string;
  caCertHash?: string[];
  unsafeSkipCaVerification?: boolean;
  name: string;
  index: number;
  zone: string;
  nodeIp: string;
  dataDir: string;
  profile: 'default' | 'fast';
  clusterDns: string;
  clusterDomain: string;
  volumesDir?: string;
}

/** The agent's credentials: the kubeconfig given, the one a previous join left, or a new join. */
async function credentials(opts: AgentCommandOptions): Promise<ClientConfig> {
  const userAgent = `unyo-agent/${opts.name}`;
  if (opts.kubeconfig) {
    if (opts.server || opts.token) throw new Error('--kubeconfig and --server/--token are alternatives: give one or the other');
    return loadKubeconfig(opts.kubeconfig, userAgent);
  }
  if (!opts.server || !opts.token) throw new Error('give --kubeconfig FILE, or --server URL and --token TOKEN to join a cluster');
  const file = join(opts.dataDir, 'kubeconfig');
  if (existsSync(file)) {
    const config = loadKubeconfig(file, userAgent);
    if (config.certPem && Date.parse(new X509Certificate(config.certPem).validTo) > Date.now() + 60_000) {
      console.log(`agent ${opts.name}: using the credentials in ${file}`);
      return config;
    }
  }
  const joined = await bootstrapNodeCredentials({
    server: opts.server,
    token: opts.token,
    caCertHashes: opts.caCertHash ?? [],
    unsafeSkipCaVerification: opts.unsafeSkipCaVerification,
    nodeName: opts.name,
  });
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  writeAtomic(file, kubeconfig({ name: 'unyo', server: joined.server, caPem: joined.caPem, certPem: joined.certPem, keyPem: joined.keyPem, user: `system:node:${opts.name}` }));
  return loadKubeconfig(file, userAgent);
}

export async function runAgent(opts: AgentCommandOptions): Promise<void> {
  const config = await credentials(opts);
  const client = new ApiClient(config);
  const runtime = new ProcessRuntime({ rootDir: join(opts.dataDir, 'runtime'), resolveImage });
  const agent = new NodeAgent({
    client,
    runtime,
    volumes: volumeHost(client, opts.name, { volumesDir: opts.volumesDir }),
    probes: probeHooks(runtime),
    nodeName: opts.name,
    nodeIndex: opts.index,
    zone: opts.zone,
    nodeIP: opts.nodeIp,
    dataDir: opts.dataDir,
    timers: agentTimers[opts.profile],
    // The API server's client certificate is signed by the cluster CA, the one the kubeconfig trusts.
    clientCaPem: config.caPem,
    clusterDNS: { servers: opts.clusterDns ? opts.clusterDns.split(',').filter(Boolean) : [], domain: opts.clusterDomain },
  });
  await agent.start();
  console.log(`agent ${opts.name}: started`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await agent.stop().catch(() => undefined);
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

