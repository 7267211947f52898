import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupKindKey } from '../resources.js';
import type { KubeObject } from '../types.js';
import { check, meta, stored } from './testing.js';

const cases: Array<{ name: string; gk: string; obj: Record<string, any>; want: string[] }> = [
  {
    name: 'configmap bad key',
    gk: 'ConfigMap',
    obj: { kind: 'ConfigMap', metadata: meta('c', 'default'), data: { 'bad key': 'x' } },
    want: ["data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"],
  },
  { name: 'configmap too large', gk: 'ConfigMap', obj: { kind: 'ConfigMap', metadata: meta('c', 'default'), data: { a: 'x'.repeat(1024 * 1024 + 1) } }, want: ['[]: Too long: may not be more than 1048576 bytes'] },
  { name: 'configmap key in both maps', gk: 'ConfigMap', obj: { kind: 'ConfigMap', metadata: meta('c', 'default'), data: { a: 'x' }, binaryData: { a: 'eA==' } }, want: ['data[a]: Invalid value: "a": duplicate of key present in binaryData'] },
  { name: 'secret tls keys', gk: 'Secret', obj: { kind: 'Secret', metadata: meta('s', 'default'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }, want: ['data[tls.key]: Required value'] },
  { name: 'secret from stringData', gk: 'Secret', obj: { kind: 'Secret', metadata: meta('s', 'default'), stringData: { password: 'p' } }, want: [] },
  { name: 'namespace finalizer', gk: 'Namespace', obj: { kind: 'Namespace', metadata: { name: 'team' }, spec: { finalizers: ['custom'] } }, want: ['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'] },
  {
    name: 'node taints',
    gk: 'Node',
    obj: { kind: 'Node', metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule' }, { key: 'k2', effect: 'Sometimes' }] } },
    want: ['metadata.taints[1]: Duplicate value: {"key":"k","effect":"NoSchedule"}: taints must be unique by key and effect pair', 'metadata.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
  },
  {
    name: 'pvc without access modes or storage',
    gk: 'PersistentVolumeClaim',
    obj: { kind: 'PersistentVolumeClaim', metadata: meta('data', 'default'), spec: {} },
    want: ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value'],
  },
  {
    name: 'pvc access mode',
    gk: 'PersistentVolumeClaim',
    obj: { kind: 'PersistentVolumeClaim', metadata: meta('data', 'default'), spec: { accessModes: ['ReadWriteSometimes'], resources: { requests: { storage: '1Gi' } } } },
    want: ['spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'],
  },
  {
    name: 'pv needs one source',
    gk: 'PersistentVolume',
    obj: { kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } },
    want: ['spec: Required value: must specify a volume type'],
  },
  {
    name: 'endpoints address',
    gk: 'Endpoints',
    obj: { kind: 'Endpoints', metadata: meta('web', 'default'), subsets: [{ addresses: [{ ip: '0.0.0.0' }, { ip: '127.64.0.2' }], ports: [{ port: 80 }] }] },
    want: ['subsets[0].addresses[0].ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)'],
  },
  {
    name: 'limit range min above max',
    gk: 'LimitRange',
    obj: { kind: 'LimitRange', metadata: meta('lr', 'default'), spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } },
    want: [
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
      'spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
    ],
  },
  {
    name: 'replication controller selector',
    gk: 'ReplicationController',
    obj: { kind: 'ReplicationController', metadata: meta('rc', 'default'), spec: { selector: { app: 'x' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } } },
    want: ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
  },
  {
    name: 'hpa replica bounds',
    gk: groupKindKey('autoscaling', 'HorizontalPodAutoscaler'),
    obj: { kind: 'HorizontalPodAutoscaler', metadata: meta('web', 'default'), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } },
    want: ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`'],
  },
  {
    name: 'hpa target and minReplicas',
    gk: groupKindKey('autoscaling', 'HorizontalPodAutoscaler'),
    obj: { kind: 'HorizontalPodAutoscaler', metadata: meta('web', 'default'), spec: { scaleTargetRef: { kind: 'Deployment' }, minReplicas: 0, maxReplicas: 2 } },
    want: [
      'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
      'spec.scaleTargetRef.name: Required value',
      'spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas',
    ],
  },
  {
    name: 'pdb with both bounds',
    gk: groupKindKey('policy', 'PodDisruptionBudget'),
    obj: { kind: 'PodDisruptionBudget', metadata: meta('web', 'default'), spec: { minAvailable: 1, maxUnavailable: '120%', selector: { matchLabels: { app: 'web' } } } },
    want: [
      'spec: Invalid value: {"minAvailable":1,"maxUnavailable":"120%","selector":{"matchLabels":{"app":"web"}}}: minAvailable and maxUnavailable cannot be both set',
      'spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%',
    ],
  },
  { name: 'role without verbs', gk: groupKindKey('rbac.authorization.k8s.io', 'Role'), obj: { kind: 'Role', metadata: meta('r', 'default'), rules: [{ apiGroups: [''], resources: ['pods'] }] }, want: ['rules[0].verbs: Required value: verbs must contain at least one value'] },
  {
    name: 'cluster role binding to a Role',
    gk: groupKindKey('rbac.authorization.k8s.io', 'ClusterRoleBinding'),
    obj: { kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] },
    want: ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value'],
  },
  { name: 'storage class without provisioner', gk: groupKindKey('storage.k8s.io', 'StorageClass'), obj: { kind: 'StorageClass', metadata: { name: 'fast' } }, want: ['provisioner: Required value'] },
  { name: 'lease duration', gk: groupKindKey('coordination.k8s.io', 'Lease'), obj: { kind: 'Lease', metadata: meta('l', 'default'), spec: { leaseDurationSeconds: 0 } }, want: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'] },
  {
    name: 'endpoint slice',
    gk: groupKindKey('discovery.k8s.io', 'EndpointSlice'),
    obj: { kind: 'EndpointSlice', metadata: meta('web-1', 'default'), addressType: 'IPv4', endpoints: [{ addresses: [] }], ports: [{ port: 80, protocol: 'HTTP' }] },
    want: ['endpoints[0].addresses: Required value: must contain at least 1 address', 'ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  },
  {
    name: 'priority class value',
    gk: groupKindKey('scheduling.k8s.io', 'PriorityClass'),
    obj: { kind: 'PriorityClass', metadata: { name: 'huge' }, value: 2000000000 },
    want: ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'],
  },
];

for (const c of cases) {
  test(`core and friends: ${c.name}`, () => assert.deepEqual(check(c.gk, c.obj as KubeObject), c.want));
}

test('pvc update: spec is immutable except storage growth when bound', () => {
  const old = stored({ kind: 'PersistentVolumeClaim', metadata: meta('data', 'default'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', capacity: { storage: '1Gi' } } } as KubeObject);
  const grown = stored(old) as Record<string, any>;
  grown.spec.resources.requests.storage = '2Gi';
  assert.deepEqual(check('PersistentVolumeClaim', grown as KubeObject, old), []);
  const shrunk = stored(old) as Record<string, any>;
  shrunk.spec.resources.requests.storage = '500Mi';
  assert.deepEqual(check('PersistentVolumeClaim', shrunk as KubeObject, old), ['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
  const remode = stored(old) as Record<string, any>;
  remode.spec.accessModes = ['ReadWriteMany'];
  assert.match(check('PersistentVolumeClaim', remode as KubeObject, old)[0], /^spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/);
});

test('secret update: immutable data', () => {
  const old = stored({ kind: 'Secret', metadata: meta('s', 'default'), immutable: true, data: { a: 'eA==' } } as KubeObject);
  const next = stored(old) as Record<string, any>;
  next.data.a = 'eQ==';
  assert.deepEqual(check('Secret', next as KubeObject, old), ['data: Forbidden: field is immutable when `immutable` is set']);
});

test('crd: name, group and storage versions', () => {
  const crd = {
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets' },
    spec: { group: 'example', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } }] },
  } as unknown as KubeObject;
  assert.deepEqual(check(groupKindKey('apiextensions.k8s.io', 'CustomResourceDefinition'), crd), [
    'metadata.name: Invalid value: "widgets": must be spec.names.plural+"."+spec.group',
    'spec.group: Invalid value: "example": should be a domain with at least one dot',
    'spec.versions: Invalid value: [{"name":"v1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object"}}}]: must have exactly one version marked as storage version',
    'status.storedVersions: Invalid value: []: must have at least one stored version',
  ]);
});

test('crd: a valid definition', () => {
  const crd = {
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
  } as unknown as KubeObject;
  assert.deepEqual(check(groupKindKey('apiextensions.k8s.io', 'CustomResourceDefinition'), crd), []);
});
