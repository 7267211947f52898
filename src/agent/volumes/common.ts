// What the volume plugins share: where a volume's directory is, the default file mode, and
// how the keys of a ConfigMap or Secret become files (all keys, or the chosen items).
import { join } from 'node:path';
import type { Payload } from './atomic-writer.js';
import { SetUpError, type KeyToPath, type VolumeContext } from './types.js';

/** 0644: upstream's default for defaultMode (420 in decimal, as the API shows it). */
export const DEFAULT_MODE = 0o644;

/** <podDir>/volumes/kubernetes.io~<plugin>/<name>, the kubelet's layout. */
export function volumeDir(ctx: VolumeContext, plugin: string, name: string): string {
  return join(ctx.podDir, 'volumes', `kubernetes.io~${plugin}`, name);
}

/**
 * The files for the keys of a ConfigMap or Secret: every key when items is not given, else
 * each item's key at its path. A missing key fails unless the source is optional.
 */
export function projectKeys(payload: Payload, data: Map<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean, missingKey: (key: string) => string): void {
  if (!items || items.length === 0) {
    for (const [key, value] of data) payload.set(key, { data: value, mode: defaultMode });
    return;
  }
  for (const item of items) {
    const value = data.get(item.key);
    if (value === undefined) {
      if (optional) continue;
      throw new SetUpError(missingKey(item.key));
    }
    payload.set(item.path, { data: value, mode: item.mode ?? defaultMode });
  }
}
