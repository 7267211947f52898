import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupKindKey } from '../resources.js';
import type { KubeObject } from '../types.js';
import { check, deployment, meta, stored, template } from './testing.js';

const DEPLOYMENT = groupKindKey('apps', 'Deployment');
const STATEFULSET = groupKindKey('apps', 'StatefulSet');
const DAEMONSET = groupKindKey('apps', 'DaemonSet');
const REPLICASET = groupKindKey('apps', 'ReplicaSet');

const deploymentCases: Array<{ name: string; mutate: (d: Record<string, any>) => void; want: string[] }> = [
  { name: 'valid', mutate: () => {}, want: [] },
  { name: 'negative replicas', mutate: (d) => (d.spec.replicas = -1), want: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'] },
  {
    name: 'selector missing',
    mutate: (d) => delete d.spec.selector,
    want: ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
  },
  { name: 'empty selector', mutate: (d) => (d.spec.selector = {}), want: ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'] },
  { name: 'selector not matching', mutate: (d) => (d.spec.selector = { matchLabels: { app: 'api' } }), want: ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'] },
  {
    name: 'bad selector operator',
    mutate: (d) => (d.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Is', values: ['web'] }] }),
    want: ['spec.selector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator', 'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Is","values":["web"]}]}: invalid label selector'],
  },
  { name: 'restartPolicy Never', mutate: (d) => (d.spec.template.spec.restartPolicy = 'Never'), want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'] },
  { name: 'unknown strategy', mutate: (d) => (d.spec.strategy = { type: 'BlueGreen' }), want: ['spec.strategy: Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"'] },
  {
    name: 'both rolling update bounds zero',
    mutate: (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }),
    want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
  },
  {
    name: 'percent above 100',
    mutate: (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '150%' } }),
    want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'],
  },
  {
    name: 'malformed percent',
    mutate: (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots', maxUnavailable: 1 } }),
    want: ["spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"],
  },
  { name: 'rollingUpdate with Recreate', mutate: (d) => (d.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }), want: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"] },
  { name: 'negative revision history', mutate: (d) => (d.spec.revisionHistoryLimit = -1), want: ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0'] },
  { name: 'progress deadline below minReady', mutate: (d) => ((d.spec.minReadySeconds = 20), (d.spec.progressDeadlineSeconds = 10)), want: ['spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds'] },
  { name: 'pod spec errors surface under the template', mutate: (d) => delete d.spec.template.spec.containers[0].image, want: ['spec.template.spec.containers[0].image: Required value'] },
  { name: 'template label key', mutate: (d) => (d.spec.template.metadata.labels['-x'] = 'y'), want: ["spec.template.labels: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"] },
];

for (const c of deploymentCases) {
  test(`deployment: ${c.name}`, () => assert.deepEqual(check(DEPLOYMENT, deployment(c.mutate)), c.want));
}

test('deployment update: selector is immutable', () => {
  const old = stored(deployment());
  const next = stored(old) as Record<string, any>;
  next.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
  next.spec.template.metadata.labels.tier = 'x';
  assert.deepEqual(check(DEPLOYMENT, next as KubeObject, old), ['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable']);
});

test('deployment update: scaling is allowed', () => {
  const old = stored(deployment());
  const next = stored(old) as Record<string, any>;
  next.spec.replicas = 5;
  assert.deepEqual(check(DEPLOYMENT, next as KubeObject, old), []);
});

function statefulSet(mutate?: (s: Record<string, any>) => void): KubeObject {
  const s: Record<string, any> = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db', 'default'), spec: { serviceName: 'db', selector: { matchLabels: { app: 'web' } }, template: template() } };
  mutate?.(s);
  return s as KubeObject;
}

const statefulSetCases: Array<{ name: string; mutate: (s: Record<string, any>) => void; want: string[] }> = [
  { name: 'valid', mutate: () => {}, want: [] },
  { name: 'name must be a DNS label', mutate: (s) => (s.metadata.name = 'db.primary'), want: ['metadata.name: Invalid value: "db.primary": must not contain dots'] },
  { name: 'pod management policy', mutate: (s) => (s.spec.podManagementPolicy = 'Random'), want: ["spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"] },
  { name: 'empty selector', mutate: (s) => (s.spec.selector = {}), want: ['spec.selector: Invalid value: {}: empty selector is invalid for statefulset'] },
  { name: 'negative partition', mutate: (s) => (s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } }), want: ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0'] },
  { name: 'retention policy', mutate: (s) => (s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep', whenScaled: 'Retain' }), want: ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"'] },
];

for (const c of statefulSetCases) {
  test(`statefulset: ${c.name}`, () => assert.deepEqual(check(STATEFULSET, statefulSet(c.mutate)), c.want));
}

test('statefulset update: only some spec fields may change', () => {
  const old = stored(statefulSet());
  const scaled = stored(old) as Record<string, any>;
  scaled.spec.replicas = 3;
  scaled.spec.template.spec.containers[0].image = 'nginx:2';
  assert.deepEqual(check(STATEFULSET, scaled as KubeObject, old), []);
  const renamed = stored(old) as Record<string, any>;
  renamed.spec.serviceName = 'other';
  assert.deepEqual(check(STATEFULSET, renamed as KubeObject, old), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

function daemonSet(mutate?: (s: Record<string, any>) => void): KubeObject {
  const d: Record<string, any> = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('agent', 'kube-system'), spec: { selector: { matchLabels: { app: 'web' } }, template: template() } };
  mutate?.(d);
  return d as KubeObject;
}

const daemonSetCases: Array<{ name: string; mutate: (s: Record<string, any>) => void; want: string[] }> = [
  { name: 'valid', mutate: () => {}, want: [] },
  { name: 'surge and unavailable both set', mutate: (d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } }), want: ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'] },
  { name: 'both zero', mutate: (d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } }), want: ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'] },
  { name: 'activeDeadlineSeconds', mutate: (d) => (d.spec.template.spec.activeDeadlineSeconds = 5), want: ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported'] },
];

for (const c of daemonSetCases) {
  test(`daemonset: ${c.name}`, () => assert.deepEqual(check(DAEMONSET, daemonSet(c.mutate)), c.want));
}

test('replicaset: mismatched selector', () => {
  const rs = deployment((d) => ((d.kind = 'ReplicaSet'), (d.spec.selector = { matchLabels: { app: 'x' } })));
  assert.deepEqual(check(REPLICASET, rs), ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']);
});
