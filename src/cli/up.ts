// `unyo up`: a cluster in the foreground. Opens the store, starts the API server, writes
// DIR/kubeconfig and DIR/cluster.json, prints "ready", and shuts everything down on
// SIGINT/SIGTERM.
import { mkdirSync, writeFileSync, readFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
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

  const tokenFile = join(dir, 'pki', 'admin.token');
  const pki = await ensurePki(dir);
  let token: string;
  if (existsSync(tokenFile)) token = readFileSync(tokenFile, 'utf8').trim();
  else {
    token = randomBytes(32).toString('base64url');
    writeAtomic(tokenFile, token + '\n');
  }
  const tokens = new StaticTokens();
  tokens.add(token, { name: 'unyo-admin', groups: ['system:masters'] });

  const store = await openStore({ driver: 'sqlite', dataDir: dir });
  const server = new ApiServer({ store, pki, tokens: [tokens] });
  await server.start(opts.port);
  const url = `https://127.0.0.1:${server.port}`;

  writeAtomic(join(dir, 'kubeconfig'), kubeconfig({ name: 'unyo', server: url, caPem: pki.ca.cert, token }));
  const components = [
    { name: 'apiserver', role: 'apiserver', pid: process.pid, url },
    { name: 'store', role: 'store', pid: process.pid, url: `sqlite://${join(dir, 'state.db')}` },
  ];
  writeAtomic(join(dir, 'cluster.json'), JSON.stringify({ dataDir: dir, profile: opts.profile, store: opts.store, server: url, components }, null, 2) + '\n', 0o644);
  if (opts.nodes > 0) console.log(`note: node agents come with a later version of unyo; running the control plane only (asked for ${opts.nodes} nodes)`);
  if (opts.demo) console.log('note: the console and sample applications come with a later version of unyo');
  console.log(`unyo: cluster ready at ${url} (kubeconfig: ${join(dir, 'kubeconfig')})`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`unyo: ${signal}, shutting down`);
    await server.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    rmSync(join(dir, 'cluster.json'), { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
