// A real `unyo up` with nodes (scheduler and agents as processes of their own, containers
// under the agents) as a child process, and what a benchmark needs to look at its processes:
// the tree under the pids in cluster.json and their resident memory, from /proc (Linux only).
//
// Unlike Processes.start this waits as long as `unyo up` needs to stop: its agents stop their
// containers before they exit, and killing it early would orphan their shims.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import { KubeClient } from './unyo.js';
import type { Processes } from './processes.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const keptLines = 40;

export interface ClusterOptions {
  nodes: number;
  profile: 'default' | 'fast';
  readyTimeoutMs?: number;
  /** How long `unyo up` gets to stop after SIGTERM before its whole tree is killed. */
  stopTimeoutMs?: number;
}

export interface Component {
  name: string;
  role: string;
  pid: number;
}

export interface NodeCluster {
  readonly dataDir: string;
  readonly pid: number;
  readonly server: URL;
  readonly client: KubeClient;
  /** The pids cluster.json lists. */
  components(): Component[];
  /** Every process of the cluster: the components and all their descendants. */
  pids(): number[];
  tail(): string;
  stop(): Promise<void>;
}

export async function startCluster(processes: Processes, opts: ClusterOptions): Promise<NodeCluster> {
  const dataDir = processes.tempDir('cluster');
  const args = [join(repoRoot, 'bin', 'unyo.js'), 'up', '--nodes', String(opts.nodes), '--profile', opts.profile, '--data-dir', dataDir, '--port', '0'];
  const proc: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const tail = () => lines.join('\n');
  let running = true;
  let stopping = false;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  // Whatever happens to this process, leave nothing behind: the tree is known from /proc.
  let lastKnownTree: number[] = [];
  const onExit = () => {
    for (const pid of [...lastKnownTree, proc.pid!]) kill(pid, 'SIGKILL');
  };
  process.on('exit', onExit);
  proc.on('exit', (code, signal) => {
    running = false;
    if (!stopping) process.stderr.write(`bench: unyo up (pid ${proc.pid}) exited unexpectedly (${signal ?? `code ${code}`}); last output:\n${tail()}\n`);
  });

  const components = (): Component[] => {
    const cluster = JSON.parse(readFileSync(join(dataDir, 'cluster.json'), 'utf8')) as { components: Component[] };
    return cluster.components;
  };
  const pids = (): number[] => {
    const roots = [...new Set([proc.pid!, ...components().map((c) => c.pid)])];
    lastKnownTree = withDescendants(roots);
    return lastKnownTree;
  };

  const stop = async (): Promise<void> => {
    if (running) {
      try {
        lastKnownTree = withDescendants([proc.pid!]);
      } catch {
        // keep the last tree seen
      }
      stopping = true;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => {
        process.stderr.write(`bench: unyo up did not stop within ${(opts.stopTimeoutMs ?? 60_000) / 1000} s; killing its processes\n`);
        for (const pid of [proc.pid!, ...lastKnownTree]) kill(pid, 'SIGKILL');
      }, opts.stopTimeoutMs ?? 60_000);
      await exited;
      clearTimeout(timer);
    }
    // Anything still alive from the tree, or naming the data directory (a shim whose agent
    // died), is an orphan: report it and kill it.
    const leftovers = new Set(lastKnownTree.filter((pid) => pid !== proc.pid && alive(pid)));
    for (const pid of mentioning(dataDir)) leftovers.add(pid);
    if (leftovers.size) {
      process.stderr.write(`bench: ${leftovers.size} processes of unyo up left after it stopped, killing them: ${[...leftovers].map((pid) => `${pid} ${commandLine(pid).slice(0, 100)}`).join('; ')}\n`);
      for (const pid of leftovers) kill(pid, 'SIGKILL');
    }
    process.off('exit', onExit);
    processes.removeDir(dataDir);
  };

  await new Promise<void>((ok, fail) => {
    let done = false;
    const timeoutMs = opts.readyTimeoutMs ?? 120_000;
    const timer = setTimeout(() => finish(new Error(`unyo up did not get ready within ${timeoutMs / 1000} s; last output:\n${tail()}`)), timeoutMs);
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) fail(err);
      else ok();
    };
    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > keptLines) lines.shift();
      if (line.includes('cluster ready')) finish();
    };
    createInterface({ input: proc.stdout! }).on('line', onLine);
    createInterface({ input: proc.stderr! }).on('line', onLine);
    proc.once('error', (err) => finish(new Error(`unyo up: ${err.message}`)));
    proc.once('exit', (code, signal) => finish(new Error(`unyo up exited (${signal ?? `code ${code}`}) before it was ready; last output:\n${tail()}`)));
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });

  const cluster = JSON.parse(readFileSync(join(dataDir, 'cluster.json'), 'utf8')) as { server: string };
  const config = parse(readFileSync(join(dataDir, 'kubeconfig'), 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { token?: string } }[];
  };
  const ca = Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8');
  const token = config.users[0].user.token;
  if (!token) {
    await stop();
    throw new Error(`${dataDir}/kubeconfig has no token for the admin user`);
  }
  const server = new URL(cluster.server);
  pids();
  return { dataDir, pid: proc.pid!, server, client: new KubeClient(server, ca, token), components, pids, tail, stop };
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Parent pid of every process, from /proc/<pid>/stat. */
function parents(): Map<number, number> {
  const ppid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the parenthesised command name: state, then ppid.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ppid.set(Number(entry), Number(fields[1]));
    } catch {
      // exited while we looked
    }
  }
  return ppid;
}

/** `roots` and every process descending from them, each once. */
export function withDescendants(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const seen = new Set<number>();
  const queue = roots.filter(alive);
  while (queue.length) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/** Resident memory of a process in KiB (VmRSS), 0 if it is gone or a kernel thread. */
export function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Processes (other than this one) whose command line mentions `text`. */
export function mentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** The command line of a process, for notes. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '?';
  }
}
