import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../types.js';
import { check, meta, stored } from './testing.js';

const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function configMap(metadata: KubeObject['metadata']): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata };
}

const cases: Array<{ name: string; gk: string; obj: KubeObject; want: string[] }> = [
  { name: 'valid', gk: 'ConfigMap', obj: configMap(meta('settings', 'default')), want: [] },
  { name: 'bad name', gk: 'ConfigMap', obj: configMap(meta('Bad_Name', 'default')), want: [`metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`] },
  { name: 'no name', gk: 'ConfigMap', obj: configMap({ namespace: 'default' }), want: ['metadata.name: Required value: name or generateName is required'] },
  {
    name: 'bad generateName',
    gk: 'ConfigMap',
    obj: configMap({ generateName: 'Web-', name: 'web-x1', namespace: 'default' }),
    want: [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN}`],
  },
  { name: 'namespace required', gk: 'ConfigMap', obj: configMap({ name: 'a' }), want: ['metadata.namespace: Required value'] },
  { name: 'namespace forbidden on cluster-scoped kinds', gk: 'Namespace', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', namespace: 'b' } }, want: ['metadata.namespace: Forbidden: not allowed on this type'] },
  {
    name: 'namespace name is a DNS label',
    gk: 'Namespace',
    obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team.a' } },
    want: ['metadata.name: Invalid value: "team.a": must not contain dots'],
  },
  {
    name: 'label key and value',
    gk: 'ConfigMap',
    obj: configMap(meta('a', 'default', { labels: { '-bad': 'ok', good: 'bad value!' } })),
    want: [
      "metadata.labels: Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "metadata.labels: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  },
  {
    name: 'annotations over 256 KiB',
    gk: 'ConfigMap',
    obj: configMap(meta('a', 'default', { annotations: { big: 'x'.repeat(256 * 1024) } })),
    want: ['metadata.annotations: Too long: may not be more than 262144 bytes'],
  },
  {
    name: 'unqualified finalizer on a built-in kind',
    gk: 'ConfigMap',
    obj: configMap(meta('a', 'default', { finalizers: ['cleanup'] })),
    want: ['metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified'],
  },
  { name: 'custom resources may use unqualified finalizers', gk: 'Widget.example.com', obj: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('a', 'default', { finalizers: ['cleanup'] }) }, want: [] },
  { name: 'custom resources get name checks', gk: 'Widget.example.com', obj: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('Bad_Name', 'default') }, want: [`metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`] },
  {
    name: 'two controllers',
    gk: 'ConfigMap',
    obj: configMap(meta('a', 'default', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: '1', controller: true }, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'y', uid: '2', controller: true }] })),
    want: ['metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"x","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"y","uid":"2","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/x and ReplicaSet/y'],
  },
];

for (const c of cases) {
  test(`meta: ${c.name}`, () => assert.deepEqual(check(c.gk, c.obj), c.want));
}

const updates: Array<{ name: string; mutate: (o: Record<string, any>) => void; want: string[] }> = [
  { name: 'unchanged', mutate: () => {}, want: [] },
  { name: 'rename', mutate: (o) => (o.metadata.name = 'other'), want: ['metadata.name: Invalid value: "other": field is immutable'] },
  { name: 'move namespace', mutate: (o) => (o.metadata.namespace = 'other'), want: ['metadata.namespace: Invalid value: "other": field is immutable'] },
  { name: 'change uid', mutate: (o) => (o.metadata.uid = 'x'), want: ['metadata.uid: Invalid value: "x": field is immutable'] },
  { name: 'no resourceVersion', mutate: (o) => delete o.metadata.resourceVersion, want: ['metadata.resourceVersion: Invalid value: "": must be specified for an update'] },
  {
    name: 'new finalizer while deleting',
    mutate: (o) => (o.metadata.finalizers = ['example.com/x']),
    want: ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}'],
  },
];

for (const u of updates) {
  test(`meta update: ${u.name}`, () => {
    const old = stored(configMap(meta('settings', 'default', { creationTimestamp: '2024-01-01T00:00:00Z' })));
    if (u.name.includes('deleting')) old.metadata.deletionTimestamp = '2024-01-02T00:00:00Z';
    const next = stored(old) as Record<string, any>;
    u.mutate(next);
    assert.deepEqual(check('ConfigMap', next as KubeObject, old), u.want);
  });
}
