// The container shim: `node shim.js <container dir>`. The process runtime starts one per
// container, detached in its own session, so containers outlive the agent. The shim spawns the
// container (in its own process group), owns its stdout/stderr pipes and writes them to the CRI
// log file, records the container's pid (state.json) and, when it exits, its exit code
// (exit.json), then exits. It kills what is left of the container's process group first, so a
// container's background processes do not outlive it.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { CriLogFile } from './crilog.js';
import { readStat } from './procfs.js';
import { files, readRecord, writeRecord, type ContainerSpec, type ExitRecord } from './record.js';

const dir = process.argv[2];
const spec = readRecord<ContainerSpec>(dir, files.spec);
if (!spec) {
  console.error(`unyo shim: no readable ${files.spec} in ${dir}`);
  process.exit(2);
}

// The shim is in a session of its own; a hangup or ^C meant for the agent's terminal is not for it.
process.on('SIGHUP', () => undefined);
process.on('SIGINT', () => undefined);

const log = new CriLogFile(spec.log.path, { maxBytes: spec.log.maxBytes, maxFiles: spec.log.maxFiles });
// Opened read-write, a FIFO never reports end-of-file: stdin stays open between attaches.
const stdin = spec.stdin ? openSync(join(dir, files.stdin), 'r+') : 'ignore';
const child = spawn(spec.argv[0], spec.argv.slice(1), {
  cwd: spec.cwd,
  env: spec.env,
  detached: true,
  stdio: [stdin, 'pipe', 'pipe'],
});

const finish = (exit: Omit<ExitRecord, 'finishedAt'>) => {
  log.close();
  writeRecord(dir, files.exit, { ...exit, finishedAt: new Date().toISOString() } satisfies ExitRecord);
  process.exit(0);
};

child.on('error', (err) => finish({ exitCode: 128, reason: 'StartError', message: err.message }));

child.on('spawn', () => {
  if (typeof stdin === 'number') closeSync(stdin);
  const pid = child.pid!;
  writeRecord(dir, files.state, { pid, startTime: readStat(pid)?.startTime ?? 0, startedAt: new Date().toISOString() });
});

let lastOutput = Date.now();
child.stdout!.on('data', (chunk: Buffer) => {
  lastOutput = Date.now();
  log.write('stdout', chunk);
});
child.stderr!.on('data', (chunk: Buffer) => {
  lastOutput = Date.now();
  log.write('stderr', chunk);
});

let closed = false;
child.on('close', () => (closed = true));
child.on('exit', async (code, signal) => {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // The group is already empty.
  }
  // Killing the group closed the pipes' other ends, unless a process left the group and holds
  // them: read until end-of-file, or until the pipes were quiet for 2 s (at most 30 s). The
  // check runs after an I/O pass (setImmediate), so a busy machine delaying this process does
  // not cut output that is already waiting in the pipes.
  const started = Date.now();
  while (!closed && Date.now() - started < 30_000) {
    await new Promise((resolve) => setTimeout(() => setImmediate(resolve), 200));
    if (!closed && Date.now() - Math.max(lastOutput, started) > 2000) break;
  }
  const exitCode = code ?? 128 + (constants.signals[signal as keyof typeof constants.signals] ?? 0);
  finish({ exitCode, ...(signal ? { signal } : {}) });
});
