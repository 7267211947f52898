// hostPath volumes: a path of this machine, checked (or created) according to its type as
// upstream's hostPath plugin does.
import { mkdir, open, stat } from 'node:fs/promises';
import { SetUpError, type HostPathVolumeSource, type VolumePlugin } from './types.js';

type FileKind = 'directory' | 'file' | 'socket' | 'char' | 'block' | 'missing';

async function kindOf(path: string): Promise<FileKind> {
  // stat follows symlinks: a link to a directory is a directory, as for the kubelet.
  const s = await stat(path).catch(() => undefined);
  if (!s) return 'missing';
  if (s.isDirectory()) return 'directory';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice()) return 'char';
  if (s.isBlockDevice()) return 'block';
  return 'file';
}

/** Go's text for a failed open or mkdir ("open /x/y: no such file or directory"). */
function osError(op: string, path: string, err: NodeJS.ErrnoException): SetUpError {
  const text: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', ENOTDIR: 'not a directory', EROFS: 'read-only file system' };
  return new SetUpError(`${op} ${path}: ${text[err.code ?? ''] ?? err.message}`);
}

/** Check the path against the volume's type, creating it for the ...OrCreate types. */
export async function checkHostPathType(path: string, type: string): Promise<void> {
  const failed = (what: string) => new SetUpError(`hostPath type check failed: ${path} is not a ${what}`);
  const kind = await kindOf(path);
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (kind === 'missing') {
        await mkdir(path, { recursive: true, mode: 0o755 }).catch((err) => {
          throw osError('mkdir', path, err);
        });
        return;
      }
      if (kind !== 'directory') throw failed('directory');
      return;
    case 'Directory':
      if (kind !== 'directory') throw failed('directory');
      return;
    case 'FileOrCreate':
      if (kind === 'missing') {
        // Like upstream, the parent directory must already exist.
        const handle = await open(path, 'a', 0o644).catch((err) => {
          throw osError('open', path, err);
        });
        await handle.close();
        return;
      }
      if (kind === 'directory') throw failed('file');
      return;
    case 'File':
      if (kind === 'missing' || kind === 'directory') throw failed('file');
      return;
    case 'Socket':
      if (kind !== 'socket') throw failed('socket file');
      return;
    case 'CharDevice':
      if (kind !== 'char') throw failed('character device');
      return;
    case 'BlockDevice':
      if (kind !== 'block') throw failed('block device');
      return;
    default:
      throw new SetUpError(`${type} is an invalid volume type`);
  }
}

export const hostPathPlugin: VolumePlugin = {
  async setUp(volume) {
    const source = volume.hostPath as HostPathVolumeSource;
    await checkHostPathType(source.path, source.type ?? '');
    return { hostPath: source.path, readOnly: false, changed: false };
  },
};
