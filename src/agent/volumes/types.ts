// The shapes the volume code shares: the v1 volume sources it reads, the context a volume
// plugin gets, what it hands back, and the one error type the pod worker reports as FailedMount.
import type { KubeObject, ObjectMeta } from '../../api/types.js';
import type { ResourceRef } from '../../client/client.js';

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface ConfigMapVolumeSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface SecretVolumeSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: { apiVersion?: string; fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string | number };
  mode?: number;
}

export interface DownwardAPIVolumeSource {
  items?: DownwardAPIVolumeFile[];
  defaultMode?: number;
}

export interface VolumeProjection {
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  [other: string]: unknown;
}

export interface ProjectedVolumeSource {
  sources?: VolumeProjection[];
  defaultMode?: number;
}

export interface EmptyDirVolumeSource {
  medium?: string;
  sizeLimit?: string | number;
}

export interface HostPathVolumeSource {
  path: string;
  type?: string;
}

export interface PersistentVolumeClaimVolumeSource {
  claimName: string;
  readOnly?: boolean;
}

/** A v1 Volume: its name and exactly one source, keyed by the source's field name. */
export interface Volume {
  name: string;
  [source: string]: unknown;
}

export interface ResourceRequirements {
  limits?: Record<string, string | number>;
  requests?: Record<string, string | number>;
}

/** The parts of a Pod the volume code reads. */
export interface PodView {
  metadata: ObjectMeta;
  spec: {
    volumes?: Volume[];
    containers?: Array<{ name: string; resources?: ResourceRequirements }>;
    initContainers?: Array<{ name: string; resources?: ResourceRequirements }>;
  };
}

/** The only client call the volume code makes; ApiClient satisfies it. */
export interface VolumeClient {
  get(ref: ResourceRef, name: string): Promise<KubeObject>;
}

/** Quantities the node can give a container: what resourceFieldRef reports for a limit left unset. */
export interface NodeAllocatable {
  cpu: string | number;
  memory: string | number;
  'ephemeral-storage': string | number;
}

export interface VolumeOptions {
  /** The Pod's directory on this node; volumes live in <podDir>/volumes. */
  podDir: string;
  client: VolumeClient;
  nodeName: string;
  /** Defaults to this machine's CPUs, memory and the disk holding podDir. */
  nodeAllocatable?: NodeAllocatable;
  /** Where unyo.local volume directories are (the agent's --volumes-dir). */
  volumesDir?: string;
}

/** What a volume plugin gets: the options, the Pod, and a fetch that caches per call. */
export interface VolumeContext extends VolumeOptions {
  pod: PodView;
  /** A ConfigMap or Secret of the Pod's namespace; undefined when it does not exist. */
  fetch(kind: 'configmap' | 'secret', name: string): Promise<KubeObject | undefined>;
}

export interface PreparedVolume {
  /** The directory (or file) on the host that containers mount. */
  hostPath: string;
  /** Upstream mounts configMap, secret, downwardAPI and projected volumes read-only. */
  readOnly: boolean;
  /** Where unyo differs from upstream for this volume (tmpfs not used, token not projected, ...). */
  notes?: string[];
}

export interface SetUpResult extends PreparedVolume {
  /** Content was written (for refreshes: the volume changed). */
  changed: boolean;
}

export interface VolumePlugin {
  /** Set the volume up; called again on a prepared volume it must be idempotent. */
  setUp(volume: Volume, ctx: VolumeContext): Promise<SetUpResult>;
  /** Its content follows API objects or Pod metadata: updateVolumes sets it up again. */
  refreshes?: boolean;
}

/**
 * A volume that could not be set up. The message is upstream's (`configmap "x" not found`);
 * the pod worker reports it as a FailedMount event and leaves the Pod ContainerCreating.
 */
export class VolumeError extends Error {
  constructor(
    readonly volume: string,
    message: string,
  ) {
    super(message);
  }

  /** The FailedMount event message upstream's kubelet records. */
  get event(): string {
    return `MountVolume.SetUp failed for volume "${this.volume}" : ${this.message}`;
  }
}

/** A failure inside a plugin; prepareVolumes turns it into a VolumeError naming the volume. */
export class SetUpError extends Error {}
