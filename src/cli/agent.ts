// `unyo agent`: one node agent process. `unyo up` starts one per node; on several machines
// it joins a cluster with a kubeconfig (a later issue adds joining by token).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, loadKubeconfig } from '../client/client.js';
import { NodeAgent, agentTimers } from '../agent/agent.js';
import { ProcessRuntime } from '../agent/runtime/process.js';
import { resolveImage } from '../images/catalog.js';
import { volumeHost } from '../agent/volumes/host.js';
import { probeHooks } from '../agent/probes/hooks.js';

export interface AgentCommandOptions {
  kubeconfig: string;
  name: string;
  index: number;
  zone: string;
  dataDir: string;
  profile: 'default' | 'fast';
  serverTokenFile: string;
  clusterDns: string;
  clusterDomain: string;
  volumesDir?: string;
}

export async function runAgent(opts: AgentCommandOptions): Promise<void> {
  const client = new ApiClient(loadKubeconfig(opts.kubeconfig, `unyo-agent/${opts.name}`));
  const runtime = new ProcessRuntime({ rootDir: join(opts.dataDir, 'runtime'), resolveImage });
  const agent = new NodeAgent({
    client,
    runtime,
    volumes: volumeHost(client, opts.name, { volumesDir: opts.volumesDir }),
    probes: probeHooks(runtime),
    nodeName: opts.name,
    nodeIndex: opts.index,
    zone: opts.zone,
    dataDir: opts.dataDir,
    timers: agentTimers[opts.profile],
    serverToken: readFileSync(opts.serverTokenFile, 'utf8').trim(),
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
