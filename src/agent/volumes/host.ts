// The node agent's entry to volumes: prepare a Pod's volumes, refresh them, clean them up.
// Shaped as the pod worker's VolumeHost.
import type { KubeObject } from '../../api/types.js';
import type { NodeAllocatable, VolumeClient } from './types.js';
import { cleanupVolumes, prepareVolumes, updateVolumes } from './volumes.js';
import { resolveMount } from './subpath.js';

export function volumeHost(client: VolumeClient, nodeName: string, nodeAllocatable?: NodeAllocatable) {
  return {
    prepare: (pod: KubeObject, podDir: string) => prepareVolumes(pod, { podDir, client, nodeName, nodeAllocatable }),
    update: (pod: KubeObject, podDir: string) => updateVolumes(pod, { podDir, client, nodeName, nodeAllocatable }),
    cleanup: (podDir: string) => cleanupVolumes(podDir),
    resolveMount,
  };
}
