// The storage behind unyo.local: one directory per volume and per snapshot under the volumes
// directory, which every node of the machine can reach.
//
//   <root>/<volumeHandle>/                  a volume (the handle is the PV name)
//   <root>/.snapshots/<snapshotHandle>/data  a snapshot's files
//   <root>/.snapshots/<snapshotHandle>/snapshot.json   what it was taken of, its size and time
//   <root>/.tmp/<owner>/…                   work in progress, renamed into place when complete
//
// Everything appears all at once or not at all: volumes, restores, clones and snapshots are
// built in .tmp and renamed into place (a rename within one filesystem is atomic), and a
// deletion first renames the directory away. A crash leaves only .tmp debris, which its owner
// clears when it starts.
//
// "Consistent" copies: a snapshot or clone of a volume in use must be the volume's content at
// one instant, not a mix of before and after a write. The copy is bracketed by two scans of the
// source (size, mtime and ctime in nanoseconds, inode of every entry); if anything changed
// between them the copy is thrown away and made again. After `attempts` tries with the volume
// never quiet for the length of a copy, the copy fails (the caller retries later) rather than
// hand out a torn snapshot. Files are fsynced before the rename, so a snapshot reported ready
// survives a machine crash. Sockets, FIFOs and device files are not copied.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, lchown, lstat, mkdir, open, readFile, readdir, readlink, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidUnyoLocalHandle as validHandle } from '../../api/volumes.js';

/** What a snapshot records about itself. */
export interface SnapshotInfo {
  volumeHandle: string;
  sizeBytes: number;
  /** When the copy was verified, in nanoseconds since the Unix epoch (VolumeSnapshotContent's unit). */
  creationTime: string;
}

export class VolumeChangedError extends Error {}

export class DirectoryStore {
  constructor(
    readonly root: string,
    private readonly opts: {
      attempts?: number;
      now?: () => number;
      /** Called after each copy pass, before the source is scanned again (tests change the source here). */
      afterCopy?: (attempt: number) => Promise<void>;
    } = {},
  ) {}

  volumePath(handle: string): string {
    if (!validHandle(handle)) throw new Error(`invalid volume handle ${JSON.stringify(handle)}`);
    return join(this.root, handle);
  }

  private snapshotPath(handle: string): string {
    if (!validHandle(handle)) throw new Error(`invalid snapshot handle ${JSON.stringify(handle)}`);
    return join(this.root, '.snapshots', handle);
  }

  private async tempDir(owner: string): Promise<string> {
    const dir = join(this.root, '.tmp', owner, randomBytes(8).toString('hex'));
    await mkdir(join(this.root, '.tmp', owner), { recursive: true });
    return dir;
  }

  /** Remove what an interrupted run of `owner` left in .tmp. */
  async clearTemp(owner: string): Promise<void> {
    await rm(join(this.root, '.tmp', owner), { recursive: true, force: true });
  }

  async volumeExists(handle: string): Promise<boolean> {
    return (await stat(this.volumePath(handle)).catch(() => undefined))?.isDirectory() ?? false;
  }

  /** A volume, empty or filled from a snapshot or (consistently) from another volume. Idempotent. */
  async createVolume(handle: string, owner: string, source?: { snapshot: string } | { volume: string }): Promise<void> {
    const target = this.volumePath(handle);
    if (await this.volumeExists(handle)) return;
    const tmp = await this.tempDir(owner);
    try {
      if (!source) await mkdir(tmp, { mode: 0o777 });
      else if ('snapshot' in source) {
        const data = join(this.snapshotPath(source.snapshot), 'data');
        if (!(await stat(data).catch(() => undefined))?.isDirectory()) throw new Error(`snapshot ${source.snapshot} does not exist`);
        await this.copyConsistent(data, tmp);
      } else {
        if (!(await this.volumeExists(source.volume))) throw new Error(`volume ${source.volume} does not exist`);
        await this.copyConsistent(this.volumePath(source.volume), tmp);
      }
      // Containers run as any user: an empty volume is writable by all, as hostPath provisioners make them.
      if (!source) await chmod(tmp, 0o777);
      await syncDir(tmp);
      await rename(tmp, target);
      await syncDir(this.root);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Remove a volume's directory; nothing to do when it is already gone. */
  async deleteVolume(handle: string, owner: string): Promise<void> {
    await this.removeAway(this.volumePath(handle), owner);
  }

  /** A consistent copy of the volume as snapshot `handle`. Idempotent: an existing snapshot is returned as it is. */
  async createSnapshot(handle: string, volumeHandle: string, sizeBytes: number, owner: string): Promise<SnapshotInfo> {
    const existing = await this.snapshotInfo(handle);
    if (existing) return existing;
    if (!(await this.volumeExists(volumeHandle))) throw new Error(`volume ${volumeHandle} does not exist`);
    const tmp = await this.tempDir(owner);
    try {
      await mkdir(tmp);
      await this.copyConsistent(this.volumePath(volumeHandle), join(tmp, 'data'));
      const info: SnapshotInfo = { volumeHandle, sizeBytes, creationTime: String(BigInt(this.opts.now?.() ?? Date.now()) * 1_000_000n) };
      await writeSynced(join(tmp, 'snapshot.json'), JSON.stringify(info) + '\n');
      await syncDir(tmp);
      await mkdir(join(this.root, '.snapshots'), { recursive: true });
      await rename(tmp, this.snapshotPath(handle));
      await syncDir(join(this.root, '.snapshots'));
      return info;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async snapshotInfo(handle: string): Promise<SnapshotInfo | undefined> {
    try {
      return JSON.parse(await readFile(join(this.snapshotPath(handle), 'snapshot.json'), 'utf8')) as SnapshotInfo;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async deleteSnapshot(handle: string, owner: string): Promise<void> {
    await this.removeAway(this.snapshotPath(handle), owner);
  }

  /** Rename out of sight first, so a half-deleted directory is never mistaken for a whole one. */
  private async removeAway(path: string, owner: string): Promise<void> {
    if (!(await lstat(path).catch(() => undefined))) return;
    const away = await this.tempDir(owner);
    await rename(path, away);
    await rm(away, { recursive: true, force: true });
  }

  /** Copy `src` to the new directory `dest`, again until no entry of `src` changed during the copy. */
  async copyConsistent(src: string, dest: string): Promise<void> {
    const attempts = this.opts.attempts ?? 5;
    for (let i = 0; i < attempts; i++) {
      const before = await scan(src);
      await rm(dest, { recursive: true, force: true });
      await copyTree(src, dest);
      await this.opts.afterCopy?.(i);
      const after = await scan(src);
      if (sameScan(before, after)) return;
    }
    await rm(dest, { recursive: true, force: true });
    throw new VolumeChangedError(`the volume kept changing while it was copied (${attempts} attempts); it is copied again later`);
  }
}

/** path → identity of every entry under `root` (inode, type, size, mode, mtime and ctime in ns, link target). */
async function scan(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    const full = join(root, rel);
    const s = await lstat(full, { bigint: true });
    let sig = `${s.ino}:${s.mode}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    if (s.isSymbolicLink()) sig += `:${await readlink(full)}`;
    out.set(rel, sig);
    if (s.isDirectory()) for (const name of (await readdir(full)).sort()) await walk(rel ? join(rel, name) : name);
  };
  await walk('');
  return out;
}

function sameScan(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

const asRoot = process.getuid?.() === 0;

/** Copy a tree keeping modes, times, symlinks and (as root) owners; files are fsynced. */
async function copyTree(src: string, dest: string): Promise<void> {
  const s = await lstat(src);
  if (s.isDirectory()) {
    await mkdir(dest, { mode: s.mode & 0o7777 });
    for (const name of await readdir(src)) await copyTree(join(src, name), join(dest, name));
    await chmod(dest, s.mode & 0o7777);
  } else if (s.isSymbolicLink()) {
    await symlink(await readlink(src), dest);
  } else if (s.isFile()) {
    // A reflink where the filesystem offers one (copy-on-write, instant); a byte copy otherwise.
    await copyFile(src, dest, constants.COPYFILE_FICLONE);
    await chmod(dest, s.mode & 0o7777);
    const handle = await open(dest, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } else {
    return; // sockets, FIFOs and devices belong to running processes, not to the data
  }
  if (asRoot) await lchown(dest, s.uid, s.gid);
  if (!s.isSymbolicLink()) await utimes(dest, s.atime, s.mtime);
}

async function writeSynced(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  } finally {
    await handle.close();
  }
}
