// Shared set-up for the kubectl end-to-end files: one `unyo up` per file, and the same
// scenarios run once per kubectl binary (the machine's and 1.33), each in its own namespace,
// the binaries side by side.
import { describe, before, after } from 'node:test';
import { startCluster, removeCluster, kubectl, kubectlSpawn, kubectlBinaries, type Cluster, type RunResult, type KubectlProcess } from './harness.js';
import { rawClient } from './client.js';

export interface Kubectl {
  /** The binary's label, for messages. */
  name: string;
  /** This binary's namespace; `run` adds `-n ns` unless told otherwise. */
  ns: string;
  /** A suffix unique to this binary, for cluster-scoped names. */
  id: string;
  cluster(): Cluster;
  run(args: string[], input?: unknown): Promise<RunResult>;
  /** Run without `-n ns` (cluster-scoped objects, discovery). */
  runGlobal(args: string[], input?: unknown): Promise<RunResult>;
  spawn(args: string[]): KubectlProcess;
}

export function kubectlSuite(title: string, scenarios: (k: Kubectl) => void): void {
  describe(title, { concurrency: true }, () => {
    let cluster: Cluster;
    const binaries = kubectlBinaries();
    before(async () => {
      cluster = await startCluster();
      const client = rawClient(cluster.kubeconfig);
      try {
        for (const [i] of binaries.entries()) {
          const res = await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespaceOf(title, i) } });
          if (res.status !== 201) throw new Error(`creating namespace ${namespaceOf(title, i)}: ${res.status} ${res.text}`);
        }
      } finally {
        client.close();
      }
    });
    after(async () => {
      if (cluster) await removeCluster(cluster);
    });
    if (binaries.length === 0) throw new Error('no kubectl found: run scripts/install-deps');
    for (const [i, binary] of binaries.entries()) {
      const ns = namespaceOf(title, i);
      const input = (body: unknown) => (body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
      const k: Kubectl = {
        name: binary.name,
        ns,
        id: `b${i}`,
        cluster: () => cluster,
        run: (args, body) => kubectl(binary.path, cluster, ['-n', ns, ...args], input(body)),
        runGlobal: (args, body) => kubectl(binary.path, cluster, args, input(body)),
        spawn: (args) => kubectlSpawn(binary.path, cluster, ['-n', ns, ...args]),
      };
      describe(binary.name, { concurrency: 1 }, () => scenarios(k));
    }
  });
}

function namespaceOf(title: string, i: number): string {
  return `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${i}`;
}

/** A Deployment that is valid as written: selector and template labels agree. */
export function deployment(name: string, namespace: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...metadata },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      ...spec,
    },
  };
}

export function configMap(name: string, namespace: string, data: Record<string, string> = {}, metadata: Record<string, unknown> = {}): Record<string, any> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...metadata }, data };
}

export function list(...items: unknown[]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', items };
}

/** Format a failed kubectl run for an assertion message. */
export function show(r: RunResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}
