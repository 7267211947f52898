// VolumeZone: a bound volume labelled with a zone or region (several joined by "__") can only be
// used from nodes in one of them.
import type { Plugin } from '../framework.js';
import type { PersistentVolume } from '../types.js';
import { unresolvable } from '../types.js';
import { podClaims } from './volumebinding.js';

export const ERR_REASON_VOLUME_ZONE = 'node(s) had no available volume zone';

const TOPOLOGY_LABELS = ['topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region'];

export const volumeZone: Plugin = {
  name: 'VolumeZone',
  cycle(pod, cluster) {
    const claims = podClaims(pod, cluster);
    if (typeof claims === 'string') return {};
    const volumes = claims.bound.map((c) => cluster.pv(c.spec?.volumeName ?? '')).filter((pv): pv is PersistentVolume => !!pv);
    const wanted: Array<{ key: string; values: Set<string> }> = [];
    for (const pv of volumes) {
      for (const key of TOPOLOGY_LABELS) {
        const value = pv.metadata.labels?.[key];
        if (value) wanted.push({ key, values: new Set(value.split('__')) });
      }
    }
    if (wanted.length === 0) return {};
    return { filter: (node) => (wanted.every((w) => w.values.has(node.labels[w.key])) ? undefined : unresolvable(ERR_REASON_VOLUME_ZONE)) };
  },
};
