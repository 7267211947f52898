// Server-side printing: turns objects into the meta.k8s.io Table that `kubectl get` asks for
// and prints as it comes. Each built-in kind has upstream's columns and cell formatting; custom
// resources use their CRD's printer columns; anything else gets NAME and CREATED AT.
// Pure: imports only the object model; the caller supplies the clock, list metadata and
// what each row should carry (nothing, the metadata, or the whole object).
import { groupKindKey, type ResourceType } from '../../api/resources.js';
import type { KubeObject, ListMeta } from '../../api/types.js';
import type { IncludeObject, TableVersion } from './accept.js';
import * as apps from './apps.js';
import { horizontalPodAutoscaler } from './autoscaling.js';
import * as batch from './batch.js';
import * as control from './control.js';
import * as core from './core.js';
import { customPrinter, defaultPrinter } from './custom.js';
import type { Cell, ColumnDefinition, Printer, RowCondition } from './model.js';
import * as network from './network.js';
import { pod } from './pod.js';
import * as storage from './storage.js';

export { humanDuration } from './duration.js';
export { parseIncludeObject, parseTableAccept, type IncludeObject, type TableVersion } from './accept.js';
export type { Cell, ColumnDefinition, RowCondition } from './model.js';

/** Printers by group+kind key ("Deployment.apps", "Pod"); each serves every version of its kind. */
const printers = new Map<string, Printer>([
  ['Pod', pod],
  ['Namespace', core.namespace],
  ['Node', core.node],
  ['Service', core.service],
  ['ConfigMap', core.configMap],
  ['Secret', core.secret],
  ['ServiceAccount', core.serviceAccount],
  ['Event', core.event],
  ['Event.events.k8s.io', core.eventsV1Event],
  ['Endpoints', core.endpoints],
  ['PersistentVolume', core.persistentVolume],
  ['PersistentVolumeClaim', core.persistentVolumeClaim],
  ['ResourceQuota', core.resourceQuota],
  ['PodTemplate', core.podTemplate],
  ['ReplicationController', core.replicationController],
  ['Deployment.apps', apps.deployment],
  ['ReplicaSet.apps', apps.replicaSet],
  ['DaemonSet.apps', apps.daemonSet],
  ['StatefulSet.apps', apps.statefulSet],
  ['ControllerRevision.apps', apps.controllerRevision],
  ['Job.batch', batch.job],
  ['CronJob.batch', batch.cronJob],
  ['HorizontalPodAutoscaler.autoscaling', horizontalPodAutoscaler],
  ['PodDisruptionBudget.policy', control.podDisruptionBudget],
  ['Lease.coordination.k8s.io', control.lease],
  ['PriorityClass.scheduling.k8s.io', control.priorityClass],
  ['RuntimeClass.node.k8s.io', control.runtimeClass],
  ['RoleBinding.rbac.authorization.k8s.io', control.roleBinding],
  ['ClusterRoleBinding.rbac.authorization.k8s.io', control.clusterRoleBinding],
  ['MutatingWebhookConfiguration.admissionregistration.k8s.io', control.webhookConfiguration],
  ['ValidatingWebhookConfiguration.admissionregistration.k8s.io', control.webhookConfiguration],
  ['CertificateSigningRequest.certificates.k8s.io', control.certificateSigningRequest],
  ['EndpointSlice.discovery.k8s.io', network.endpointSlice],
  ['Ingress.networking.k8s.io', network.ingress],
  ['IngressClass.networking.k8s.io', network.ingressClass],
  ['NetworkPolicy.networking.k8s.io', network.networkPolicy],
  ['StorageClass.storage.k8s.io', storage.storageClass],
  ['CSIDriver.storage.k8s.io', storage.csiDriver],
  ['CSINode.storage.k8s.io', storage.csiNode],
  ['VolumeAttachment.storage.k8s.io', storage.volumeAttachment],
]);

/** Custom resource printers, rebuilt only when a CRD's column list changes. */
const customPrinters = new WeakMap<object, Printer>();

function printerFor(resource: ResourceType): Printer {
  if (resource.crd) {
    const key = resource.crd.printerColumns ?? resource.crd;
    let printer = customPrinters.get(key);
    if (!printer) {
      printer = customPrinter(resource.crd.printerColumns);
      customPrinters.set(key, printer);
    }
    return printer;
  }
  // Role, ClusterRole, LimitRange, CustomResourceDefinition and the like have no printer upstream either.
  return printers.get(groupKindKey(resource.group, resource.kind)) ?? defaultPrinter;
}

export interface PartialObjectMetadata {
  apiVersion: string;
  kind: 'PartialObjectMetadata';
  metadata: KubeObject['metadata'];
}

export interface TableRow {
  cells: Cell[];
  conditions?: RowCondition[];
  /** The whole object, its metadata only, or null, per includeObject. */
  object: KubeObject | PartialObjectMetadata | null;
}

export interface Table {
  apiVersion: string;
  kind: 'Table';
  metadata: ListMeta;
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** For a list, its metadata; for a single object, `{resourceVersion}` of that object. */
  listMeta: ListMeta;
  now: Date;
  /** meta.k8s.io version of the Table (and of PartialObjectMetadata rows); v1 by default. */
  version?: TableVersion;
  /** Leave out column definitions, as for watch events after the first. */
  noHeaders?: boolean;
}

export function toTable(resource: ResourceType, objects: KubeObject[], opts: TableOptions): Table {
  const printer = printerFor(resource);
  const apiVersion = `meta.k8s.io/${opts.version ?? 'v1'}`;
  const metadata: ListMeta = {};
  if (opts.listMeta.resourceVersion !== undefined) metadata.resourceVersion = opts.listMeta.resourceVersion;
  if (opts.listMeta.continue) metadata.continue = opts.listMeta.continue;
  if (opts.listMeta.remainingItemCount !== undefined) metadata.remainingItemCount = opts.listMeta.remainingItemCount;

  const rows = objects.map((o): TableRow => {
    const printed = printer.print(o, { now: opts.now });
    const row: TableRow = { cells: printed.cells, object: rowObject(o, opts.includeObject, apiVersion) };
    if (printed.conditions) row.conditions = printed.conditions;
    return row;
  });
  return { apiVersion, kind: 'Table', metadata, columnDefinitions: opts.noHeaders ? [] : printer.columns, rows };
}

function rowObject(o: KubeObject, include: IncludeObject, apiVersion: string): TableRow['object'] {
  switch (include) {
    case 'Object':
      return o;
    case 'Metadata':
      return { apiVersion, kind: 'PartialObjectMetadata', metadata: o.metadata };
    case 'None':
      return null;
  }
}

