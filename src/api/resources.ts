// The catalogue of resources the API serves: the static facts discovery, routing, storage and
// OpenAPI need (group, version, kind, plural, scope, verbs, subresources, schema model).
// Kind-specific behaviour (defaulting, validation, printing) is looked up by the kind's
// GroupKind key elsewhere; this file only says what exists.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: Verb[];
  /** status, scale, and the special ones: binding, eviction, log, exec, attach, portforward, proxy, approval. */
  subresources: string[];
  scale?: ScaleSubresource;
  /** Name of the client-node model that describes the schema (see schema/models.json). */
  model?: string;
  /** Versions of one resource share storage; the storage version is the one objects are kept in. */
  storageVersion: string;
  /** The group whose storage this resource shares (events.k8s.io Events live with core Events). */
  storageGroup: string;
  /** Set for resources served from a CustomResourceDefinition. */
  crd?: { name: string; schema?: Record<string, unknown>; preserveUnknownFields: boolean; printerColumns?: Array<Record<string, any>> };
}

const ALL: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const NO_COLLECTION_DELETE: Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

interface Def {
  group?: string;
  version: string;
  kind: string;
  plural: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: Verb[];
  subresources?: string[];
  scale?: ScaleSubresource;
  model: string;
  storageVersion?: string;
  storageGroup?: string;
}

const replicasScale: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };

const defs: Def[] = [
  { version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], subresources: ['status', 'finalize'], model: 'V1Namespace', verbs: NO_COLLECTION_DELETE },
  { version: 'v1', kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'ephemeralcontainers'], model: 'V1Pod' },
  { version: 'v1', kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'], subresources: ['status', 'proxy'], model: 'V1Service' },
  { version: 'v1', kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'], model: 'V1ConfigMap' },
  { version: 'v1', kind: 'Secret', plural: 'secrets', model: 'V1Secret' },
  { version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'], subresources: ['token'], model: 'V1ServiceAccount' },
  { version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], model: 'CoreV1Event' },
  { version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], subresources: ['status', 'proxy'], model: 'V1Node' },
  { version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'], subresources: ['status'], model: 'V1PersistentVolume' },
  { version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'], subresources: ['status'], model: 'V1PersistentVolumeClaim' },
  { version: 'v1', kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'], model: 'V1Endpoints' },
  { version: 'v1', kind: 'LimitRange', plural: 'limitranges', shortNames: ['limits'], model: 'V1LimitRange' },
  { version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', shortNames: ['quota'], subresources: ['status'], model: 'V1ResourceQuota' },
  { version: 'v1', kind: 'PodTemplate', plural: 'podtemplates', model: 'V1PodTemplate' },
  { version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', shortNames: ['rc'], categories: ['all'], subresources: ['status', 'scale'], scale: replicasScale, model: 'V1ReplicationController' },

  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'], scale: replicasScale, model: 'V1Deployment' },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'], scale: replicasScale, model: 'V1ReplicaSet' },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: ['all'], subresources: ['status'], model: 'V1DaemonSet' },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'], scale: replicasScale, model: 'V1StatefulSet' },
  { group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', model: 'V1ControllerRevision' },

  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', categories: ['all'], subresources: ['status'], model: 'V1Job' },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], categories: ['all'], subresources: ['status'], model: 'V1CronJob' },

  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'], categories: ['all'], subresources: ['status'], model: 'V2HorizontalPodAutoscaler', storageVersion: 'v2' },
  { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'], categories: ['all'], subresources: ['status'], model: 'V1HorizontalPodAutoscaler', storageVersion: 'v2' },

  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', shortNames: ['pdb'], subresources: ['status'], model: 'V1PodDisruptionBudget' },

  { group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', namespaced: false, shortNames: ['csr'], subresources: ['status', 'approval'], model: 'V1CertificateSigningRequest' },

  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', model: 'V1Lease' },

  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', model: 'V1EndpointSlice' },

  { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'], model: 'V1StorageClass' },
  { group: 'storage.k8s.io', version: 'v1', kind: 'CSIDriver', plural: 'csidrivers', namespaced: false, model: 'V1CSIDriver' },
  { group: 'storage.k8s.io', version: 'v1', kind: 'CSINode', plural: 'csinodes', namespaced: false, model: 'V1CSINode' },
  { group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment', plural: 'volumeattachments', namespaced: false, subresources: ['status'], model: 'V1VolumeAttachment' },

  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', model: 'V1Role' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, model: 'V1ClusterRole' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', model: 'V1RoleBinding' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, model: 'V1ClusterRoleBinding' },

  { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], model: 'EventsV1Event', storageGroup: '', storageVersion: 'v1' },

  { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'], model: 'V1PriorityClass' },

  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'], model: 'V1CustomResourceDefinition' },
];

function build(d: Def): ResourceType {
  return {
    group: d.group ?? '',
    version: d.version,
    kind: d.kind,
    listKind: `${d.kind}List`,
    plural: d.plural,
    singular: d.kind.toLowerCase(),
    namespaced: d.namespaced ?? true,
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
    verbs: d.verbs ?? ALL,
    subresources: d.subresources ?? [],
    scale: d.scale,
    model: d.model,
    storageVersion: d.storageVersion ?? d.version,
    storageGroup: d.storageGroup ?? d.group ?? '',
  };
}

export const builtinResources: ResourceType[] = defs.map(build);

/** Key of a group+kind used to look up kind-specific behaviour: "Deployment.apps", "Pod". */
export function groupKindKey(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

/** Storage key prefix of a resource: every version of it shares one. */
export function storagePrefix(group: string, plural: string): string {
  return `/registry/${group || 'core'}/${plural}/`;
}

/** Storage key of one object. Cluster-scoped objects have no namespace segment. */
export function storageKey(group: string, plural: string, namespace: string | undefined, name: string): string {
  return namespace ? `${storagePrefix(group, plural)}${namespace}/${name}` : `${storagePrefix(group, plural)}${name}`;
}

/** Build a ResourceType for a custom resource version served from a CRD. */
export function customResource(fields: Omit<ResourceType, 'verbs' | 'listKind' | 'singular' | 'categories' | 'shortNames' | 'subresources' | 'storageGroup'> & Partial<ResourceType>): ResourceType {
  return {
    verbs: ALL,
    listKind: `${fields.kind}List`,
    singular: fields.kind.toLowerCase(),
    categories: [],
    shortNames: [],
    subresources: [],
    ...fields,
    storageGroup: fields.storageGroup ?? fields.group,
  };
}
