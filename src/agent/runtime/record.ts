// The on-disk record of one container, shared by the process runtime and its shim: a directory
// <rootDir>/containers/<id>/ whose files say what to run and what happened to it. The files are
// the only link between the two, so a restarted agent re-adopts containers by reading them.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerConfig } from './runtime.js';

/** Written by the runtime before it starts the shim: everything the shim needs. */
export interface ContainerSpec {
  id: string;
  createdAt: string;
  config: ContainerConfig;
  /** What the shim spawns: the container's own argv, or unshare + the namespace setup script + it. */
  argv: string[];
  /** The container's environment (also used for exec). */
  env: Record<string, string>;
  /** Host directory the shim spawns in; the container's working directory without namespaces. */
  cwd: string;
  /** The working directory as the container sees it (exec starts there). */
  workingDir: string;
  namespaces: boolean;
  log: { path: string; maxBytes: number; maxFiles: number };
  /** Keep the container's stdin open: it reads the FIFO <dir>/stdin. */
  stdin: boolean;
  /** Symlinks the runtime made for mounts when running without namespaces (removed with the container). */
  symlinks: { path: string; target: string }[];
}

/** The shim process, written by the runtime once it is spawned. */
export interface ShimRecord {
  pid: number;
  /** /proc/<pid>/stat starttime, so a reused pid is never mistaken for the shim. */
  startTime: number;
}

/** Written by the shim once the container process runs. */
export interface StateRecord {
  /** The container's top process, leader of its own process group. */
  pid: number;
  startTime: number;
  startedAt: string;
}

/** Written by the shim (or the runtime, when the shim is gone) once the container exited. */
export interface ExitRecord {
  exitCode: number;
  signal?: string;
  finishedAt: string;
  reason?: string;
  message?: string;
}

export const files = {
  spec: 'spec.json',
  shim: 'shim.json',
  state: 'state.json',
  exit: 'exit.json',
  /** The shim's own stdout/stderr. */
  shimLog: 'shim.log',
  /** Namespace setup: the script, its error output, and the marker it leaves just before exec. */
  setup: 'setup.sh',
  setupError: 'setup-error',
  ready: 'ready',
  /** The container's root directory (namespaces): its writable top level, host directories bound in. */
  rootfs: 'rootfs',
  /** Upper and work directories of overlays over host directories that need new mount points. */
  scratch: 'scratch',
  stdin: 'stdin',
} as const;

export function readRecord<T>(dir: string, name: string): T | undefined {
  const path = join(dir, name);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Write then rename, so a reader never sees half a record. */
export function writeRecord(dir: string, name: string, value: unknown): void {
  const path = join(dir, name);
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${path}.tmp`, path);
}
