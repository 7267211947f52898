// The processes of a local cluster, as `unyo up` runs them: each component is a child process
// with a name and a role (listed in DIR/cluster.json so drills can find and kill them).
// Control-plane components of an HA cluster restart after a crash, the way systemd
// (`Restart=on-failure`) or the kubelet's static Pods keep a real control plane running; node
// agents never do (a dead agent is a dead node, which the cluster itself must handle).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export type Role = 'apiserver' | 'store' | 'controller-manager' | 'scheduler' | 'agent' | 'proxy' | 'lb';

export interface ComponentSpec {
  name: string;
  role: Role;
  command: string;
  args: string[];
  url?: string;
  zone?: string;
  /** Restart after a crash, after `restartDelayMs` (doubling on each quick crash, up to 8×). */
  restart?: boolean;
  /** Append the child's output to this file instead of unyo's own output (etcd's logs are verbose). */
  logFile?: string;
}

export interface ComponentStatus {
  name: string;
  role: Role;
  pid: number;
  url?: string;
  zone?: string;
  restarts?: number;
}

interface Running {
  spec: ComponentSpec;
  child?: ChildProcess;
  restarts: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
}

export interface SupervisorOptions {
  restartDelayMs?: number;
  /** Called whenever a component's pid changes (cluster.json is rewritten). */
  onChange?: () => void;
  log?: (line: string) => void;
}

export class Supervisor {
  private readonly components = new Map<string, Running>();
  private stopping = false;
  private readonly restartDelayMs: number;
  private readonly log: (line: string) => void;
  private failStartup: (err: Error) => void = () => undefined;
  /** Rejects when a component that does not restart exits before `ready()` is called. */
  readonly startupFailed: Promise<never>;
  private started = false;

  constructor(private readonly opts: SupervisorOptions = {}) {
    this.restartDelayMs = opts.restartDelayMs ?? 5000;
    this.log = opts.log ?? ((l) => console.error(l));
    this.startupFailed = new Promise<never>((_, reject) => (this.failStartup = reject));
    this.startupFailed.catch(() => undefined);
  }

  start(spec: ComponentSpec): void {
    const r: Running = { spec, restarts: 0, startedAt: 0 };
    this.components.set(spec.name, r);
    this.spawn(r);
  }

  /** The cluster is up: from now on an exit is reported, not a startup failure. */
  ready(): void {
    this.started = true;
  }

  status(): ComponentStatus[] {
    return [...this.components.values()]
      .filter((r) => r.child?.pid !== undefined && r.child.exitCode === null && r.child.signalCode === null)
      .map((r) => ({ name: r.spec.name, role: r.spec.role, pid: r.child!.pid!, ...(r.spec.url ? { url: r.spec.url } : {}), ...(r.spec.zone ? { zone: r.spec.zone } : {}), ...(r.restarts ? { restarts: r.restarts } : {}) }));
  }

  private spawn(r: Running): void {
    const { spec } = r;
    const out = spec.logFile ? openSync(spec.logFile, 'a') : 'inherit';
    const child = spawn(spec.command, spec.args, { stdio: ['ignore', out, out], env: { ...process.env, UNYO_SUPERVISOR_PID: String(process.pid) } });
    if (typeof out === 'number') closeSync(out);
    r.child = child;
    r.startedAt = Date.now();
    child.on('error', (err) => this.log(`unyo: ${spec.name} could not start: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      const how = signal ?? `exit code ${code}`;
      if (!spec.restart) {
        this.log(`unyo: ${spec.name} exited (${how})`);
        if (!this.started) this.failStartup(new Error(`${spec.name} exited (${how}) before the cluster was ready; see its output above`));
        this.opts.onChange?.();
        return;
      }
      // A component that ran for a minute starts again at the base delay; quick crashes back off.
      if (Date.now() - r.startedAt > 60_000) r.restarts = 0;
      const delay = this.restartDelayMs * Math.min(8, 2 ** r.restarts);
      r.restarts++;
      this.log(`unyo: ${spec.name} exited (${how}); restarting in ${(delay / 1000).toFixed(1)} s`);
      this.opts.onChange?.();
      r.timer = setTimeout(() => {
        if (this.stopping) return;
        this.spawn(r);
        this.log(`unyo: ${spec.name} restarted (pid ${r.child!.pid})`);
        this.opts.onChange?.();
      }, delay);
    });
  }

  /**
   * Stop every component: SIGTERM role by role in the given order, each group waited
   * for (killed after `graceMs`) before the next, so agents stop their containers while the API
   * still answers and the store goes last.
   */
  async stop(order: Role[], graceMs = 40_000): Promise<void> {
    this.stopping = true;
    for (const r of this.components.values()) clearTimeout(r.timer);
    const groups = order.map((role) => [...this.components.values()].filter((r) => r.spec.role === role));
    const rest = [...this.components.values()].filter((r) => !order.includes(r.spec.role));
    for (const group of [rest, ...groups]) {
      await Promise.all(
        group.map(
          (r) =>
            new Promise<void>((done) => {
              const c = r.child;
              if (!c || c.exitCode !== null || c.signalCode !== null) return done();
              c.once('exit', () => done());
              c.kill('SIGTERM');
              setTimeout(() => c.kill('SIGKILL'), graceMs).unref();
            }),
        ),
      );
    }
  }
}
