// configMap volumes: the ConfigMap's keys (data and binaryData) as files, written atomically
// and refreshed when the ConfigMap changes.
import { writeAtomically, type Payload } from './atomic-writer.js';
import { DEFAULT_MODE, projectKeys, volumeDir } from './common.js';
import { SetUpError, type ConfigMapVolumeSource, type KeyToPath, type VolumeContext, type VolumePlugin } from './types.js';

/** The ConfigMap's files, added to payload; nothing for a missing optional ConfigMap. */
export async function configMapFiles(payload: Payload, ctx: VolumeContext, source: { name?: string; items?: KeyToPath[]; optional?: boolean }, defaultMode: number): Promise<void> {
  const name = source.name ?? '';
  const optional = Boolean(source.optional);
  const cm = await ctx.fetch('configmap', name);
  if (!cm) {
    if (optional) return;
    throw new SetUpError(`configmap ${JSON.stringify(name)} not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries((cm.data ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries((cm.binaryData ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v, 'base64'));
  projectKeys(payload, data, source.items, defaultMode, optional, (key) => `configmap references non-existent config key: ${key}`);
}

export const configMapPlugin: VolumePlugin = {
  refreshes: true,
  async setUp(volume, ctx) {
    const source = volume.configMap as ConfigMapVolumeSource;
    const dir = volumeDir(ctx, 'configmap', volume.name);
    const payload: Payload = new Map();
    await configMapFiles(payload, ctx, source, source.defaultMode ?? DEFAULT_MODE);
    return { hostPath: dir, readOnly: true, changed: await writeAtomically(dir, payload) };
  },
};
