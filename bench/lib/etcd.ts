// Raw etcd as a benchmark baseline: a single member from Debian's etcd-server on loopback,
// with a throwaway data directory and otherwise default settings (it fsyncs its WAL).
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Etcd3 } from 'etcd3';
import type { Child, Processes } from './processes.js';

export const etcdBinary = '/usr/bin/etcd';

export class MissingEtcdError extends Error {
  constructor() {
    super(`${etcdBinary} not found: raw etcd is the baseline of this benchmark; run scripts/install-deps (as root) to install Debian's etcd-server`);
  }
}

export function requireEtcd(): void {
  if (!existsSync(etcdBinary)) throw new MissingEtcdError();
}

export interface EtcdMember {
  readonly endpoint: string;
  readonly process: Child;
  /** A new gRPC client (its own HTTP/2 connection); the caller closes it. */
  client(): Etcd3;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startEtcd(processes: Processes): Promise<EtcdMember> {
  requireEtcd();
  const dataDir = processes.tempDir('etcd');
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = await processes.start(
    'etcd',
    etcdBinary,
    [
      '--name', 'bench',
      '--data-dir', dataDir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `bench=${peer}`,
      '--initial-cluster-state', 'new',
    ],
    /ready to serve client requests/,
  );
  const member: EtcdMember = {
    endpoint,
    process: child,
    client: () => new Etcd3({ hosts: endpoint }),
    stop: async () => {
      await child.stop();
      processes.removeDir(dataDir);
    },
  };
  // The log line comes before the member has elected itself leader on some versions; a
  // write that succeeds is the real signal.
  const probe = member.client();
  try {
    await probe.put('/bench/probe').value('ok');
  } finally {
    probe.close();
  }
  return member;
}
