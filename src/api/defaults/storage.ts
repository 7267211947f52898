// Defaults for storage.k8s.io kinds: StorageClass reclaim and binding modes, CSIDriver flags.
import type { KubeObject } from '../types.js';
import { ensureObject, setDefault, type Obj } from './common.js';

export function defaultStorageClass(sc: KubeObject): void {
  const o = sc as Obj;
  setDefault(o, 'reclaimPolicy', 'Delete');
  setDefault(o, 'volumeBindingMode', 'Immediate');
}

export function defaultCSIDriver(d: KubeObject): void {
  const s = ensureObject(d, 'spec');
  setDefault(s, 'attachRequired', true);
  setDefault(s, 'podInfoOnMount', false);
  setDefault(s, 'storageCapacity', false);
  setDefault(s, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
  if (!Array.isArray(s.volumeLifecycleModes) || s.volumeLifecycleModes.length === 0) s.volumeLifecycleModes = ['Persistent'];
  setDefault(s, 'requiresRepublish', false);
  setDefault(s, 'seLinuxMount', false);
}
