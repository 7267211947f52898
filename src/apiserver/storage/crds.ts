// The CustomResourceDefinitions of snapshot.storage.k8s.io/v1 (VolumeSnapshot,
// VolumeSnapshotContent, VolumeSnapshotClass), shaped as the external-snapshotter project
// defines them: same names, scopes, fields, printer columns and short names. Descriptions are
// our own words.
import type { KubeObject } from '../../api/types.js';
import { SNAPSHOT_GROUP } from '../../api/volumes.js';

const str = (description: string) => ({ type: 'string', description });
const errorSchema = {
  type: 'object',
  description: 'The last error met while taking or binding the snapshot; cleared when it succeeds.',
  properties: {
    message: str('What went wrong; may be logged, so it holds no secrets.'),
    time: { type: 'string', format: 'date-time', description: 'When the error happened.' },
  },
};
const deletionPolicy = { type: 'string', enum: ['Delete', 'Retain'], description: 'Whether the snapshot on the storage goes with its VolumeSnapshotContent (Delete) or stays (Retain).' };

function crd(kind: string, plural: string, scope: 'Namespaced' | 'Cluster', shortNames: string[], schema: Record<string, unknown>, printerColumns: Array<Record<string, unknown>>, status: boolean): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${SNAPSHOT_GROUP}`, annotations: { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-csi/external-snapshotter/pull/665' } },
    spec: {
      group: SNAPSHOT_GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames },
      scope,
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, additionalPrinterColumns: printerColumns, ...(status ? { subresources: { status: {} } } : {}) }],
    },
  };
}

const objectMeta = {
  apiVersion: str('The versioned schema of this object.'),
  kind: str('The REST resource this object represents.'),
  metadata: { type: 'object' },
};

const volumeSnapshot = crd(
  'VolumeSnapshot',
  'volumesnapshots',
  'Namespaced',
  ['vs'],
  {
    type: 'object',
    description: "A user's request for a point-in-time copy of a PersistentVolumeClaim's volume, or a claim on an existing snapshot.",
    required: ['spec'],
    properties: {
      ...objectMeta,
      spec: {
        type: 'object',
        description: 'What to snapshot; cannot change once set.',
        required: ['source'],
        properties: {
          source: {
            type: 'object',
            description: 'Exactly one of: a claim to take a new snapshot of, or an existing VolumeSnapshotContent to bind.',
            oneOf: [{ required: ['persistentVolumeClaimName'] }, { required: ['volumeSnapshotContentName'] }],
            properties: {
              persistentVolumeClaimName: str('The claim, in the snapshot’s namespace, whose volume is copied (dynamic snapshot).'),
              volumeSnapshotContentName: str('An existing VolumeSnapshotContent this snapshot stands for (pre-provisioned snapshot).'),
            },
          },
          volumeSnapshotClassName: str('The VolumeSnapshotClass to use; empty picks the default class of the volume’s driver.'),
        },
      },
      status: {
        type: 'object',
        description: 'What the snapshot controller observed.',
        properties: {
          boundVolumeSnapshotContentName: str('The VolumeSnapshotContent this snapshot is bound to.'),
          creationTime: { type: 'string', format: 'date-time', description: 'When the storage cut the snapshot (the data is as of this time).' },
          error: errorSchema,
          readyToUse: { type: 'boolean', description: 'The snapshot can be used to restore a volume.' },
          restoreSize: { 'x-kubernetes-int-or-string': true, pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$', description: 'The smallest volume a restore of this snapshot needs.' },
          volumeGroupSnapshotName: str('The VolumeGroupSnapshot this snapshot belongs to, if any.'),
        },
      },
    },
  },
  [
    { name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse', description: 'Whether the snapshot can restore a volume.' },
    { name: 'SourcePVC', type: 'string', jsonPath: '.spec.source.persistentVolumeClaimName', description: 'The claim the snapshot is taken of.' },
    { name: 'SourceSnapshotContent', type: 'string', jsonPath: '.spec.source.volumeSnapshotContentName', description: 'The pre-provisioned content the snapshot stands for.' },
    { name: 'RestoreSize', type: 'string', jsonPath: '.status.restoreSize', description: 'The smallest volume a restore needs.' },
    { name: 'SnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName', description: 'The VolumeSnapshotClass used.' },
    { name: 'SnapshotContent', type: 'string', jsonPath: '.status.boundVolumeSnapshotContentName', description: 'The bound VolumeSnapshotContent.' },
    { name: 'CreationTime', type: 'date', jsonPath: '.status.creationTime', description: 'When the storage cut the snapshot.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  true,
);

const volumeSnapshotContent = crd(
  'VolumeSnapshotContent',
  'volumesnapshotcontents',
  'Cluster',
  ['vsc', 'vscs'],
  {
    type: 'object',
    description: 'A snapshot on the storage, bound to one VolumeSnapshot.',
    required: ['spec'],
    properties: {
      ...objectMeta,
      spec: {
        type: 'object',
        required: ['deletionPolicy', 'driver', 'source', 'volumeSnapshotRef'],
        properties: {
          deletionPolicy,
          driver: str('The CSI driver that holds the snapshot.'),
          source: {
            type: 'object',
            description: 'Exactly one of: the volume to snapshot (dynamic) or the handle of an existing snapshot (pre-provisioned).',
            oneOf: [{ required: ['snapshotHandle'] }, { required: ['volumeHandle'] }],
            properties: {
              snapshotHandle: str('The driver’s name for an existing snapshot.'),
              volumeHandle: str('The driver’s name for the volume to snapshot.'),
            },
          },
          sourceVolumeMode: { type: 'string', enum: ['Filesystem', 'Block'], description: 'The volume mode of the volume the snapshot was taken of.' },
          volumeSnapshotClassName: str('The VolumeSnapshotClass the snapshot was taken with.'),
          volumeSnapshotRef: {
            type: 'object',
            description: 'The VolumeSnapshot this content is bound to (uid empty until bound).',
            'x-kubernetes-map-type': 'atomic',
            properties: {
              apiVersion: str('API version of the VolumeSnapshot.'),
              fieldPath: str('Unused for snapshots.'),
              kind: str('VolumeSnapshot.'),
              name: str('Name of the VolumeSnapshot.'),
              namespace: str('Namespace of the VolumeSnapshot.'),
              resourceVersion: str('resourceVersion of the VolumeSnapshot when bound.'),
              uid: str('UID of the VolumeSnapshot.'),
            },
          },
        },
      },
      status: {
        type: 'object',
        properties: {
          creationTime: { type: 'integer', format: 'int64', description: 'When the storage cut the snapshot, in nanoseconds since the Unix epoch.' },
          error: errorSchema,
          readyToUse: { type: 'boolean', description: 'The snapshot can be used to restore a volume.' },
          restoreSize: { type: 'integer', format: 'int64', minimum: 0, description: 'The smallest volume a restore needs, in bytes.' },
          snapshotHandle: str('The driver’s name for the snapshot.'),
          volumeGroupSnapshotHandle: str('The driver’s name for the group snapshot this one belongs to.'),
        },
      },
    },
  },
  [
    { name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse', description: 'Whether the snapshot can restore a volume.' },
    { name: 'RestoreSize', type: 'integer', jsonPath: '.status.restoreSize', description: 'The smallest volume a restore needs, in bytes.' },
    { name: 'DeletionPolicy', type: 'string', jsonPath: '.spec.deletionPolicy', description: 'What happens to the snapshot when this object goes.' },
    { name: 'Driver', type: 'string', jsonPath: '.spec.driver', description: 'The CSI driver that holds the snapshot.' },
    { name: 'VolumeSnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName', description: 'The VolumeSnapshotClass used.' },
    { name: 'VolumeSnapshot', type: 'string', jsonPath: '.spec.volumeSnapshotRef.name', description: 'The bound VolumeSnapshot.' },
    { name: 'VolumeSnapshotNamespace', type: 'string', jsonPath: '.spec.volumeSnapshotRef.namespace', description: 'Namespace of the bound VolumeSnapshot.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  true,
);

const volumeSnapshotClass = crd(
  'VolumeSnapshotClass',
  'volumesnapshotclasses',
  'Cluster',
  ['vsclass', 'vsclasses'],
  {
    type: 'object',
    description: 'How snapshots of one CSI driver are taken; the class marked snapshot.storage.kubernetes.io/is-default-class is used when a VolumeSnapshot names none.',
    required: ['deletionPolicy', 'driver'],
    properties: {
      ...objectMeta,
      deletionPolicy,
      driver: str('The CSI driver that takes the snapshots.'),
      parameters: { type: 'object', additionalProperties: { type: 'string' }, description: 'Driver-specific settings.' },
    },
  },
  [
    { name: 'Driver', type: 'string', jsonPath: '.driver' },
    { name: 'DeletionPolicy', type: 'string', jsonPath: '.deletionPolicy', description: 'What happens to a snapshot when its VolumeSnapshotContent goes.' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  false,
);

export const snapshotCrds: KubeObject[] = [volumeSnapshotClass, volumeSnapshotContent, volumeSnapshot];
