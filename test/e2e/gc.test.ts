// Garbage collection and namespace deletion with the real kubectl against `unyo up`: the three
// `kubectl delete --cascade` modes on a Deployment → ReplicaSet → Pod chain the test builds
// itself (no workload controller involved; with --nodes 0 no Pod runs), custom resources as
// owners and dependents, and `kubectl delete namespace` with an object held by a finalizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './harness.js';
import { kubectlSuite, show, type Kubectl } from './kubectl-suite.js';

interface Chain {
  deploymentUid: string;
  replicaSetUid: string;
}

/** A Deployment owning a ReplicaSet owning a Pod, as the workload controllers would leave them. */
async function chain(k: Kubectl, name: string, podFinalizers: string[] = []): Promise<Chain> {
  const created = await k.run(['create', 'deployment', name, '--image=unyo/web:1', '--replicas=0']);
  assert.equal(created.code, 0, show(created));
  const deploymentUid = (await k.run(['get', 'deployment', name, '-o', 'jsonpath={.metadata.uid}'])).stdout;
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${name}-rs`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deploymentUid, controller: true, blockOwnerDeletion: true }] },
    spec: { replicas: 0, selector: { matchLabels: { app: name, rs: 'one' } }, template: { metadata: { labels: { app: name, rs: 'one' } }, spec: { containers: [{ name: 'web', image: 'unyo/web:1' }] } } },
  };
  const rsCreated = await k.run(['create', '-f', '-'], rs);
  assert.equal(rsCreated.code, 0, show(rsCreated));
  const replicaSetUid = (await k.run(['get', 'replicaset', `${name}-rs`, '-o', 'jsonpath={.metadata.uid}'])).stdout;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${name}-pod`, labels: { app: name, rs: 'one' }, finalizers: podFinalizers, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-rs`, uid: replicaSetUid, controller: true, blockOwnerDeletion: true }] },
    spec: { containers: [{ name: 'web', image: 'unyo/web:1' }] },
  };
  const podCreated = await k.run(['create', '-f', '-'], pod);
  assert.equal(podCreated.code, 0, show(podCreated));
  return { deploymentUid, replicaSetUid };
}

/** The names of the objects of `kind` in the binary's namespace (kubectl get -o name). */
async function names(k: Kubectl, kind: string, ns?: string): Promise<string[]> {
  const r = await k.run([...(ns ? ['-n', ns] : []), 'get', kind, '-o', 'name']);
  assert.equal(r.code, 0, show(r));
  return r.stdout.split('\n').filter(Boolean);
}

kubectlSuite('garbage collection', (k) => {
  test('kubectl delete deployment (background) removes its ReplicaSets and Pods', async () => {
    await chain(k, 'bg');
    const r = await k.run(['delete', 'deployment', 'bg']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), 'deployment.apps "bg" deleted');
    await waitFor('the ReplicaSet collected', async () => !(await names(k, 'replicasets')).includes('replicaset.apps/bg-rs'), 30_000);
    await waitFor('the Pod collected', async () => !(await names(k, 'pods')).includes('pod/bg-pod'), 30_000);
  });

  test('kubectl delete deployment --cascade=orphan keeps the ReplicaSet and Pod, without references to the Deployment', async () => {
    const { replicaSetUid } = await chain(k, 'orphan');
    const r = await k.run(['delete', 'deployment', 'orphan', '--cascade=orphan']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), 'deployment.apps "orphan" deleted');
    assert.ok(!(await names(k, 'deployments')).includes('deployment.apps/orphan'), 'kubectl waited for the Deployment to go');
    const rsRefs = await k.run(['get', 'replicaset', 'orphan-rs', '-o', 'jsonpath={.metadata.ownerReferences}']);
    assert.equal(rsRefs.code, 0, show(rsRefs));
    assert.equal(rsRefs.stdout, '', 'the ReplicaSet lost its owner reference');
    const podRefs = await k.run(['get', 'pod', 'orphan-pod', '-o', 'jsonpath={.metadata.ownerReferences[0].uid}']);
    assert.equal(podRefs.stdout, replicaSetUid, 'the Pod still belongs to the ReplicaSet');
  });

  test('kubectl delete deployment --cascade=foreground: the Deployment waits with foregroundDeletion until its dependents are gone', async () => {
    await chain(k, 'fg', ['e2e.unyo.dev/hold']);
    const r = await k.run(['delete', 'deployment', 'fg', '--cascade=foreground', '--wait=false']);
    assert.equal(r.code, 0, show(r));
    const held = await waitFor('the held Pod being deleted', async () => (await k.run(['get', 'pod', 'fg-pod', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).stdout, 30_000);
    assert.match(held, /^\d{4}-\d\d-\d\dT/);
    const deployment = await k.run(['get', 'deployment', 'fg', '-o', 'jsonpath={.metadata.deletionTimestamp} {.metadata.finalizers}']);
    assert.equal(deployment.code, 0, show(deployment));
    assert.match(deployment.stdout, /^\d{4}-\d\d-\d\dT\S+ \["foregroundDeletion"\]$/);
    const rs = await k.run(['get', 'replicaset', 'fg-rs', '-o', 'jsonpath={.metadata.finalizers}']);
    assert.equal(rs.stdout, '["foregroundDeletion"]', 'the ReplicaSet is deleted in the foreground too');

    const released = await k.run(['patch', 'pod', 'fg-pod', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    assert.equal(released.code, 0, show(released));
    const wait = await k.run(['wait', '--for=delete', 'deployment/fg', 'replicaset/fg-rs', 'pod/fg-pod', '--timeout=60s']);
    assert.equal(wait.code, 0, show(wait));
    assert.deepEqual((await names(k, 'deployments')).filter((n) => n.endsWith('/fg')), []);
  });

  test('custom resources are collected as dependents and as owners', async () => {
    const group = `${k.id}.gc.unyo.dev`;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `gadgets.${group}` },
      spec: { group, scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    };
    const created = await k.runGlobal(['create', '-f', '-'], crd);
    assert.equal(created.code, 0, show(created));
    const owner = await waitFor('the CRD served', async () => {
      const r = await k.run(['create', '-f', '-'], { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'owner' } });
      return r.code === 0;
    }, 30_000);
    assert.ok(owner);
    const ownerUid = (await k.run(['get', `gadgets.${group}`, 'owner', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const ref = { apiVersion: `${group}/v1`, kind: 'Gadget', name: 'owner', uid: ownerUid };
    assert.equal((await k.run(['create', '-f', '-'], { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'dependent', ownerReferences: [ref] } })).code, 0);
    assert.equal((await k.run(['create', '-f', '-'], { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gadget-owned', ownerReferences: [ref] } })).code, 0);
    await k.run(['create', 'configmap', 'gadget-owner']);
    const cmUid = (await k.run(['get', 'configmap', 'gadget-owner', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    assert.equal((await k.run(['create', '-f', '-'], { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'owned-by-cm', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'gadget-owner', uid: cmUid }] } })).code, 0);

    const del = await k.run(['delete', `gadgets.${group}`, 'owner']);
    assert.equal(del.code, 0, show(del));
    await waitFor('the Gadget dependent collected', async () => !(await names(k, `gadgets.${group}`)).some((n) => n.endsWith('/dependent')), 60_000);
    await waitFor('the ConfigMap dependent collected', async () => !(await names(k, 'configmaps')).includes('configmap/gadget-owned'), 60_000);
    assert.equal((await k.run(['delete', 'configmap', 'gadget-owner'])).code, 0);
    await waitFor('the Gadget owned by the ConfigMap collected', async () => !(await names(k, `gadgets.${group}`)).some((n) => n.endsWith('/owned-by-cm')), 60_000);
    await k.runGlobal(['delete', 'crd', `gadgets.${group}`]);
  });

  test('kubectl delete namespace empties it, shows what it waits for in its conditions, and finishes once the last finalizer goes', async () => {
    const ns = `${k.ns}-doomed`;
    assert.equal((await k.runGlobal(['create', 'namespace', ns])).code, 0);
    assert.equal((await k.runGlobal(['-n', ns, 'create', 'configmap', 'plain', '--from-literal=a=b'])).code, 0);
    assert.equal((await k.runGlobal(['-n', ns, 'create', 'deployment', 'web', '--image=unyo/web:1', '--replicas=0'])).code, 0);
    assert.equal((await k.runGlobal(['-n', ns, 'create', 'secret', 'generic', 's', '--from-literal=k=v'])).code, 0);
    assert.equal((await k.runGlobal(['-n', ns, 'create', '-f', '-'], { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['e2e.unyo.dev/hold'] } })).code, 0);

    const del = await k.runGlobal(['delete', 'namespace', ns, '--wait=false']);
    assert.equal(del.code, 0, show(del));
    assert.equal(del.stdout.trim(), `namespace "${ns}" deleted`);
    const yaml = await waitFor('the namespace conditions', async () => {
      const r = await k.runGlobal(['get', 'namespace', ns, '-o', 'yaml']);
      return /type: NamespaceFinalizersRemaining/.test(r.stdout) && /SomeFinalizersRemain/.test(r.stdout) ? r.stdout : undefined;
    }, 60_000);
    assert.match(yaml, /phase: Terminating/);
    assert.match(yaml, /deletionTimestamp: /);
    assert.match(yaml, /message: 'Some resources are remaining: configmaps\. has 1 resource instances'\n\s+reason: SomeResourcesRemain\n\s+status: "True"\n\s+type: NamespaceContentRemaining/);
    assert.match(yaml, /message: 'Some content in the namespace has finalizers remaining: e2e\.unyo\.dev\/hold\n\s+in 1 resource instances'\n\s+reason: SomeFinalizersRemain\n\s+status: "True"\n\s+type: NamespaceFinalizersRemaining/);
    assert.match(yaml, /message: All resources successfully discovered\n\s+reason: ResourcesDiscovered\n\s+status: "False"\n\s+type: NamespaceDeletionDiscoveryFailure/);
    assert.match(yaml, /reason: ContentDeleted\n\s+status: "False"\n\s+type: NamespaceDeletionContentFailure/);
    assert.deepEqual(await names(k, 'deployments', ns), [], 'the Deployment is gone');
    assert.deepEqual(await names(k, 'configmaps', ns), ['configmap/held']);

    const released = await k.runGlobal(['-n', ns, 'patch', 'configmap', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    assert.equal(released.code, 0, show(released));
    const wait = await k.runGlobal(['wait', '--for=delete', `namespace/${ns}`, '--timeout=90s']);
    assert.equal(wait.code, 0, show(wait));
    const gone = await k.runGlobal(['get', 'namespace', ns]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound/);
  });
});
