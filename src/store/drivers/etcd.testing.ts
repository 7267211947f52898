// Real etcd members for tests: N members of Debian's etcd on free loopback ports in a temporary
// directory, with a short progress-notify interval so idle watches get progress reports.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { ensureEtcdPki, type EtcdPkiFiles } from '../../cluster/etcd-pki.js';
import { memberHealthy, readClientTls, type EtcdClientTls } from '../../cluster/etcd.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestEtcdCluster {
  endpoints: string[];
  /** With `tls`: the certificate files (etcd-pki.ts's layout) and the client's PEMs. */
  pki?: EtcdPkiFiles;
  clientTls?: EtcdClientTls;
  /** kill -9 member i. */
  kill(i: number): void;
  /** Start member i again on its data. */
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

/** The etcd binary; a missing one fails the test with the command that installs it. */
export function etcdBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('etcd is not installed: run scripts/install-deps as root (it installs Debian\'s etcd-server)');
  return found;
}

/** N members; with `tls`, clients and peers need certificates of a CA made for the cluster. */
export async function startEtcd(members = 1, opts: { tls?: boolean } = {}): Promise<TestEtcdCluster> {
  const bin = etcdBinary();
  const dir = mkdtempSync(join(tmpdir(), 'unyo-etcd-'));
  const pki = opts.tls ? await ensureEtcdPki(dir) : undefined;
  const clientTls = pki ? readClientTls(pki) : undefined;
  const scheme = pki ? 'https' : 'http';
  const ports: Array<{ client: number; peer: number }> = [];
  for (let i = 0; i < members; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const initial = ports.map((p, i) => `m${i}=${scheme}://127.0.0.1:${p.peer}`).join(',');
  const procs: Array<ChildProcess | undefined> = [];
  const endpoints = ports.map((p) => `${scheme}://127.0.0.1:${p.client}`);
  const tlsArgs = pki
    ? ['--cert-file', pki.serverCertFile, '--key-file', pki.serverKeyFile, '--client-cert-auth', '--trusted-ca-file', pki.caFile,
       '--peer-cert-file', pki.peerCertFile, '--peer-key-file', pki.peerKeyFile, '--peer-client-cert-auth', '--peer-trusted-ca-file', pki.caFile]
    : [];
  const launch = (i: number) => {
    const p = ports[i];
    procs[i] = spawn(bin, [
      '--name', `m${i}`,
      '--data-dir', join(dir, `m${i}`),
      '--listen-client-urls', endpoints[i],
      '--advertise-client-urls', endpoints[i],
      '--listen-peer-urls', `${scheme}://127.0.0.1:${p.peer}`,
      '--initial-advertise-peer-urls', `${scheme}://127.0.0.1:${p.peer}`,
      '--initial-cluster', initial,
      '--initial-cluster-state', 'new',
      '--heartbeat-interval', '50',
      '--election-timeout', '500',
      '--experimental-watch-progress-notify-interval', '100ms',
      '--log-level', 'error',
      '--logger', 'zap',
      ...tlsArgs,
    ], { stdio: 'ignore' });
  };
  const healthy = async (i: number) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (await memberHealthy(endpoints[i], clientTls)) return;
      if (Date.now() > deadline) throw new Error(`etcd member ${i} did not become healthy`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  for (let i = 0; i < members; i++) launch(i);
  await Promise.all(ports.map((_, i) => healthy(i)));
  const killOne = (i: number) => {
    procs[i]?.kill('SIGKILL');
    procs[i] = undefined;
  };
  return {
    endpoints,
    pki,
    clientTls,
    kill: killOne,
    async restart(i) {
      launch(i);
      await healthy(i);
    },
    async stop() {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (!p || p.exitCode !== null || p.signalCode !== null) return resolve();
              p.once('exit', () => resolve());
              p.kill('SIGKILL');
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
