// The default runtime: each container is a host process (there is no container engine).
// A detached shim (shim.ts) runs each container and writes its CRI log and exit code into the
// container's record directory (record.ts), so containers outlive the agent and a new
// ProcessRuntime on the same rootDir re-adopts them. As root the container runs in its own
// mount, UTS and pid namespaces (namespaces.ts); without root it runs without namespaces
// (the fallback in README.md).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync, closeSync, constants as fsConstants, createWriteStream, existsSync, lstatSync, mkdirSync, openSync, readFileSync,
  readdirSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync, type WriteStream,
} from 'node:fs';
import { constants as osConstants, homedir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CriLogFollower } from './crilog.js';
import { innermost, setupScript, type PathKind, type RootEntry } from './namespaces.js';
import { childPids, clockTicksPerSecond, containerProcesses, isAlive, pageBytes, pidNamespace, readStat } from './procfs.js';
import { files, readRecord, writeRecord, type ContainerSpec, type ExitRecord, type ShimRecord, type StateRecord } from './record.js';
import {
  RuntimeError, type AttachOptions, type ContainerConfig, type ContainerStats, type ContainerStatus, type ExecOptions, type Mount, type Runtime,
} from './runtime.js';

/** What a built-in image runs (src/images/catalog.ts resolveImage); undefined for any other image. */
export type ImageResolver = (
  image: string,
  command: string[] | undefined,
  args: string[] | undefined,
) => { argv: string[]; env: Record<string, string> } | undefined;

export interface ProcessRuntimeOptions {
  /** The node's state directory for containers: <rootDir>/containers/<id>/. */
  rootDir: string;
  resolveImage: ImageResolver;
  /** Run containers in their own mount, UTS and pid namespaces. Default: when root and `unshare` works. */
  useNamespaces?: boolean;
  /** Log rotation: rotate at maxBytes, keep maxFiles files (<logPath>, <logPath>.1, ...). Default 10 MiB x 2. */
  logMaxBytes?: number;
  logMaxFiles?: number;
  /** How long a container may take to start (shim up, namespaces set up). Default 30 s. */
  startTimeoutMs?: number;
}

const defaultPath = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const unshareFlags = ['--mount', '--uts', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private'];
const shimPath = fileURLToPath(new URL('./shim.js', import.meta.url));
/** How long exec -t waits for the client's terminal size before starting at 80x24. */
const initialSizeWaitMs = 500;
/** How often containers whose shim is not our child are checked for an exit. */
const pollMs = 500;

interface Container {
  id: string;
  dir: string;
  spec: ContainerSpec;
  shim?: ShimRecord;
  state?: StateRecord;
  exit?: ExitRecord;
  /** The exit was reported to onExit listeners (or must not be: it exited before this runtime, or never started). */
  reported: boolean;
  exitWaiters: Set<() => void>;
  execs: Set<ExecProcess>;
  /** The highest CPU time reported: stats never go backwards when a process leaves the group. */
  cpuNanos: number;
  /** How our own shim child ended (a signal, or its exit code), for the message when it recorded nothing. */
  shimExit?: string;
}

/** A command run by exec: killed with the container, or when its client goes away. */
interface ExecProcess {
  kill(signal: NodeJS.Signals): void;
}

/** What this runtime uses of @lydell/node-pty (node-pty with prebuilt binaries), an optional dependency. */
interface PtyModule {
  spawn(
    file: string,
    args: string[],
    options: { name: string; cols: number; rows: number; cwd: string; env: Record<string, string>; encoding: null },
  ): {
    pid: number;
    write(data: string | Buffer): void;
    resize(cols: number, rows: number): void;
    onData(listener: (data: Buffer | string) => void): void;
    onExit(listener: (e: { exitCode: number; signal?: number }) => void): void;
  };
}

let ptyModule: Promise<PtyModule | undefined> | undefined;
/** The pty library when it is installed; without it exec -t runs on pipes (see README). */
function loadPty(): Promise<PtyModule | undefined> {
  const name = '@lydell/node-pty';
  ptyModule ??= import(name).then(
    (m: { default?: PtyModule } & PtyModule) => m.default ?? m,
    () => undefined,
  );
  return ptyModule;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

interface Tools {
  unshare: string;
  nsenter: string;
  mount: string;
  hostname: string;
  chroot: string;
  mkfifo?: string;
  setsid?: string;
}

export class ProcessRuntime implements Runtime {
  /** Whether containers get their own namespaces. */
  readonly namespaces: boolean;
  private readonly containers = new Map<string, Container>();
  private readonly listeners: ((status: ContainerStatus) => void)[] = [];
  private readonly containersDir: string;
  private readonly tools: Partial<Tools>;
  private poller?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.containersDir = join(opts.rootDir, 'containers');
    mkdirSync(this.containersDir, { recursive: true });
    this.tools = findTools();
    const available = namespacesAvailable();
    if (opts.useNamespaces && !available) {
      throw new Error('namespaces need root and util-linux (unshare, nsenter, mount, hostname, chroot); run as root or set useNamespaces: false');
    }
    this.namespaces = opts.useNamespaces ?? available;
    this.adopt();
  }

  async pullImage(image: string, command?: string[]): Promise<void> {
    if (this.opts.resolveImage(image, command, undefined) || command?.length) return;
    throw imageNotRunnable(image);
  }

  async startContainer(config: ContainerConfig): Promise<string> {
    const image = this.opts.resolveImage(config.image, config.command, config.args);
    if (!image && !config.command?.length) throw imageNotRunnable(config.image);
    const argv = image ? image.argv : [...config.command!, ...(config.args ?? [])];
    const workingDir = posix.resolve('/', config.workingDir || '/');
    for (const m of config.mounts) {
      if (!posix.isAbsolute(m.containerPath) || posix.resolve(m.containerPath) === '/') {
        throw new RuntimeError('CreateContainerError', `invalid mount path "${m.containerPath}": must be absolute and not /`);
      }
      if (!existsSync(m.hostPath)) {
        throw new RuntimeError('RunContainerError', `error mounting "${m.hostPath}" to rootfs at "${m.containerPath}": stat ${m.hostPath}: no such file or directory`);
      }
    }
    const mounts = config.mounts.map((m) => ({ ...m, containerPath: posix.resolve(m.containerPath) }));
    const env = this.containerEnv(config, mounts, image?.env ?? {});
    checkExecutable(argv[0], env.PATH, workingDir, mounts);

    const id = randomBytes(32).toString('hex');
    const dir = join(this.containersDir, id);
    mkdirSync(dir);
    mkdirSync(dirname(config.logPath), { recursive: true });
    const spec: ContainerSpec = {
      id,
      createdAt: new Date().toISOString(),
      config: { ...config, mounts },
      argv,
      env,
      cwd: '/',
      workingDir,
      namespaces: this.namespaces,
      log: { path: config.logPath, maxBytes: this.opts.logMaxBytes ?? 10 * 1024 * 1024, maxFiles: this.opts.logMaxFiles ?? 2 },
      stdin: Boolean(config.stdin),
      symlinks: [],
    };
    try {
      // The Pod's resolv.conf is bound over /etc/resolv.conf like a volume, but is not one (not in UNYO_MOUNTS).
      const resolv = config.resolvConf ? [{ hostPath: config.resolvConf, containerPath: '/etc/resolv.conf', readOnly: true }] : [];
      if (this.namespaces) this.prepareNamespaces(spec, [...mounts, ...resolv]);
      else this.prepareFallback(spec, mounts);
      if (spec.stdin) execFileSync(this.tools.mkfifo ?? 'mkfifo', ['-m', '0600', join(dir, files.stdin)]);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err instanceof RuntimeError ? err : new RuntimeError('CreateContainerError', (err as Error).message);
    }
    writeRecord(dir, files.spec, spec);

    const c: Container = { id, dir, spec, reported: false, exitWaiters: new Set(), execs: new Set(), cpuNanos: 0 };
    this.containers.set(id, c);
    const out = openSync(join(dir, files.shimLog), 'a');
    const shim = spawn(process.execPath, [shimPath, dir], { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    shim.unref();
    shim.on('exit', (code, signal) => {
      c.shimExit = signal ?? `exit code ${code}`;
      this.refresh(c);
    });
    c.shim = { pid: shim.pid!, startTime: readStat(shim.pid!)?.startTime ?? 0 };
    writeRecord(dir, files.shim, c.shim);
    this.startPolling();

    await this.waitStarted(c);
    return id;
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    const c = this.mustGet(id);
    this.refresh(c);
    if (c.exit) return;
    this.signal(c, 'SIGTERM');
    if (await this.waitExit(c, Math.max(0, gracePeriodSeconds) * 1000)) return;
    this.signal(c, 'SIGKILL');
    if (!(await this.waitExit(c, 10_000))) throw new Error(`container ${id} did not exit after SIGKILL`);
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    if (!c.exit) await this.stopContainer(id, 0);
    for (const link of c.spec.symlinks) {
      try {
        if (readlinkSync(link.path) === link.target) unlinkSync(link.path);
      } catch {
        // Already gone.
      }
    }
    removeRecordDir(c.dir);
    this.containers.delete(id);
  }

  containerStatus(id: string): ContainerStatus | undefined {
    const c = this.containers.get(id);
    return c && statusOf(c);
  }

  listContainers(): ContainerStatus[] {
    return [...this.containers.values()].map(statusOf);
  }

  onExit(listener: (status: ContainerStatus) => void): void {
    this.listeners.push(listener);
  }

  async exec(id: string, options: ExecOptions): Promise<number> {
    const c = this.mustGet(id);
    this.refresh(c);
    if (c.exit || !c.state) throw new RuntimeError('RunContainerError', `container ${id} is not running`);
    const { spec } = c;
    const mounts = spec.config.mounts;
    checkExecutable(options.command[0], spec.env.PATH, spec.workingDir, mounts);
    const pty = options.tty ? await loadPty() : undefined;
    let argv: string[];
    if (spec.namespaces) {
      const init = childPids(c.state.pid)[0];
      if (!init) throw new RuntimeError('RunContainerError', `container ${id} is not running`);
      // On a terminal, the command's session must be one of the container's pid namespace, or
      // a shell's job control fails ("Cannot set tty process group"): setsid --ctty makes it so.
      const session = pty && this.tools.setsid ? [this.tools.setsid, '--ctty'] : [];
      argv = [this.tools.nsenter!, '--target', String(init), '--mount', '--uts', '--pid', '--root', `--wdns=${spec.workingDir}`, '--', ...session, ...options.command];
    } else {
      argv = [hostCommand(options.command[0], spec.workingDir, mounts), ...options.command.slice(1)];
    }
    const argv0 = spec.namespaces ? undefined : options.command[0];
    if (pty) return this.execOnTerminal(c, pty, argv, options);
    // Its own process group, so a stop or a departed client reaches what nsenter forked too.
    const child = spawn(argv[0], argv.slice(1), {
      cwd: spec.cwd,
      env: spec.env,
      argv0,
      detached: true,
      stdio: [options.stdin ? 'pipe' : 'ignore', options.stdout ? 'pipe' : 'ignore', options.stderr ? 'pipe' : 'ignore'],
    });
    const exec: ExecProcess = { kill: (signal) => killGroup(child.pid, signal) };
    c.execs.add(exec);
    const onAbort = () => exec.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.stdin) {
      child.stdin!.on('error', () => undefined);
      options.stdin.pipe(child.stdin!);
    }
    // With a tty everything comes on stdout; without a real terminal, stderr is merged there too.
    const stderr = options.stderr ?? (options.tty ? options.stdout : undefined);
    if (options.stdout) child.stdout!.pipe(options.stdout, { end: false });
    if (stderr && child.stderr) child.stderr.pipe(stderr, { end: false });
    else child.stderr?.resume();
    return new Promise((resolve, reject) => {
      const done = () => {
        c.execs.delete(exec);
        options.signal?.removeEventListener('abort', onAbort);
        options.stdin?.unpipe(child.stdin!);
      };
      child.on('error', (err) => {
        done();
        reject(new RuntimeError('RunContainerError', `exec failed: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        done();
        resolve(code ?? 128 + signalNumber(signal));
      });
    });
  }

  /** exec -t: the command on a pseudo-terminal sized and resized as the client's. */
  private async execOnTerminal(c: Container, pty: PtyModule, argv: string[], options: ExecOptions): Promise<number> {
    // kubectl sends its terminal's size as the session opens: start at that size when it comes in time.
    const sizes = options.resize;
    if (sizes && !sizes.last) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, initialSizeWaitMs);
        sizes.once('resize', done);
        function done() {
          clearTimeout(timer);
          sizes!.off('resize', done);
          resolve();
        }
      });
    }
    const initial = sizes?.last;
    const term = pty.spawn(argv[0], argv.slice(1), {
      name: 'xterm',
      cols: initial && initial.width > 0 ? initial.width : 80,
      rows: initial && initial.height > 0 ? initial.height : 24,
      cwd: c.spec.cwd,
      env: c.spec.env,
      encoding: null,
    });
    // The terminal's session leader heads a process group of its own.
    const exec: ExecProcess = { kill: (signal) => killGroup(term.pid, signal) };
    c.execs.add(exec);
    const onAbort = () => exec.kill('SIGHUP');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const onResize = (size: { width: number; height: number }) => {
      if (size.width <= 0 || size.height <= 0) return;
      try {
        term.resize(size.width, size.height);
      } catch {
        // The terminal closed as the size came.
      }
    };
    options.resize?.on('resize', onResize);
    const onInput = (d: Buffer | string) => {
      try {
        term.write(d);
      } catch {
        // The terminal closed as the input came.
      }
    };
    options.stdin?.on('data', onInput);
    term.onData((d) => options.stdout?.write(typeof d === 'string' ? Buffer.from(d) : d));
    return new Promise((resolve) => {
      term.onExit(({ exitCode, signal }) => {
        c.execs.delete(exec);
        options.signal?.removeEventListener('abort', onAbort);
        options.resize?.off('resize', onResize);
        options.stdin?.off('data', onInput);
        // Let the terminal's last output (already read) reach the writer first.
        setImmediate(() => resolve(signal ? 128 + signal : exitCode));
      });
    });
  }

  async attach(id: string, options: AttachOptions): Promise<void> {
    const c = this.mustGet(id);
    this.refresh(c);
    if (c.exit || !c.state) throw new RuntimeError('RunContainerError', `container ${id} is not running`);
    // Follow the output first, so what answers the input is not missed.
    const follower = new CriLogFollower(c.spec.log.path, (entry) => {
      const out = entry.stream === 'stderr' && !options.tty ? (options.stderr ?? undefined) : options.stdout;
      out?.write(entry.partial ? entry.text : `${entry.text}\n`);
    });
    // The container holds its stdin FIFO open read-write, so opening it never blocks and
    // closing ours never gives it end-of-file: the next attach can write again.
    let fifo: WriteStream | undefined;
    if (options.stdin && c.spec.stdin) {
      fifo = createWriteStream('', { fd: openSync(join(c.dir, files.stdin), 'r+') });
      fifo.on('error', () => undefined);
      options.stdin.pipe(fifo);
    } else options.stdin?.resume();
    await new Promise<void>((resolve) => {
      if (options.signal?.aborted) return resolve();
      const wake = () => {
        c.exitWaiters.delete(wake);
        options.signal?.removeEventListener('abort', wake);
        clearInterval(check);
        resolve();
      };
      c.exitWaiters.add(wake);
      options.signal?.addEventListener('abort', wake, { once: true });
      const check = setInterval(() => this.refresh(c), pollMs);
      if (c.exit) wake();
    });
    follower.stop();
    if (fifo) {
      options.stdin?.unpipe(fifo);
      fifo.end();
    }
  }

  stats(id: string): ContainerStats | undefined {
    const c = this.containers.get(id);
    if (!c?.state || c.exit) return undefined;
    const pidNs = c.spec.namespaces ? pidNamespace(childPids(c.state.pid)[0] ?? -1) : undefined;
    const procs = containerProcesses(c.state.pid, pidNs);
    if (procs.length === 0) return undefined;
    const ticks = procs.reduce((sum, p) => sum + p.cpuTicks, 0);
    c.cpuNanos = Math.max(c.cpuNanos, Math.round((ticks * 1e9) / clockTicksPerSecond()));
    return {
      cpuNanos: c.cpuNanos,
      memoryBytes: procs.reduce((sum, p) => sum + p.rssPages, 0) * pageBytes(),
      timestamp: new Date().toISOString(),
    };
  }

  /** Stop watching containers (they keep running; a new ProcessRuntime re-adopts them). */
  close(): void {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  /** The contract env is the runtime's, the container's own env (spec.containers[].env) wins over it. */
  private containerEnv(config: ContainerConfig, mounts: Mount[], imageEnv: Record<string, string>): Record<string, string> {
    const path = [...defaultPath];
    if (!path.includes(dirname(process.execPath))) path.push(dirname(process.execPath));
    const env: Record<string, string> = {
      PATH: path.join(':'),
      HOME: process.getuid?.() === 0 ? '/root' : homedir(),
      ...imageEnv,
      HOSTNAME: config.hostname,
      POD_NAME: config.podName,
      POD_NAMESPACE: config.podNamespace,
      UNYO_POD_IP: config.podIP,
      UNYO_PORTS: config.ports.join(','),
      UNYO_IMAGE: config.image,
      UNYO_MOUNTS: mounts.map((m) => m.containerPath).join(','),
    };
    if (!this.namespaces) for (const m of mounts) env[mountEnvName(m.containerPath)] = m.hostPath;
    if (!this.namespaces && config.resolvConf) env.UNYO_RESOLV_CONF = config.resolvConf;
    return { ...env, ...config.env };
  }

  private prepareNamespaces(spec: ContainerSpec, mounts: Mount[]): void {
    const dir = join(this.containersDir, spec.id);
    mkdirSync(join(dir, files.rootfs));
    mkdirSync(join(dir, files.scratch));
    const script = setupScript({
      dir,
      hostname: spec.config.hostname,
      mounts,
      workingDir: spec.workingDir,
      rootEntries: hostRootEntries(),
      probe: probePath,
      tools: { mount: this.tools.mount!, hostname: this.tools.hostname!, chroot: this.tools.chroot! },
    });
    writeFileSync(join(dir, files.setup), script);
    spec.argv = [this.tools.unshare!, ...unshareFlags, '/bin/sh', join(dir, files.setup), ...spec.argv];
  }

  /**
   * Without namespaces the container sees the host's filesystem: its working directory and a
   * command under a mount path are translated to host paths, each mount is named in
   * UNYO_MOUNT_<path>, and a symlink is made at the mount path where that is possible.
   */
  private prepareFallback(spec: ContainerSpec, mounts: Mount[]): void {
    const cwd = hostPath(spec.workingDir, mounts);
    try {
      mkdirSync(cwd, { recursive: true });
    } catch {
      throw new RuntimeError('RunContainerError', `chdir to cwd ("${spec.workingDir}") set in config.json failed: no such file or directory`);
    }
    spec.cwd = cwd;
    spec.argv = [hostCommand(spec.argv[0], spec.workingDir, mounts), ...spec.argv.slice(1)];
    for (const m of mounts) {
      try {
        lstatSync(m.containerPath);
        continue; // Something is there already (maybe another pod's link): the env var has to do.
      } catch {
        // Free: link it if the parent is a writable directory.
      }
      try {
        accessSync(dirname(m.containerPath), fsConstants.W_OK);
        symlinkSync(m.hostPath, m.containerPath);
        spec.symlinks.push({ path: m.containerPath, target: m.hostPath });
      } catch {
        // Not writable: the env var has to do.
      }
    }
  }

  private async waitStarted(c: Container): Promise<void> {
    const timeoutMs = this.opts.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      c.state ??= readRecord<StateRecord>(c.dir, files.state);
      if (c.state && (!c.spec.namespaces || existsSync(join(c.dir, files.ready)))) return;
      const exit = readRecord<ExitRecord>(c.dir, files.exit);
      if (exit || Date.now() > deadline) {
        const message = exit ? startFailure(c.dir, exit) : `the container did not start within ${timeoutMs / 1000}s`;
        c.reported = true;
        await this.removeContainer(c.id).catch(() => undefined);
        throw new RuntimeError('RunContainerError', message);
      }
      await sleep(20);
    }
  }

  private adopt(): void {
    for (const id of readdirSync(this.containersDir)) {
      const dir = join(this.containersDir, id);
      const spec = readRecord<ContainerSpec>(dir, files.spec);
      if (!spec) continue;
      const c: Container = {
        id,
        dir,
        spec,
        shim: readRecord<ShimRecord>(dir, files.shim),
        state: readRecord<StateRecord>(dir, files.state),
        exit: readRecord<ExitRecord>(dir, files.exit),
        reported: true,
        exitWaiters: new Set(),
        execs: new Set(),
        cpuNanos: 0,
      };
      this.containers.set(id, c);
      if (c.exit) continue;
      c.reported = false;
      this.refresh(c);
    }
    this.startPolling();
  }

  private startPolling(): void {
    if (this.poller || this.closed) return;
    this.poller = setInterval(() => {
      let watching = false;
      for (const c of this.containers.values()) {
        if (!c.exit) this.refresh(c);
        watching ||= !c.exit;
      }
      if (!watching) {
        clearInterval(this.poller);
        this.poller = undefined;
      }
    }, pollMs);
    this.poller.unref();
  }

  /** Read what the shim recorded; notice a shim that died without recording the exit. */
  private refresh(c: Container): void {
    if (c.exit) return;
    c.state ??= readRecord<StateRecord>(c.dir, files.state);
    let exit = readRecord<ExitRecord>(c.dir, files.exit);
    if (!exit && !(c.shim && isAlive(c.shim.pid, c.shim.startTime))) {
      // The shim writes exit.json before it exits: read again, it may have just finished.
      exit = readRecord<ExitRecord>(c.dir, files.exit);
      if (!exit && !(c.state && isAlive(c.state.pid, c.state.startTime))) {
        exit = {
          exitCode: 137,
          reason: 'ContainerStatusUnknown',
          message: `The container shim exited${c.shimExit ? ` (${c.shimExit})` : ''} without recording the exit code`,
          finishedAt: new Date().toISOString(),
        };
        writeRecord(c.dir, files.exit, exit);
      }
    }
    if (!exit) return;
    c.exit = exit;
    for (const wake of c.exitWaiters) wake();
    c.exitWaiters.clear();
    if (c.reported) return;
    c.reported = true;
    const status = statusOf(c);
    for (const listener of this.listeners) listener(status);
  }

  private waitExit(c: Container, ms: number): Promise<boolean> {
    if (c.exit) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = setInterval(() => this.refresh(c), 50);
      const done = (exited: boolean) => {
        clearInterval(check);
        clearTimeout(timer);
        c.exitWaiters.delete(wake);
        resolve(exited);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      c.exitWaiters.add(wake);
    });
  }

  /** Signal the container's process group (and its execs), unless its pid now names another process. */
  private signal(c: Container, signal: NodeJS.Signals): void {
    // Before the container runs there is only the shim to stop (it leads its own session).
    const target = c.state ?? (signal === 'SIGKILL' ? c.shim : undefined);
    if (target && isAlive(target.pid, target.startTime)) {
      try {
        process.kill(-target.pid, signal);
      } catch {
        // Exited meanwhile.
      }
    }
    for (const e of c.execs) e.kill(signal);
  }

  private mustGet(id: string): Container {
    const c = this.containers.get(id);
    if (!c) throw new Error(`container "${id}" not found`);
    return c;
  }
}

function statusOf(c: Container): ContainerStatus {
  const owner = { podUid: c.spec.config.podUid, containerName: c.spec.config.containerName, attempt: c.spec.config.attempt };
  if (c.exit) {
    return {
      id: c.id,
      ...owner,
      state: 'exited',
      startedAt: c.state?.startedAt,
      finishedAt: c.exit.finishedAt,
      exitCode: c.exit.exitCode,
      reason: c.exit.reason ?? (c.exit.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.exit.message ? { message: c.exit.message } : {}),
    };
  }
  if (c.state) return { id: c.id, ...owner, state: 'running', pid: c.state.pid, startedAt: c.state.startedAt };
  return { id: c.id, ...owner, state: 'created' };
}

function imageNotRunnable(image: string): RuntimeError {
  return new RuntimeError('ErrImagePull', `image "${image}" is not a built-in unyo image and the container has no command: the process runtime cannot run it`);
}

/** Why a container exited before it was running: the namespace setup's error output, or the shim's. */
function startFailure(dir: string, exit: ExitRecord): string {
  let setup = '';
  try {
    setup = readFileSync(join(dir, files.setupError), 'utf8').trim().split('\n').reverse().join(': ');
  } catch {
    // No namespace setup.
  }
  let shimLog = '';
  try {
    // A crash's stack is long: its first line says what went wrong.
    const lines = readFileSync(join(dir, files.shimLog), 'utf8').trim().split('\n');
    shimLog = lines.find((l) => /Error/.test(l)) ?? lines.at(-1) ?? '';
  } catch {
    // The shim said nothing.
  }
  const why = setup || exit.message || `the container exited with code ${exit.exitCode} before it started`;
  return shimLog ? `${why}: ${shimLog}` : why;
}

/** The host path of a container path: through the mount that holds it, else the same path. */
function hostPath(containerPath: string, mounts: Mount[]): string {
  const m = innermost(mounts, containerPath);
  return m ? posix.join(m.hostPath, posix.relative(m.containerPath, containerPath)) : containerPath;
}

/** A command given as a path, as the host sees it; a bare name stays (found in $PATH). */
function hostCommand(file: string, workingDir: string, mounts: Mount[]): string {
  return file.includes('/') ? hostPath(posix.resolve(workingDir, file), mounts) : file;
}

/** The exec errors runc gives, found before anything is spawned. */
function checkExecutable(file: string | undefined, path: string | undefined, workingDir: string, mounts: Mount[]): void {
  if (!file) throw new RuntimeError('RunContainerError', 'exec: no command');
  if (file.includes('/')) {
    const full = posix.resolve(workingDir, file);
    const problem = executableProblem(hostPath(full, mounts));
    if (problem === 'missing') throw new RuntimeError('RunContainerError', `exec: "${file}": stat ${full}: no such file or directory`);
    if (problem) throw new RuntimeError('RunContainerError', `exec: "${file}": ${problem}`);
    return;
  }
  for (const dir of (path ?? defaultPath.join(':')).split(':')) {
    const candidate = posix.resolve(workingDir, dir || '.', file);
    if (!executableProblem(hostPath(candidate, mounts))) return;
  }
  throw new RuntimeError('RunContainerError', `exec: "${file}": executable file not found in $PATH`);
}

function executableProblem(path: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 'missing';
  }
  if (st.isDirectory()) return 'is a directory';
  try {
    accessSync(path, fsConstants.X_OK);
  } catch {
    return 'permission denied';
  }
  if (!st.isFile()) return 'permission denied';
  return undefined;
}

/** UNYO_MOUNT_<path with every character outside [A-Za-z0-9_] as _>: /var/lib/data → UNYO_MOUNT__var_lib_data. */
export function mountEnvName(containerPath: string): string {
  return `UNYO_MOUNT_${containerPath.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function probePath(path: string): PathKind | undefined {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}

function hostRootEntries(): RootEntry[] {
  return readdirSync('/', { withFileTypes: true }).map((e): RootEntry => {
    if (e.isSymbolicLink()) return { name: e.name, kind: 'symlink', target: readlinkSync(`/${e.name}`) };
    return { name: e.name, kind: e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other' };
  });
}

function findTools(): Partial<Tools> {
  const find = (name: string) => defaultPath.map((d) => join(d, name)).find((p) => executableProblem(p) === undefined);
  return {
    unshare: find('unshare'),
    nsenter: find('nsenter'),
    mount: find('mount'),
    hostname: find('hostname'),
    chroot: find('chroot'),
    mkfifo: find('mkfifo'),
    setsid: find('setsid'),
  };
}

let namespacesProbe: boolean | undefined;
/** Root, the util-linux tools, and an `unshare` that works here (a container may forbid it). */
export function namespacesAvailable(): boolean {
  if (namespacesProbe !== undefined) return namespacesProbe;
  const t = findTools();
  if (process.getuid?.() !== 0 || !t.unshare || !t.nsenter || !t.mount || !t.hostname || !t.chroot) return (namespacesProbe = false);
  const probe = spawnSync(t.unshare, [...unshareFlags, 'true'], { stdio: 'ignore', timeout: 10_000 });
  return (namespacesProbe = probe.status === 0);
}

/**
 * Remove a container's record directory. Its rootfs holds mount points of the container's own
 * mount namespace: in the host's they are empty, and removal refuses if the host has any mount
 * below the directory, so it never deletes through a bind mount.
 */
function removeRecordDir(dir: string): void {
  const mountPoints = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p) => p !== undefined && (p === dir || p.startsWith(`${dir}/`)));
  if (mountPoints.length > 0) throw new Error(`refusing to remove ${dir}: ${mountPoints[0]} is mounted on the host`);
  rmSync(dir, { recursive: true, force: true });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (osConstants.signals[signal] ?? 0) : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
