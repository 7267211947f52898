// The etcd cluster of `unyo up --ha`: three members of Debian's etcd (etcd-server) on this
// machine, each with its own data directory and client/peer ports. The layout (names, ports)
// is chosen once and kept in DIR/etcd/members.json, because an etcd member remembers its
// peers' URLs: a restarted cluster must come back on the same ports.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { writeAtomic } from './files.js';
import type { ComponentSpec } from './supervisor.js';

export interface EtcdMember {
  name: string;
  clientPort: number;
  peerPort: number;
  zone: string;
}

export interface EtcdLayout {
  token: string;
  members: EtcdMember[];
}

/** The etcd binary, or an error saying how to install it. */
export function findEtcd(): string {
  const found = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('--ha needs etcd, which is not installed: run `sudo apt-get install etcd-server` (or scripts/install-deps)');
  return found;
}

/** A port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The members of DIR/etcd, chosen on first use and kept. */
export async function etcdLayout(dataDir: string, count = 3): Promise<EtcdLayout> {
  const dir = join(dataDir, 'etcd');
  const file = join(dir, 'members.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as EtcdLayout;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const zones = ['zone-a', 'zone-b', 'zone-c'];
  const members: EtcdMember[] = [];
  for (let i = 0; i < count; i++) members.push({ name: `etcd-${i + 1}`, clientPort: await freePort(), peerPort: await freePort(), zone: zones[i % zones.length] });
  const layout = { token: `unyo-${randomBytes(6).toString('hex')}`, members };
  writeAtomic(file, JSON.stringify(layout, null, 2) + '\n', 0o644);
  return layout;
}

export const clientUrl = (m: EtcdMember) => `http://127.0.0.1:${m.clientPort}`;
const peerUrl = (m: EtcdMember) => `http://127.0.0.1:${m.peerPort}`;

/**
 * The command line of one member. `--initial-cluster-state new` is only read when the data
 * directory is empty; a member restarted on its data rejoins with what it stored.
 */
export function etcdMemberSpec(etcd: string, dataDir: string, layout: EtcdLayout, m: EtcdMember): ComponentSpec {
  return {
    name: m.name,
    role: 'store',
    command: etcd,
    url: clientUrl(m),
    zone: m.zone,
    restart: true,
    logFile: join(dataDir, 'etcd', `${m.name}.log`),
    args: [
      '--name', m.name,
      '--data-dir', join(dataDir, 'etcd', m.name),
      '--listen-client-urls', clientUrl(m),
      '--advertise-client-urls', clientUrl(m),
      '--listen-peer-urls', peerUrl(m),
      '--initial-advertise-peer-urls', peerUrl(m),
      '--initial-cluster', layout.members.map((x) => `${x.name}=${peerUrl(x)}`).join(','),
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', layout.token,
      // Raft timers as upstream recommends for a local network; a lost leader is replaced in about a second.
      '--heartbeat-interval', '100',
      '--election-timeout', '1000',
      // Idle watches hear the current revision every second: the API server's watch bookmarks.
      '--experimental-watch-progress-notify-interval', '1s',
      '--logger', 'zap',
      '--log-level', 'warn',
    ],
  };
}
