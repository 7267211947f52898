// The storage every unyo cluster starts with, written by the API server at start (as it writes
// the default namespaces): the snapshot.storage.k8s.io CRDs, which must exist before anything
// serves VolumeSnapshots, and on the cluster's first start the `unyo-local` default
// StorageClass, the default VolumeSnapshotClass and the CSIDriver of unyo's directory driver.
// Objects deleted later stay deleted: only a cluster that had no snapshot CRDs gets the defaults.
import { randomUUID } from 'node:crypto';
import { storageKey } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { ANN_DEFAULT_CLASS, SNAPSHOT_GROUP, UNYO_LOCAL_CLASS, UNYO_LOCAL_DRIVER } from '../../api/volumes.js';
import type { Store } from '../../store/store.js';
import { snapshotCrds } from './crds.js';

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

async function createIfAbsent(store: Store, key: string, obj: KubeObject, now: Date): Promise<boolean> {
  if (await store.get(key)) return false;
  const { apiVersion, kind, metadata, ...rest } = obj;
  const stored = { apiVersion, kind, metadata: { ...metadata, uid: randomUUID(), creationTimestamp: rfc3339(now), generation: 1 }, ...rest };
  try {
    await store.create(key, JSON.stringify(stored));
    return true;
  } catch {
    return false; // another API server wrote it first
  }
}

/**
 * Writes the snapshot CRDs that are missing; true when this server created any (a new
 * cluster). Several servers starting together on a new store may each create some of them:
 * each of those then makes sure of the storage defaults, which are created only if absent.
 * Run before the CRD controller starts.
 */
export async function ensureSnapshotCrds(store: Store, now: Date): Promise<boolean> {
  let created = 0;
  for (const crd of snapshotCrds) {
    if (await createIfAbsent(store, storageKey('apiextensions.k8s.io', 'customresourcedefinitions', undefined, crd.metadata.name!), crd, now)) created++;
  }
  return created > 0;
}

export const defaultStorageObjects: Array<{ group: string; plural: string; object: KubeObject }> = [
  {
    group: 'storage.k8s.io',
    plural: 'storageclasses',
    object: {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: UNYO_LOCAL_CLASS, annotations: { [ANN_DEFAULT_CLASS]: 'true' } },
      provisioner: UNYO_LOCAL_DRIVER,
      reclaimPolicy: 'Delete',
      // Every node of this machine reaches every volume directory: nothing to wait for.
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: true,
    } as KubeObject,
  },
  {
    group: SNAPSHOT_GROUP,
    plural: 'volumesnapshotclasses',
    object: {
      apiVersion: `${SNAPSHOT_GROUP}/v1`,
      kind: 'VolumeSnapshotClass',
      metadata: { name: UNYO_LOCAL_CLASS, annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } },
      driver: UNYO_LOCAL_DRIVER,
      deletionPolicy: 'Delete',
    } as KubeObject,
  },
  {
    group: 'storage.k8s.io',
    plural: 'csidrivers',
    object: {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: UNYO_LOCAL_DRIVER },
      // Directories need no attach step and no per-pod information; ownership is left as written.
      spec: { attachRequired: false, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'None', requiresRepublish: false, seLinuxMount: false, volumeLifecycleModes: ['Persistent'] },
    },
  },
];

/** The default StorageClass, VolumeSnapshotClass and CSIDriver. Run after the snapshot CRDs are established. */
export async function ensureStorageDefaults(store: Store, now: Date): Promise<void> {
  for (const { group, plural, object } of defaultStorageObjects) await createIfAbsent(store, storageKey(group, plural, undefined, object.metadata.name!), object, now);
}
