// Black-box harness for end-to-end tests: runs a real `unyo up` in a temporary data
// directory on a free port, waits for its "ready" line, and runs the real kubectl against it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);
const unyoBin = join(repoRoot, 'bin', 'unyo.js');

/** The kubectl binaries to test against: the machine's and the 1.33 unpacked by scripts/install-deps. */
export function kubectlBinaries(): Array<{ name: string; path: string }> {
  const out: Array<{ name: string; path: string }> = [];
  const machine = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  if (machine) out.push({ name: 'kubectl (machine)', path: machine });
  const bundled = join(repoRoot, '.tools', 'kubectl', 'kubectl');
  if (existsSync(bundled)) out.push({ name: 'kubectl 1.33', path: bundled });
  return out;
}

export interface Cluster {
  dataDir: string;
  kubeconfig: string;
  url: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
  kill9(): void;
}

export interface UpOptions {
  dataDir?: string;
  extraArgs?: string[];
  /** How long to wait for the ready line (default 60 s; a loaded machine with several nodes needs more). */
  readyTimeoutMs?: number;
}

/** Start `unyo up --nodes 0` and resolve once it prints its ready line. */
export async function startCluster(opts: UpOptions = {}): Promise<Cluster> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'unyo-e2e-'));
  const child = spawn(process.execPath, [unyoBin, 'up', '--data-dir', dataDir, '--port', '0', '--nodes', '0', ...(opts.extraArgs ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolveReady, reject) => {
    const timeoutMs = opts.readyTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      // Leave nothing behind: the cluster that did not come up is stopped.
      child.kill('SIGTERM');
      reject(new Error(`unyo up did not become ready in ${timeoutMs / 1000}s:\n${out}`));
    }, timeoutMs);
    const check = () => {
      if (/cluster ready/.test(out)) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolveReady();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`unyo up exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  const info = JSON.parse(readFileSync(join(dataDir, 'cluster.json'), 'utf8'));
  const cluster: Cluster = {
    dataDir,
    kubeconfig: join(dataDir, 'kubeconfig'),
    url: info.server,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
    kill9() {
      child.kill('SIGKILL');
    },
  };
  return cluster;
}

export async function removeCluster(cluster: Cluster): Promise<void> {
  await cluster.stop();
  rmSync(cluster.dataDir, { recursive: true, force: true });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run kubectl with the cluster's kubeconfig (asynchronously, so the test process stays responsive). */
export function kubectl(bin: string, cluster: Cluster, args: string[], input?: string, env?: Record<string, string>): Promise<RunResult> {
  const run = kubectlSpawn(bin, cluster, args, input, env);
  return run.exited;
}

/** A kubectl that keeps running (`get -w`, `wait`): its output so far, and its exit. */
export interface KubectlProcess {
  stdout(): string;
  stderr(): string;
  exited: Promise<RunResult>;
  kill(): void;
}

/** Extra environment variables (env) select kubectl behaviours, e.g. KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false. */
export function kubectlSpawn(bin: string, cluster: Cluster, args: string[], input?: string, env?: Record<string, string>): KubectlProcess {
  // Each binary gets its own discovery cache: two kubectl versions must not share one.
  const cacheDir = join(cluster.dataDir, `kubecache-${bin.replace(/[^a-zA-Z0-9]/g, '_')}`);
  const child = spawn(bin, ['--kubeconfig', cluster.kubeconfig, ...args], { env: { ...process.env, KUBECACHEDIR: cacheDir, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<RunResult>((resolveRun) => child.on('close', (code, signal) => resolveRun({ code: code ?? (signal ? -1 : 0), stdout, stderr })));
  child.stdin.end(input ?? '');
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

/**
 * Poll `probe` until it returns something truthy, and return that; fail with `description`
 * (and the last value seen) after `timeoutMs`. Tests wait for conditions, never for fixed times.
 */
export async function waitFor<T>(description: string, probe: () => T | Promise<T>, timeoutMs = 20_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
