// Child processes and temporary directories a benchmark owns: started here, stopped and
// removed here on every way out (normal end, error, SIGINT/SIGTERM), so no run leaves an
// orphaned server or a data directory behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** The last lines the process printed, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

interface Tracked {
  name: string;
  proc: ChildProcess;
  exited: Promise<void>;
  running: boolean;
  stopping: boolean;
}

const keptLines = 40;
const stopGraceMs = 5000;
// USER_HZ, the unit of /proc/<pid>/stat times; 100 on every Linux architecture we run on.
const clockTicks = 100;

export class Processes {
  private readonly children = new Set<Tracked>();
  private readonly dirs = new Set<string>();
  /** Set on SIGINT/SIGTERM: a terminal's Ctrl-C reaches the children too, so their exit is expected. */
  private interrupted = false;

  constructor() {
    // Last resort when the process ends without stopAll (an uncaught error): nothing async
    // runs in 'exit', so kill hard and remove what we can synchronously.
    process.on('exit', () => {
      for (const c of this.children) if (c.running) c.proc.kill('SIGKILL');
      for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        this.interrupted = true;
        process.stderr.write(`bench: ${signal}, stopping child processes\n`);
        void this.stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
      });
    }
  }

  tempDir(label: string): string {
    const dir = mkdtempSync(join(tmpdir(), `unyo-bench-${label}-`));
    this.dirs.add(dir);
    return dir;
  }

  removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
    this.dirs.delete(dir);
  }

  /**
   * Starts `command` and resolves once a line of its output (stdout or stderr) matches
   * `ready`; rejects with its last output if it exits first or does not get ready in time.
   * Output keeps being drained afterwards so a chatty process never blocks on a full pipe.
   */
  async start(name: string, command: string, args: string[], ready: RegExp, timeoutMs = 30_000): Promise<Child> {
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let resolveExit!: () => void;
    const tracked: Tracked = { name, proc, running: true, stopping: false, exited: new Promise<void>((r) => (resolveExit = r)) };
    this.children.add(tracked);
    let started = false;
    const tail = () => lines.join('\n');
    proc.on('exit', (code, signal) => {
      tracked.running = false;
      this.children.delete(tracked);
      resolveExit();
      // Whatever failed next in the benchmark, this is the cause to show.
      if (started && !tracked.stopping && !this.interrupted) process.stderr.write(`bench: ${name} (pid ${proc.pid}) exited unexpectedly (${signal ?? `code ${code}`}); last output:\n${tail()}\n`);
    });

    await new Promise<void>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => finish(new Error(`${name} did not get ready within ${timeoutMs / 1000} s; last output:\n${tail()}`)), timeoutMs);
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const onLine = (line: string) => {
        lines.push(line);
        if (lines.length > keptLines) lines.shift();
        if (ready.test(line)) finish();
      };
      createInterface({ input: proc.stdout! }).on('line', onLine);
      createInterface({ input: proc.stderr! }).on('line', onLine);
      proc.once('error', (err) => finish(new Error(`${name}: ${err.message}`)));
      proc.once('exit', (code, signal) => finish(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready; last output:\n${tail()}`)));
    }).catch(async (err: unknown) => {
      await this.stop(tracked);
      throw err;
    });
    started = true;
    return { name, pid: proc.pid!, tail, stop: () => this.stop(tracked) };
  }

  /** SIGTERM, then SIGKILL if the process has not exited after a grace period. */
  private async stop(c: Tracked): Promise<void> {
    if (!c.running) return;
    c.stopping = true;
    c.proc.kill('SIGTERM');
    const timer = setTimeout(() => c.proc.kill('SIGKILL'), stopGraceMs);
    await c.exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children].map((c) => this.stop(c)));
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.dirs.clear();
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux only). */
export function cpuSeconds(pid: number): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return NaN;
  }
}
