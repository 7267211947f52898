// Writes the files of a configMap, secret, downwardAPI or projected volume so that a reader
// never sees a half-updated set, the scheme of upstream's AtomicWriter:
//
//   <dir>/..2024_05_01_12_00_00.a1b2c3/   the real files of one version
//   <dir>/..data -> ..2024_05_01_12_00_00.a1b2c3
//   <dir>/app.conf -> ..data/app.conf     one link per top-level name of the payload
//
// An update writes a new timestamped directory and renames a fresh `..data_tmp` link over
// `..data` (rename is atomic), then drops names that left the payload and the old version.
// Names starting with `..` are reserved for this scheme.
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { SetUpError } from './types.js';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

/** File path inside the volume → content. */
export type Payload = Map<string, FileProjection>;

const DATA_DIR = '..data';
const NEW_DATA_DIR = '..data_tmp';
const MAX_FILE_NAME = 255;
const MAX_PATH = 4096;

/** Upstream's rules for a payload path, with its messages. */
export function validatePayloadPath(path: string): void {
  if (path === '') throw new SetUpError(`invalid path: must not be empty: ${JSON.stringify(path)}`);
  if (path.startsWith('/')) throw new SetUpError(`invalid path: must be relative path: ${path}`);
  if (path.length > MAX_PATH) throw new SetUpError(`invalid path: must be less than or equal to ${MAX_PATH} characters`);
  const parts = path.split('/');
  for (const part of parts) {
    if (part === '..') throw new SetUpError(`invalid path: must not contain '..': ${path}`);
    if (part.length > MAX_FILE_NAME) throw new SetUpError(`invalid path: filenames must be less than or equal to ${MAX_FILE_NAME} characters`);
  }
  if (parts[0].startsWith('..') && parts[0].length > 2) throw new SetUpError(`invalid path: must not start with '..': ${path}`);
}

/** Writers of one directory run one at a time (prepare and a refresh may overlap). */
const queues = new Map<string, Promise<unknown>>();

/**
 * Project the payload into dir. Returns false when the files on disk already match
 * (nothing is written then: readers watching `..data` see no event).
 */
export function writeAtomically(dir: string, payload: Payload): Promise<boolean> {
  const previous = queues.get(dir) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => write(dir, payload));
  queues.set(dir, run);
  void run.catch(() => undefined).finally(() => {
    if (queues.get(dir) === run) queues.delete(dir);
  });
  return run;
}

async function write(dir: string, raw: Payload): Promise<boolean> {
  const payload: Payload = new Map();
  for (const [path, file] of raw) {
    validatePayloadPath(path);
    payload.set(posix.normalize(path).replace(/\/$/, ''), file);
  }
  await mkdir(dir, { recursive: true });

  const oldVersion = await readlink(join(dir, DATA_DIR)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  let stale = new Set<string>();
  if (oldVersion) {
    stale = await pathsToRemove(payload, join(dir, oldVersion));
    if (stale.size === 0 && !(await differs(payload, join(dir, oldVersion)))) {
      // Same content: only make sure every visible link is there (a restart may have cut a write short).
      await linkVisibleNames(dir, payload);
      return false;
    }
  }

  const version = await mkdtemp(join(dir, timestampPrefix(new Date())));
  // 0755 whatever the umask: containers running as other users must be able to read through it.
  await chmod(version, 0o755);
  try {
    for (const [path, file] of payload) {
      const full = join(version, path);
      await mkdir(join(full, '..'), { recursive: true, mode: 0o755 });
      await writeFile(full, file.data);
      await chmod(full, file.mode);
    }
    await linkVisibleNames(dir, payload);
    const tmp = join(dir, NEW_DATA_DIR);
    await rm(tmp, { force: true });
    await symlink(posix.basename(version), tmp);
    await rename(tmp, join(dir, DATA_DIR));
  } catch (err) {
    await rm(version, { recursive: true, force: true });
    throw err;
  }

  for (const path of stale) {
    // Only top-level names are links of their own; deeper paths went with the old version.
    if (!path.includes('/')) await rm(join(dir, path), { force: true });
  }
  if (oldVersion) await rm(join(dir, oldVersion), { recursive: true, force: true });
  return true;
}

/** Go's time layout "..2006_01_02_15_04_05." in UTC; mkdtemp adds the random suffix. */
function timestampPrefix(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${two(d.getUTCMonth() + 1)}_${two(d.getUTCDate())}_${two(d.getUTCHours())}_${two(d.getUTCMinutes())}_${two(d.getUTCSeconds())}.`;
}

/** Whether any payload file is missing in the old version or differs in content or mode. */
async function differs(payload: Payload, oldDir: string): Promise<boolean> {
  for (const [path, file] of payload) {
    const full = join(oldDir, path);
    const stat = await lstat(full).catch(() => undefined);
    if (!stat || !stat.isFile() || (stat.mode & 0o7777) !== (file.mode & 0o7777)) return true;
    if (!(await readFile(full)).equals(file.data)) return true;
  }
  return false;
}

/** Paths of the old version (files and directories, relative) that the new payload no longer has. */
async function pathsToRemove(payload: Payload, oldDir: string): Promise<Set<string>> {
  const keep = new Set<string>();
  for (const path of payload.keys()) {
    for (let p = path; p !== '.' && p !== ''; p = posix.dirname(p)) keep.add(p);
  }
  const stale = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(oldDir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (!keep.has(path)) stale.add(path);
      if (e.isDirectory()) await walk(path);
    }
  };
  await walk('');
  return stale;
}

/** One link per top-level name: name -> ..data/name. */
async function linkVisibleNames(dir: string, payload: Payload): Promise<void> {
  const names = new Set([...payload.keys()].map((p) => p.split('/')[0]));
  for (const name of names) {
    const link = join(dir, name);
    const have = await readlink(link).catch(() => undefined);
    if (have === undefined) await symlink(posix.join(DATA_DIR, name), link);
  }
}
