import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { capUpdateManagers, FieldSet, updateManagedFields, type FieldManager } from './index.js';

const t0 = new Date('2022-09-14T20:33:50.734Z');
const t1 = new Date('2022-09-14T20:40:00Z');

/** A Pod as kubectl apply creates it, after defaulting (the cluster of fieldpath.test.ts's first fieldsV1). */
function pod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'nginx',
      namespace: 'default',
      creationTimestamp: '2022-09-14T20:33:50Z',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"Pod"}\n' },
    },
    spec: {
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.14.2',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
    },
  };
}

function entry(obj: KubeObject, manager: string) {
  const e = obj.metadata.managedFields?.find((m) => m.manager === manager);
  assert.ok(e, `no managedFields entry for ${manager}: ${JSON.stringify(obj.metadata.managedFields)}`);
  return e;
}

test('a create records exactly what a real cluster records', () => {
  const created = updateManagedFields({ oldObj: undefined, newObj: pod(), manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', now: t0 });
  assert.deepEqual(created.metadata.managedFields?.map((e) => Object.keys(e)), [['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']]);
  const e = entry(created, 'kubectl-client-side-apply');
  assert.equal(e.operation, 'Update');
  assert.equal(e.apiVersion, 'v1');
  assert.equal(e.time, '2022-09-14T20:33:50Z');
  assert.equal(
    JSON.stringify(e.fieldsV1),
    String.raw`{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}`,
  );
});

test('a Deployment create: value structs are never "added", pointers and maps are', () => {
  const dep: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    },
    status: {},
  };
  const out = updateManagedFields({ oldObj: undefined, newObj: dep, manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', now: t0 });
  assert.deepEqual(entry(out, 'kubectl-create').fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
      },
    },
  });
});

test('updates move fields between managers', () => {
  const created = updateManagedFields({ oldObj: undefined, newObj: pod(), manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', now: t0 });

  // kubectl edit changes the image and adds a label.
  const edited = structuredClone(created) as any;
  edited.spec.containers[0].image = 'nginx:1.27';
  edited.metadata.labels = { tier: 'front' };
  const afterEdit = updateManagedFields({ oldObj: created, newObj: edited, manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', now: t1 });
  assert.deepEqual(afterEdit.metadata.managedFields?.map((e) => e.manager), ['kubectl-client-side-apply', 'kubectl-edit'], 'oldest first');
  assert.deepEqual(entry(afterEdit, 'kubectl-edit').fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:tier': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {} } } },
  });
  const csa = FieldSet.fromFieldsV1(entry(afterEdit, 'kubectl-client-side-apply').fieldsV1);
  assert.equal(csa.has(['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']), false, 'the image left the first manager');
  assert.equal(csa.has(['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:name']), true);
  assert.equal(entry(afterEdit, 'kubectl-client-side-apply').time, '2022-09-14T20:33:50Z', 'untouched entries keep their time');

  // The same manager edits again: one entry, merged, with the new time.
  const again = structuredClone(afterEdit) as any;
  again.metadata.labels.zone = 'a';
  const t2 = new Date('2022-09-14T21:00:00Z');
  const afterAgain = updateManagedFields({ oldObj: afterEdit, newObj: again, manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', now: t2 });
  assert.equal(afterAgain.metadata.managedFields?.filter((e) => e.manager === 'kubectl-edit').length, 1);
  assert.deepEqual(Object.keys((entry(afterAgain, 'kubectl-edit').fieldsV1 as any)['f:metadata']['f:labels']), ['.', 'f:tier', 'f:zone']);
  assert.equal(entry(afterAgain, 'kubectl-edit').time, '2022-09-14T21:00:00Z');

  // A write that changes nothing leaves managedFields alone.
  const noop = updateManagedFields({ oldObj: afterAgain, newObj: structuredClone(afterAgain), manager: 'other', operation: 'Update', apiVersion: 'v1', now: t2 });
  assert.deepEqual(noop.metadata.managedFields, afterAgain.metadata.managedFields);

  // Removing the container removes everything under it from everyone; emptied entries go.
  const removed = structuredClone(afterAgain) as any;
  removed.spec.containers = [{ name: 'other', image: 'busybox' }];
  delete removed.metadata.labels;
  const afterRemove = updateManagedFields({ oldObj: afterAgain, newObj: removed, manager: 'kubectl-replace', operation: 'Update', apiVersion: 'v1', now: t2 });
  assert.deepEqual(afterRemove.metadata.managedFields?.map((e) => e.manager), ['kubectl-client-side-apply', 'kubectl-replace']);
  assert.doesNotMatch(JSON.stringify(afterRemove.metadata.managedFields), /nginx/);
});

test('status subresource writes are recorded with their subresource', () => {
  const created = updateManagedFields({ oldObj: undefined, newObj: pod(), manager: 'kubectl', operation: 'Update', apiVersion: 'v1', now: t0 });
  const withStatus = structuredClone(created) as any;
  withStatus.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null }] };
  const out = updateManagedFields({ oldObj: created, newObj: withStatus, manager: 'kubelet', operation: 'Update', apiVersion: 'v1', now: t1, subresource: 'status' });
  const e = entry(out, 'kubelet');
  assert.equal(e.subresource, 'status');
  assert.deepEqual(Object.keys(e), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);
  assert.deepEqual(e.fieldsV1, {
    'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:phase': {} },
  });
});

test('managedFields sent with an update replace the stored ones; an empty list resets them', () => {
  const created = updateManagedFields({ oldObj: undefined, newObj: pod(), manager: 'a', operation: 'Update', apiVersion: 'v1', now: t0 });
  const reset = structuredClone(created) as any;
  reset.metadata.managedFields = [];
  reset.metadata.labels = { x: 'y' };
  const out = updateManagedFields({ oldObj: created, newObj: reset, manager: 'b', operation: 'Update', apiVersion: 'v1', now: t1 });
  assert.deepEqual(out.metadata.managedFields?.map((e) => e.manager), ['b']);

  const sent = structuredClone(created) as any;
  sent.metadata.managedFields[0].manager = 'renamed';
  const kept = updateManagedFields({ oldObj: created, newObj: sent, manager: 'b', operation: 'Update', apiVersion: 'v1', now: t1 });
  assert.deepEqual(kept.metadata.managedFields?.map((e) => e.manager), ['renamed']);

  const invalid = structuredClone(created) as any;
  invalid.metadata.managedFields = [{ manager: 'x', operation: 'Bogus' }];
  const fallback = updateManagedFields({ oldObj: created, newObj: invalid, manager: 'b', operation: 'Update', apiVersion: 'v1', now: t1 });
  assert.deepEqual(fallback.metadata.managedFields?.map((e) => e.manager), ['a'], 'invalid entries fall back to the stored ones');
});

test('a custom resource without schema: maps are granular, lists atomic', () => {
  const cr: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3, sizes: [1, 2], nested: { a: { b: 1 } } } };
  const out = updateManagedFields({ oldObj: undefined, newObj: cr, manager: 'm', operation: 'Update', apiVersion: 'example.com/v1', now: t0 });
  assert.deepEqual(entry(out, 'm').fieldsV1, {
    'f:spec': { '.': {}, 'f:nested': { '.': {}, 'f:a': { '.': {}, 'f:b': {} } }, 'f:size': {}, 'f:sizes': {} },
  });
});

test('more than ten Update managers fold the oldest into ancient-changes', () => {
  const managers: FieldManager[] = Array.from({ length: 12 }, (_, i) => ({
    manager: `m${String(i).padStart(2, '0')}`,
    operation: 'Update' as const,
    apiVersion: 'v1',
    time: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    set: FieldSet.of(['f:metadata', 'f:labels', `f:l${i}`]),
  }));
  managers.push({ manager: 'applier', operation: 'Apply', apiVersion: 'v1', time: '2024-01-01T00:00:00Z', set: FieldSet.of(['f:spec']) });
  const capped = capUpdateManagers(managers);
  const updaters = capped.filter((m) => m.operation === 'Update');
  assert.equal(updaters.length, 10);
  const ancient = capped.find((m) => m.manager === 'ancient-changes');
  assert.ok(ancient);
  assert.deepEqual(ancient.set.paths().map((p) => p.at(-1)), ['f:l0', 'f:l1', 'f:l2']);
  assert.ok(capped.some((m) => m.manager === 'applier'), 'Apply entries are never folded');
});
