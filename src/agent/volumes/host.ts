// The node agent's entry to volumes: prepare a Pod's volumes, refresh them, clean them up.
// Shaped as the pod worker's VolumeHost.
import type { KubeObject } from '../../api/types.js';
import type { NodeAllocatable, VolumeClient } from './types.js';
import { cleanupVolumes, prepareVolumes, updateVolumes } from './volumes.js';
import { resolveMount } from './subpath.js';

export function volumeHost(client: VolumeClient, nodeName: string, opts: { nodeAllocatable?: NodeAllocatable; volumesDir?: string } = {}) {
  const options = (podDir: string) => ({ podDir, client, nodeName, ...opts });
  return {
    prepare: (pod: KubeObject, podDir: string) => prepareVolumes(pod, options(podDir)),
    update: (pod: KubeObject, podDir: string) => updateVolumes(pod, options(podDir)),
    cleanup: (podDir: string) => cleanupVolumes(podDir),
    resolveMount,
  };
}
