#!/usr/bin/env node
// Derives the field structure of the built-in Kubernetes types from @kubernetes/client-node's
// model metadata and writes src/api/schema/models.json (committed; rerun after upgrading
// client-node). Only the types reachable from the kinds unyo serves are kept.
import * as k8s from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';

const roots = [
  'V1Namespace', 'V1Pod', 'V1Service', 'V1ConfigMap', 'V1Secret', 'V1ServiceAccount', 'CoreV1Event',
  'V1Node', 'V1PersistentVolume', 'V1PersistentVolumeClaim', 'V1Endpoints', 'V1LimitRange',
  'V1ResourceQuota', 'V1Binding', 'V1PodTemplate', 'V1ReplicationController',
  'V1Deployment', 'V1ReplicaSet', 'V1DaemonSet', 'V1StatefulSet', 'V1ControllerRevision',
  'V1Job', 'V1CronJob', 'V1HorizontalPodAutoscaler', 'V2HorizontalPodAutoscaler', 'V1Scale',
  'V1PodDisruptionBudget', 'V1Eviction', 'V1Lease', 'V1EndpointSlice', 'V1StorageClass',
  'V1CSIDriver', 'V1CSINode', 'V1VolumeAttachment',
  'V1Role', 'V1ClusterRole', 'V1RoleBinding', 'V1ClusterRoleBinding', 'EventsV1Event',
  'V1CustomResourceDefinition', 'V1Status', 'V1APIResourceList', 'V1APIGroupList', 'V1DeleteOptions',
  'V1PriorityClass', 'V1IngressClass', 'V1Ingress', 'V1NetworkPolicy',
  'V1TokenReview', 'V1SelfSubjectAccessReview', 'V1SubjectAccessReview', 'V1SelfSubjectRulesReview',
  'V1CertificateSigningRequest',
];
const models = {};
const seen = new Set();
const refOf = (type) => {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return refOf(arr[1]);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return refOf(map[1]);
  return type;
};
function visit(name) {
  if (seen.has(name)) return;
  seen.add(name);
  const cls = k8s[name];
  if (!cls || !cls.attributeTypeMap) return;
  models[name] = cls.attributeTypeMap.map((a) => ({ name: a.baseName, type: a.type, format: a.format || undefined }));
  for (const a of cls.attributeTypeMap) visit(refOf(a.type));
}
for (const r of roots) {
  if (!k8s[r]) throw new Error(`client-node has no model ${r}`);
  visit(r);
}
const out = new URL('../src/api/schema/models.json', import.meta.url);
writeFileSync(out, JSON.stringify(models, null, 0).replace(/\],"/g, '],\n"') + '\n');
console.log(`${Object.keys(models).length} models written to ${out.pathname}`);
