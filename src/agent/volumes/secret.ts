// secret volumes: the Secret's keys, base64-decoded, as files; written atomically and
// refreshed when the Secret changes.
import { writeAtomically, type Payload } from './atomic-writer.js';
import { DEFAULT_MODE, projectKeys, volumeDir } from './common.js';
import { SetUpError, type KeyToPath, type SecretVolumeSource, type VolumeContext, type VolumePlugin } from './types.js';

/** The Secret's files, added to payload; nothing for a missing optional Secret. */
export async function secretFiles(payload: Payload, ctx: VolumeContext, source: { name?: string; items?: KeyToPath[]; optional?: boolean }, defaultMode: number): Promise<void> {
  const name = source.name ?? '';
  const optional = Boolean(source.optional);
  const secret = await ctx.fetch('secret', name);
  if (!secret) {
    if (optional) return;
    throw new SetUpError(`secret ${JSON.stringify(name)} not found`);
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries((secret.data ?? {}) as Record<string, string>)) data.set(k, Buffer.from(v, 'base64'));
  projectKeys(payload, data, source.items, defaultMode, optional, (key) => `references non-existent secret key: ${key}`);
}

export const secretPlugin: VolumePlugin = {
  refreshes: true,
  async setUp(volume, ctx) {
    const source = volume.secret as SecretVolumeSource;
    const dir = volumeDir(ctx, 'secret', volume.name);
    const payload: Payload = new Map();
    await secretFiles(payload, ctx, { name: source.secretName, items: source.items, optional: source.optional }, source.defaultMode ?? DEFAULT_MODE);
    return { hostPath: dir, readOnly: true, changed: await writeAtomically(dir, payload) };
  },
};
