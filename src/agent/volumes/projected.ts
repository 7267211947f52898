// projected volumes: configMap, secret and downwardAPI sources merged into one directory.
// serviceAccountToken sources are skipped with a note: unyo issues no bound tokens yet.
import { writeAtomically, type Payload } from './atomic-writer.js';
import { DEFAULT_MODE, volumeDir } from './common.js';
import { configMapFiles } from './configmap.js';
import { downwardAPIFiles } from './downwardapi.js';
import { secretFiles } from './secret.js';
import { SetUpError, type ProjectedVolumeSource, type VolumePlugin } from './types.js';

export const projectedPlugin: VolumePlugin = {
  refreshes: true,
  async setUp(volume, ctx) {
    const source = volume.projected as ProjectedVolumeSource;
    const defaultMode = source.defaultMode ?? DEFAULT_MODE;
    const dir = volumeDir(ctx, 'projected', volume.name);
    const payload: Payload = new Map();
    const notes: string[] = [];
    for (const s of source.sources ?? []) {
      if (s.configMap) await configMapFiles(payload, ctx, s.configMap, defaultMode);
      else if (s.secret) await secretFiles(payload, ctx, s.secret, defaultMode);
      else if (s.downwardAPI) await downwardAPIFiles(payload, ctx, s.downwardAPI.items ?? [], defaultMode);
      else if (s.serviceAccountToken) notes.push(`serviceAccountToken ${JSON.stringify(s.serviceAccountToken.path)} not written: unyo's node agent does not issue bound service account tokens yet`);
      else throw new SetUpError(`projected source ${Object.keys(s).join(', ')} is not supported by unyo`);
    }
    const changed = await writeAtomically(dir, payload);
    return { hostPath: dir, readOnly: true, changed, ...(notes.length ? { notes } : {}) };
  },
};
