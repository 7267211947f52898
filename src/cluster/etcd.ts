// The etcd cluster of `unyo up --ha`: three members of Debian's etcd (etcd-server) on this
// machine, each with its own data directory and client/peer ports. The layout (names, ports)
// is chosen once and kept in DIR/etcd/members.json, because an etcd member remembers its
// peers' URLs: a restarted cluster must come back on the same ports.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { writeAtomic } from './files.js';
import type { ComponentSpec } from './supervisor.js';
import type { EtcdPkiFiles } from './etcd-pki.js';

export interface EtcdMember {
  name: string;
  clientPort: number;
  peerPort: number;
  zone: string;
}

export interface EtcdLayout {
  token: string;
  members: EtcdMember[];
  /**
   * Clients and peers speak TLS with certificates (etcd-pki.ts). Layouts made before unyo had
   * it lack the field and stay on plain HTTP: a member keeps its peers' URLs in its data, so a
   * running cluster cannot change scheme by a restart.
   */
  tls?: boolean;
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
  const layout: EtcdLayout = { token: `unyo-${randomBytes(6).toString('hex')}`, members, tls: true };
  writeAtomic(file, JSON.stringify(layout, null, 2) + '\n', 0o644);
  return layout;
}

const scheme = (layout: EtcdLayout) => (layout.tls ? 'https' : 'http');
export const clientUrl = (layout: EtcdLayout, m: EtcdMember) => `${scheme(layout)}://127.0.0.1:${m.clientPort}`;
export const peerUrl = (layout: EtcdLayout, m: EtcdMember) => `${scheme(layout)}://127.0.0.1:${m.peerPort}`;

/**
 * The command line of one member. `--initial-cluster-state new` is only read when the data
 * directory is empty; a member restarted on its data rejoins with what it stored.
 */
export function etcdMemberSpec(etcd: string, dataDir: string, layout: EtcdLayout, m: EtcdMember, pki: EtcdPkiFiles): ComponentSpec {
  const tls = layout.tls
    ? [
        // Clients must present a certificate of etcd's CA: the API servers' apiserver-etcd-client.
        '--cert-file', pki.serverCertFile, '--key-file', pki.serverKeyFile, '--client-cert-auth', '--trusted-ca-file', pki.caFile,
        '--peer-cert-file', pki.peerCertFile, '--peer-key-file', pki.peerKeyFile, '--peer-client-cert-auth', '--peer-trusted-ca-file', pki.caFile,
      ]
    : [];
  const member = {
    name: m.name,
    role: 'store' as const,
    command: etcd,
    url: clientUrl(layout, m),
    zone: m.zone,
    restart: true,
    logFile: join(dataDir, 'etcd', `${m.name}.log`),
    args: [
      '--name', m.name,
      '--data-dir', join(dataDir, 'etcd', m.name),
      '--listen-client-urls', clientUrl(layout, m),
      '--advertise-client-urls', clientUrl(layout, m),
      '--listen-peer-urls', peerUrl(layout, m),
      '--initial-advertise-peer-urls', peerUrl(layout, m),
      '--initial-cluster', layout.members.map((x) => `${x.name}=${peerUrl(layout, x)}`).join(','),
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', layout.token,
      // Raft timers as upstream recommends for a local network; a lost leader is replaced in about a second.
      '--heartbeat-interval', '100',
      '--election-timeout', '1000',
      // Idle watches hear the current revision every second: the API server's watch bookmarks.
      '--experimental-watch-progress-notify-interval', '1s',
      '--logger', 'zap',
      '--log-level', 'warn',
      ...tls,
    ],
  };
  return withParentDeathSignal(member);
}

/**
 * etcd is not a Node process, so it cannot watch UNYO_SUPERVISOR_PID as unyo's own components
 * do. util-linux's setpriv sets the parent-death signal and execs etcd (same pid), so a member
 * gets SIGTERM when `unyo up` dies, even by `kill -9`, instead of running on unowned.
 */
export function withParentDeathSignal(spec: ComponentSpec): ComponentSpec {
  const setpriv = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim();
  if (!setpriv) return spec;
  return { ...spec, command: setpriv, args: ['--pdeathsig', 'TERM', '--', spec.command, ...spec.args] };
}

/** PEM contents a client of the members presents (etcd-pki.ts's apiserver-etcd-client). */
export interface EtcdClientTls {
  ca: string;
  cert: string;
  key: string;
}

export function readClientTls(pki: EtcdPkiFiles): EtcdClientTls {
  return { ca: readFileSync(pki.caFile, 'utf8'), cert: readFileSync(pki.clientCertFile, 'utf8'), key: readFileSync(pki.clientKeyFile, 'utf8') };
}

/** Whether the member at `url` answers its /health with `"health":"true"` within a second. */
export function memberHealthy(url: string, tls?: EtcdClientTls): Promise<boolean> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    // No SNI: the members are addressed by IP, which TLS's server name may not be.
    const req = get(`${url}/health`, { timeout: 1000, servername: '', ...(tls ?? {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve((JSON.parse(body) as { health?: string }).health === 'true');
        } catch {
          resolve(false);
        }
      });
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
