// The fields each kind can be selected by (field selectors), as upstream's field label
// conversion funcs and GetAttrs define them. metadata.name and metadata.namespace always work.
import type { KubeObject } from './types.js';

type Extract = (o: any) => string | undefined;

const kindFields: Record<string, Record<string, Extract>> = {
  Pod: {
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => o.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(Boolean(o.spec?.hostNetwork)),
    'status.phase': (o) => o.status?.phase ?? '',
    'status.podIP': (o) => o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
  Event: {
    'involvedObject.kind': (o) => o.involvedObject?.kind ?? '',
    'involvedObject.namespace': (o) => o.involvedObject?.namespace ?? '',
    'involvedObject.name': (o) => o.involvedObject?.name ?? '',
    'involvedObject.uid': (o) => o.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath ?? '',
    reason: (o) => o.reason ?? '',
    reportingComponent: (o) => o.reportingComponent ?? '',
    source: (o) => o.source?.component ?? o.reportingComponent ?? '',
    type: (o) => o.type ?? '',
  },
  Secret: { type: (o) => o.type ?? '' },
  Node: { 'spec.unschedulable': (o) => String(Boolean(o.spec?.unschedulable)) },
  Namespace: { 'status.phase': (o) => o.status?.phase ?? '' },
  'Job.batch': { 'status.successful': (o) => String(o.status?.successful ?? 0) },
  'ReplicaSet.apps': { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
  ReplicationController: { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
  PersistentVolumeClaim: { 'spec.volumeName': (o) => o.spec?.volumeName ?? '' },
  'CertificateSigningRequest.certificates.k8s.io': { 'spec.signerName': (o) => o.spec?.signerName ?? '' },
};

/** The value of a selectable field, or undefined when the kind does not support selecting by it. */
export function selectableField(groupKind: string, obj: KubeObject, field: string): string | undefined {
  if (field === 'metadata.name') return obj.metadata.name ?? '';
  if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
  const f = kindFields[groupKind]?.[field];
  return f ? f(obj) : undefined;
}

export function supportsField(groupKind: string, field: string): boolean {
  return field === 'metadata.name' || field === 'metadata.namespace' || Boolean(kindFields[groupKind]?.[field]);
}
