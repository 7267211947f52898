// Setting up a Pod's volumes on this node: one plugin per volume type, looked up by the field
// that holds the volume's source. A volume type without a plugin is rejected by name.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../api/types.js';
import { core } from '../../client/client.js';
import { configMapPlugin } from './configmap.js';
import { downwardAPIPlugin } from './downwardapi.js';
import { emptyDirPlugin } from './emptydir.js';
import { hostPathPlugin } from './hostpath.js';
import { projectedPlugin } from './projected.js';
import { persistentVolumeClaimPlugin } from './pvc.js';
import { secretPlugin } from './secret.js';
import { SetUpError, VolumeError, type PodView, type PreparedVolume, type Volume, type VolumeContext, type VolumeOptions, type VolumePlugin } from './types.js';

/** Volume source field → plugin. Adding a volume type is adding a row. */
export const volumePlugins: Record<string, VolumePlugin> = {
  emptyDir: emptyDirPlugin,
  configMap: configMapPlugin,
  secret: secretPlugin,
  downwardAPI: downwardAPIPlugin,
  projected: projectedPlugin,
  hostPath: hostPathPlugin,
  persistentVolumeClaim: persistentVolumeClaimPlugin,
};

/** The field holding the volume's source: the one set field besides name. */
export function volumeType(volume: Volume): string | undefined {
  return Object.keys(volume).find((k) => k !== 'name' && volume[k] !== undefined && volume[k] !== null);
}

function context(pod: KubeObject, opts: VolumeOptions): VolumeContext {
  const view = pod as unknown as PodView;
  const namespace = view.metadata.namespace ?? 'default';
  const cache = new Map<string, Promise<KubeObject | undefined>>();
  const fetch = (kind: 'configmap' | 'secret', name: string) => {
    const key = `${kind}/${name}`;
    let got = cache.get(key);
    if (!got) {
      got = opts.client.get(core(kind === 'configmap' ? 'configmaps' : 'secrets', namespace), name).catch((err: { code?: number }) => {
        if (err.code === 404) return undefined;
        throw err;
      });
      cache.set(key, got);
    }
    return got;
  };
  return { ...opts, pod: view, fetch };
}

async function setUpOne(volume: Volume, ctx: VolumeContext) {
  const type = volumeType(volume);
  const plugin = type === undefined ? undefined : volumePlugins[type];
  try {
    if (!plugin) throw new SetUpError(type === undefined ? 'volume has no source' : `volume type ${type} is not supported by unyo`);
    return await plugin.setUp(volume, ctx);
  } catch (err) {
    throw new VolumeError(volume.name, (err as Error).message);
  }
}

/**
 * Set up every volume of the Pod, in spec order; returns volume name → where it is on the host.
 * Throws a VolumeError for the first volume that cannot be set up. Safe to call again (after
 * an agent restart, or to retry): emptyDir content stays, API-backed content is refreshed.
 */
export async function prepareVolumes(pod: KubeObject, opts: VolumeOptions): Promise<Map<string, PreparedVolume>> {
  const ctx = context(pod, opts);
  await mkdir(join(opts.podDir, 'volumes'), { recursive: true });
  const prepared = new Map<string, PreparedVolume>();
  for (const volume of ctx.pod.spec.volumes ?? []) {
    const { changed: _, ...result } = await setUpOne(volume, ctx);
    prepared.set(volume.name, result);
  }
  return prepared;
}

export interface VolumeUpdate {
  /** Volumes whose files changed. */
  updated: string[];
  /** Volumes that could not be refreshed; their previous content stays, as upstream. */
  errors: VolumeError[];
}

/** Refresh the volumes that follow API objects or Pod metadata (configMap, secret, downwardAPI, projected). */
export async function updateVolumes(pod: KubeObject, opts: VolumeOptions): Promise<VolumeUpdate> {
  const ctx = context(pod, opts);
  const result: VolumeUpdate = { updated: [], errors: [] };
  for (const volume of ctx.pod.spec.volumes ?? []) {
    const type = volumeType(volume);
    if (!type || !volumePlugins[type]?.refreshes) continue;
    try {
      if ((await setUpOne(volume, ctx)).changed) result.updated.push(volume.name);
    } catch (err) {
      result.errors.push(err as VolumeError);
    }
  }
  return result;
}

/** Remove the Pod's volumes from this node. hostPath volumes live elsewhere and are left alone. */
export async function cleanupVolumes(podDir: string): Promise<void> {
  // rm does not follow symbolic links: nothing outside the Pod's directory is touched.
  await rm(join(podDir, 'volumes'), { recursive: true, force: true });
}
