// `unyo token create|list|delete`: bootstrap tokens for nodes joining a cluster (src/ops/token.ts),
// with the credentials of a kubeconfig (--kubeconfig, or DATA_DIR/kubeconfig of `unyo up`).
// `create` prints the token, then the `unyo agent` line that joins a node with it, pinned to
// the cluster CA's public key as kubeadm's --discovery-token-ca-cert-hash is.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { caCertHash } from '../api/certificates/x509.js';
import { ApiClient, loadKubeconfig, type ClientConfig } from '../client/client.js';
import { createBootstrapToken, deleteBootstrapToken, listBootstrapTokens } from '../ops/token.js';
import { parseDuration } from './duration.js';

export interface TokenTargetOptions {
  kubeconfig?: string;
  dataDir?: string;
}

function target(opts: TokenTargetOptions): ClientConfig {
  if (opts.kubeconfig && opts.dataDir) throw new Error('--kubeconfig and --data-dir are alternatives: give one');
  const file = opts.kubeconfig ?? join(resolve(opts.dataDir ?? './.unyo'), 'kubeconfig');
  if (!existsSync(file)) throw new Error(`no kubeconfig at ${file}${opts.kubeconfig ? '' : ' (is `unyo up` running on that data directory? or give --kubeconfig)'}`);
  return loadKubeconfig(file, 'unyo-token');
}

async function withClient<T>(opts: TokenTargetOptions, fn: (client: ApiClient, config: ClientConfig) => Promise<T>): Promise<T> {
  const config = target(opts);
  const client = new ApiClient(config);
  try {
    return await fn(client, config);
  } finally {
    client.close();
  }
}

export async function tokenCreate(opts: TokenTargetOptions & { ttl: string; description?: string }): Promise<void> {
  const ttlSeconds = parseDuration(opts.ttl, '--ttl');
  await withClient(opts, async (client, config) => {
    const token = await createBootstrapToken(client, { ttlSeconds, description: opts.description });
    console.log(token.token);
    console.log(`join a node with: unyo agent --server ${config.server} --token ${token.token} --ca-cert-hash ${caCertHash(config.caPem)} --name NODE_NAME --data-dir DIR`);
  });
}

const ttlOf = (expiration: string | undefined, now: number) => {
  if (!expiration) return '<forever>';
  const left = Math.round((Date.parse(expiration) - now) / 1000);
  if (left <= 0) return '<invalid>';
  return left >= 3600 ? `${Math.floor(left / 3600)}h` : left >= 60 ? `${Math.floor(left / 60)}m` : `${left}s`;
};

export async function tokenList(opts: TokenTargetOptions): Promise<void> {
  await withClient(opts, async (client) => {
    const tokens = await listBootstrapTokens(client);
    const now = Date.now();
    const rows = [['TOKEN ID', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS'], ...tokens.map((t) => [t.id, ttlOf(t.expiration, now), t.expiration ?? '<never>', t.usages.join(',') || '<none>', t.description || '<none>', t.groups.join(',') || '<none>'])];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join(''));
  });
}

export async function tokenDelete(idOrToken: string, opts: TokenTargetOptions): Promise<void> {
  await withClient(opts, async (client) => {
    const id = await deleteBootstrapToken(client, idOrToken);
    console.log(`bootstrap token "${id}" deleted`);
  });
}
