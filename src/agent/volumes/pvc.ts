// persistentVolumeClaim volumes are not set up yet: they need PersistentVolume directories on
// the node, which the storage issue adds. The plugin table keeps their place.
import { SetUpError, type PersistentVolumeClaimVolumeSource, type VolumePlugin } from './types.js';

export const persistentVolumeClaimPlugin: VolumePlugin = {
  async setUp(volume) {
    const source = volume.persistentVolumeClaim as PersistentVolumeClaimVolumeSource;
    throw new SetUpError(`persistentVolumeClaim volumes are not supported yet (claim ${JSON.stringify(source.claimName)}): PersistentVolume directories come with the storage issue`);
  },
};
