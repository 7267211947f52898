// emptyDir volumes: a directory that lives as long as the Pod on this node, shared by its
// containers and kept across container restarts.
import { chmod, mkdir } from 'node:fs/promises';
import { volumeDir } from './common.js';
import { SetUpError, type EmptyDirVolumeSource, type VolumePlugin } from './types.js';

export const emptyDirPlugin: VolumePlugin = {
  async setUp(volume, ctx) {
    const source = (volume.emptyDir ?? {}) as EmptyDirVolumeSource;
    const medium = source.medium ?? '';
    if (medium !== '' && medium !== 'Memory') throw new SetUpError(`emptyDir medium ${medium} is not supported by unyo`);
    const dir = volumeDir(ctx, 'empty-dir', volume.name);
    await mkdir(dir, { recursive: true });
    // World-writable as upstream: containers may run as any user.
    await chmod(dir, 0o777);
    const notes: string[] = [];
    if (medium === 'Memory') notes.push('medium Memory: an ordinary directory on disk, not tmpfs (containers are host processes)');
    if (source.sizeLimit !== undefined) notes.push(`sizeLimit ${source.sizeLimit} is not enforced`);
    return { hostPath: dir, readOnly: false, changed: false, ...(notes.length ? { notes } : {}) };
  },
};
