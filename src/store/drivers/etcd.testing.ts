// Real etcd members for tests: N members of Debian's etcd on free loopback ports in a temporary
// directory, with a short progress-notify interval so idle watches get progress reports.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

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

export async function startEtcd(members = 1): Promise<TestEtcdCluster> {
  const bin = etcdBinary();
  const dir = mkdtempSync(join(tmpdir(), 'unyo-etcd-'));
  const ports: Array<{ client: number; peer: number }> = [];
  for (let i = 0; i < members; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const initial = ports.map((p, i) => `m${i}=http://127.0.0.1:${p.peer}`).join(',');
  const procs: Array<ChildProcess | undefined> = [];
  const endpoints = ports.map((p) => `http://127.0.0.1:${p.client}`);
  const launch = (i: number) => {
    const p = ports[i];
    procs[i] = spawn(bin, [
      '--name', `m${i}`,
      '--data-dir', join(dir, `m${i}`),
      '--listen-client-urls', endpoints[i],
      '--advertise-client-urls', endpoints[i],
      '--listen-peer-urls', `http://127.0.0.1:${p.peer}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${p.peer}`,
      '--initial-cluster', initial,
      '--initial-cluster-state', 'new',
      '--heartbeat-interval', '50',
      '--election-timeout', '500',
      '--experimental-watch-progress-notify-interval', '100ms',
      '--log-level', 'error',
      '--logger', 'zap',
    ], { stdio: 'ignore' });
  };
  const healthy = async (i: number) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const res = await fetch(`${endpoints[i]}/health`, { signal: AbortSignal.timeout(1000) });
        if (((await res.json()) as { health: string }).health === 'true') return;
      } catch {
        // not up yet
      }
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
