import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { ApplyConflictError, FieldSet, PatchError, serverSideApply, updateManagedFields } from './index.js';

const t0 = new Date('2024-05-01T10:00:00Z');
const t1 = new Date('2024-05-01T11:00:00Z');
const t2 = new Date('2024-05-01T12:00:00Z');

/** The bare object the API applies onto when the apply creates it. */
const fresh: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } };

/** The manifest `kubectl apply --server-side` sends (YAML decoded). */
function manifest(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'front' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.26', ports: [{ containerPort: 80 }] },
            { name: 'sidecar', image: 'busybox', args: ['sleep', 'inf'] },
          ],
        },
      },
    },
  };
}

function apply(live: KubeObject, applied: unknown, manager: string, now: Date, force = false): any {
  return serverSideApply({ live, applied: structuredClone(applied) as KubeObject, manager, force, apiVersion: 'apps/v1', now });
}

function owned(obj: KubeObject, manager: string, operation = 'Apply'): FieldSet {
  const e = obj.metadata.managedFields?.find((m) => m.manager === manager && m.operation === operation);
  return e ? FieldSet.fromFieldsV1(e.fieldsV1) : new FieldSet();
}

const replicas = ['f:spec', 'f:replicas'];

test('first apply creates the object and owns every field it set', () => {
  const out = apply(fresh, manifest(), 'kubectl', t0);
  assert.equal(out.spec.replicas, 2);
  assert.deepEqual(out.metadata.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2024-05-01T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {}, 'f:tier': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"sidecar"}': { '.': {}, 'f:args': {}, 'f:image': {}, 'f:name': {} },
                'k:{"name":"web"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  // The port's protocol defaults to TCP, so it is part of the key.
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test('re-applying without a field removes it', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  const next = manifest();
  delete next.spec.replicas;
  delete next.metadata.labels.tier;
  next.spec.template.spec.containers.pop();
  const out = apply(first, next, 'kubectl', t1);
  assert.equal('replicas' in out.spec, false);
  assert.deepEqual(out.metadata.labels, { app: 'web' });
  assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['web']);
  const set = owned(out, 'kubectl');
  assert.equal(set.has(replicas), false);
  assert.equal(set.covers(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"sidecar"}']), false);
  assert.equal(out.metadata.managedFields[0].time, '2024-05-01T11:00:00Z');
});

test('a removed field another manager also owns stays', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  // Helm applies the same replicas: no conflict, both own it.
  const shared = apply(first, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, 'helm', t1);
  assert.equal(owned(shared, 'kubectl').has(replicas), true);
  assert.equal(owned(shared, 'helm').has(replicas), true);
  const next = manifest();
  delete next.spec.replicas;
  const out = apply(shared, next, 'kubectl', t2);
  assert.equal(out.spec.replicas, 2);
  assert.equal(owned(out, 'kubectl').has(replicas), false);
  assert.equal(owned(out, 'helm').has(replicas), true);
});

test('fields set by an Update before any apply are not pruned', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  const edited = structuredClone(first);
  edited.spec.template.spec.containers[0].imagePullPolicy = 'Always';
  const afterEdit = updateManagedFields({ oldObj: first, newObj: edited, manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', now: t1 });
  const next = manifest();
  next.spec.template.spec.containers[0].image = 'nginx:1.27';
  const out = apply(afterEdit, next, 'kubectl', t2);
  assert.equal(out.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(out.spec.template.spec.containers[0].image, 'nginx:1.27');
});

test('two managers applying different values conflict', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  const other = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } };
  assert.throws(
    () => apply(first, other, 'helm', t1),
    (err: unknown) => {
      assert.ok(err instanceof ApplyConflictError);
      assert.deepEqual(err.conflicts, [
        { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', subresource: undefined, field: '.spec.replicas' },
        { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', subresource: undefined, field: '.spec.template.spec.containers[name="web"].image' },
      ]);
      assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "kubectl":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image');
      return true;
    },
  );
  const single = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5 } };
  assert.throws(() => apply(first, single, 'helm', t1), { message: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas' });
});

test('force takes ownership of conflicting fields', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  const out = apply(first, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5 } }, 'helm', t1, true);
  assert.equal(out.spec.replicas, 5);
  assert.equal(owned(out, 'kubectl').has(replicas), false);
  assert.equal(owned(out, 'helm').has(replicas), true);
  assert.deepEqual(out.metadata.managedFields.map((e: any) => e.manager), ['kubectl', 'helm'], 'Apply entries oldest first');
  // kubectl re-applying its manifest now conflicts with helm.
  assert.throws(() => apply(out, manifest(), 'kubectl', t2), { message: 'Apply failed with 1 conflict: conflict with "helm": .spec.replicas' });
});

test('an Update by another manager takes the field; the next apply conflicts with it', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  // kubectl scale / a controller writes replicas with an ordinary update.
  const scaled = structuredClone(first);
  scaled.spec.replicas = 7;
  const afterScale = updateManagedFields({ oldObj: first, newObj: scaled, manager: 'kubectl-scale', operation: 'Update', apiVersion: 'apps/v1', now: t1 });
  assert.equal(owned(afterScale, 'kubectl').has(replicas), false, 'an Update takes ownership without conflict');
  assert.equal(owned(afterScale, 'kubectl-scale', 'Update').has(replicas), true);
  assert.throws(
    () => apply(afterScale, manifest(), 'kubectl', t2),
    (err: unknown) =>
      err instanceof ApplyConflictError &&
      err.message === 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas' &&
      err.conflicts[0].operation === 'Update',
  );
  // Leaving replicas out of the manifest is the way to share: nothing is removed (kubectl-scale owns it).
  const next = manifest();
  delete next.spec.replicas;
  const out = apply(afterScale, next, 'kubectl', t2);
  assert.equal(out.spec.replicas, 7);
});

test('re-applying the same manifest changes nothing and keeps the time', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  const again = apply(first, manifest(), 'kubectl', t1);
  assert.deepEqual(again, first);
});

test('lists merge by their list type', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  // Another manager adds a container and a finalizer; kubectl's own items stay in its order.
  const other = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', finalizers: ['example.com/protect'] },
    spec: { template: { spec: { containers: [{ name: 'injected', image: 'proxy' }], tolerations: [{ key: 'a', operator: 'Exists' }] } } },
  };
  const out = apply(first, other, 'mesh', t1);
  assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['web', 'sidecar', 'injected']);
  assert.deepEqual(owned(out, 'mesh').toFieldsV1(), {
    'f:metadata': { 'f:finalizers': { 'v:"example.com/protect"': {} } },
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"injected"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:tolerations': {} } } },
  });
  // args is atomic: a different list from another manager is a conflict on the whole list.
  const args = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'sidecar', args: ['true'] }] } } } };
  assert.throws(() => apply(out, args, 'mesh', t2), { message: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.template.spec.containers[name="sidecar"].args' });
});

test('a manifest that reorders list items reorders the live list', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  const next = manifest();
  next.spec.template.spec.containers.reverse();
  const out = apply(first, next, 'kubectl', t1);
  assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['sidecar', 'web']);
});

test('a null in the configuration removes the field and owns it', () => {
  const first = apply(fresh, manifest(), 'kubectl', t0);
  const next = manifest();
  next.spec.replicas = null;
  const out = apply(first, next, 'kubectl', t1);
  assert.equal('replicas' in out.spec, false);
  assert.equal(owned(out, 'kubectl').has(replicas), true);
});

test('an object with no managedFields credits its fields to before-first-apply', () => {
  const legacy: KubeObject = { ...manifest(), metadata: { name: 'web', namespace: 'default', uid: 'u1', labels: { app: 'web', tier: 'front' } } };
  const out = apply(legacy, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, 'kubectl', t1);
  assert.deepEqual(out.metadata.managedFields.map((e: any) => [e.manager, e.operation]), [['kubectl', 'Apply'], ['before-first-apply', 'Update']]);
  assert.equal(owned(out, 'before-first-apply', 'Update').has(['f:metadata', 'f:labels', 'f:tier']), true);
  assert.throws(() => apply(out, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } }, 'kubectl', t2), /conflict with "before-first-apply" using apps\/v1: .spec.replicas/);
});

test('custom resources without schema apply maps granularly and lists whole', () => {
  const live: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
  const cr = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } }, spec: { size: 1, items: [{ n: 1 }], nested: { x: 1 } } };
  const out = serverSideApply({ live, applied: cr as KubeObject, manager: 'op', force: false, apiVersion: 'example.com/v1', now: t0 }) as any;
  assert.deepEqual(out.metadata.managedFields[0].fieldsV1, {
    'f:metadata': { 'f:labels': { 'f:a': {} } },
    'f:spec': { '.': {}, 'f:items': {}, 'f:nested': { '.': {}, 'f:x': {} }, 'f:size': {} },
  });
  const next = { ...cr, spec: { size: 1, items: [{ n: 2 }] } };
  const out2 = serverSideApply({ live: out, applied: next as KubeObject, manager: 'op', force: false, apiVersion: 'example.com/v1', now: t1 }) as any;
  assert.deepEqual(out2.spec, { size: 1, items: [{ n: 2 }] });
});

test('serverSideApply refuses configurations it cannot apply', () => {
  const cases: Array<{ name: string; applied: unknown; message: RegExp }> = [
    { name: 'managedFields set', applied: { ...manifest(), metadata: { name: 'web', managedFields: [] } }, message: /metadata.managedFields must be nil/ },
    {
      name: 'duplicate list-map keys',
      applied: { ...manifest(), spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } } },
      message: /\.spec\.template\.spec\.containers: duplicate entries for key k:\{"name":"a"\}/,
    },
    {
      name: 'missing list-map key',
      applied: { ...manifest(), spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
      message: /omits key field "name"/,
    },
  ];
  for (const c of cases) {
    assert.throws(() => apply(fresh, c.applied, 'kubectl', t0), (err: unknown) => err instanceof PatchError && c.message.test(err.message), c.name);
  }
});
