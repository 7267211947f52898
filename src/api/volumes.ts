// What the API server, the volume controllers and the node agent share about persistent
// storage: the shapes of PersistentVolumes, claims and classes they read, upstream's
// annotation and finalizer names, and the small rules upstream keeps in its storage helpers
// (a claim's class, the default class, whether a volume is bound to a claim).
import type { KubeObject, ObjectMeta } from './types.js';

export type ResourceList = Record<string, string | number>;

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface TypedLocalObjectReference {
  apiGroup?: string | null;
  kind: string;
  name: string;
  namespace?: string;
}

export interface PersistentVolumeClaimCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

export interface PersistentVolumeClaim extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    accessModes?: string[];
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | null;
    resources?: { requests?: ResourceList; limits?: ResourceList };
    volumeName?: string;
    storageClassName?: string | null;
    volumeMode?: string;
    dataSource?: TypedLocalObjectReference | null;
    dataSourceRef?: TypedLocalObjectReference | null;
  };
  status?: {
    phase?: string;
    accessModes?: string[];
    capacity?: ResourceList;
    conditions?: PersistentVolumeClaimCondition[];
    allocatedResources?: ResourceList;
    allocatedResourceStatuses?: Record<string, string>;
  };
}

export interface CSIPersistentVolumeSource {
  driver: string;
  volumeHandle: string;
  readOnly?: boolean;
  fsType?: string;
  volumeAttributes?: Record<string, string>;
}

export interface PersistentVolume extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    capacity?: ResourceList;
    accessModes?: string[];
    claimRef?: ObjectReference | null;
    persistentVolumeReclaimPolicy?: string;
    storageClassName?: string;
    mountOptions?: string[];
    volumeMode?: string;
    nodeAffinity?: unknown;
    csi?: CSIPersistentVolumeSource;
    hostPath?: { path: string; type?: string };
    local?: { path: string; fsType?: string };
    [source: string]: unknown;
  };
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

export interface StorageClass extends KubeObject {
  metadata: ObjectMeta;
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: string;
  allowedTopologies?: unknown[];
}

/** PVC annotation: the controller finished binding (its value does not matter). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** PV and PVC annotation: the binding was made by a controller, not pre-bound by a user. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** PV annotation: the provisioner that created the volume. */
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
/** PVC annotations: the provisioner expected to provision the claim (GA and beta spellings). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** PVC annotation the scheduler sets for WaitForFirstConsumer classes: provision for this node. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** The deprecated claim annotation that names a class (still honoured before spec.storageClassName). */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
/** Put on a provisioned PV with reclaim policy Delete, so deleting the PV object deletes the storage too (HonorPVReclaimPolicy). */
export const PROVISIONER_DELETION_FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';

export const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';

/** The class a claim asks for: the beta annotation wins over spec.storageClassName; "" is no class. */
export function claimClass(claim: PersistentVolumeClaim): string {
  const annotated = claim.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (annotated !== undefined) return annotated;
  return claim.spec?.storageClassName ?? '';
}

/** A claim that names a class, even the empty one, is left alone by the DefaultStorageClass rules. */
export function claimHasClass(claim: PersistentVolumeClaim): boolean {
  if (claim.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined) return true;
  return claim.spec?.storageClassName !== undefined && claim.spec?.storageClassName !== null;
}

export function volumeClass(volume: PersistentVolume): string {
  return volume.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? volume.spec?.storageClassName ?? '';
}

export function isDefaultStorageClass(sc: StorageClass): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[ANN_DEFAULT_CLASS] === 'true' || a[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/** The default class among several marked default: the newest, then the first by name (upstream's GetDefaultClass). */
export function defaultStorageClass(classes: StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultStorageClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return defaults[0];
}

/** The volume points at the claim (by namespace and name, and by uid once the binding is complete). */
export function isVolumeBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** The claim's requested storage ("1Gi"); undefined when it asks for none. */
export function requestedStorage(claim: PersistentVolumeClaim): string | number | undefined {
  return claim.spec?.resources?.requests?.storage;
}

/** A claim's data source, from dataSourceRef when set (it may name other API groups) else dataSource. */
export function claimDataSource(claim: PersistentVolumeClaim): TypedLocalObjectReference | undefined {
  return claim.spec?.dataSourceRef ?? claim.spec?.dataSource ?? undefined;
}

/** Pods in these phases hold no volume. */
export function isPodTerminal(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The claims a Pod's volumes use: persistentVolumeClaim volumes and generic ephemeral volumes (`<pod>-<volume>`). */
export function podClaimNames(pod: KubeObject): string[] {
  const volumes = ((pod.spec as { volumes?: Array<Record<string, any>> } | undefined)?.volumes ?? []);
  const names: string[] = [];
  for (const v of volumes) {
    if (v.persistentVolumeClaim?.claimName) names.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) names.push(`${pod.metadata.name}-${v.name}`);
  }
  return names;
}

/** unyo's own storage driver: a directory per volume under the cluster's volumes directory (the CSI driver name). */
export const UNYO_LOCAL_DRIVER = 'unyo.local';
/** The StorageClass every cluster starts with, marked default. */
export const UNYO_LOCAL_CLASS = 'unyo-local';

export interface VolumeSnapshotError {
  message?: string;
  time?: string;
}

export interface VolumeSnapshot extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    source: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string };
    volumeSnapshotClassName?: string;
  };
  status?: {
    boundVolumeSnapshotContentName?: string;
    creationTime?: string;
    readyToUse?: boolean;
    restoreSize?: string | number;
    error?: VolumeSnapshotError;
    volumeGroupSnapshotName?: string;
  };
}

export interface VolumeSnapshotContent extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    deletionPolicy: string;
    driver: string;
    source: { volumeHandle?: string; snapshotHandle?: string };
    sourceVolumeMode?: string;
    volumeSnapshotClassName?: string;
    volumeSnapshotRef: ObjectReference;
  };
  status?: {
    /** Nanoseconds since the Unix epoch. */
    creationTime?: number;
    readyToUse?: boolean;
    /** Bytes. */
    restoreSize?: number;
    snapshotHandle?: string;
    error?: VolumeSnapshotError;
  };
}

export interface VolumeSnapshotClass extends KubeObject {
  metadata: ObjectMeta;
  driver: string;
  deletionPolicy: string;
  parameters?: Record<string, string>;
}

/** On a VolumeSnapshotContent bound to a VolumeSnapshot: the content outlives the binding's cleanup. */
export const CONTENT_BOUND_FINALIZER = 'snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection';
/** On a VolumeSnapshot bound to a content with deletion policy Delete. */
export const SNAPSHOT_BOUND_FINALIZER = 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection';
/** On a VolumeSnapshot: it is not deleted while a claim is being restored from it. */
export const SNAPSHOT_AS_SOURCE_FINALIZER = 'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection';
/** On a claim being snapshotted: it is not deleted until the snapshot is cut. */
export const PVC_AS_SNAPSHOT_SOURCE_FINALIZER = 'snapshot.storage.kubernetes.io/pvc-as-source-protection';
export const ANN_DEFAULT_SNAPSHOT_CLASS = 'snapshot.storage.kubernetes.io/is-default-class';
/** Content annotation: the snapshot controller saw its VolumeSnapshot being deleted. */
export const ANN_SNAPSHOT_BEING_DELETED = 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted';
/** Content annotation: the driver was asked to cut the snapshot and has not answered yet. */
export const ANN_SNAPSHOT_BEING_CREATED = 'snapshot.storage.kubernetes.io/volumesnapshot-being-created';
/** On a claim being cloned: it is not deleted until the clone is made. */
export const CLONE_SOURCE_FINALIZER = 'provisioner.storage.kubernetes.io/cloning-protection';

const UNYO_LOCAL_HANDLE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A unyo.local volume or snapshot handle names one directory right under the volumes directory: no separator, no leading dot. */
export function isValidUnyoLocalHandle(handle: string): boolean {
  return handle.length <= 253 && UNYO_LOCAL_HANDLE.test(handle);
}
