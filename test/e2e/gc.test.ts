// Garbage collection and namespace deletion with the real kubectl against `unyo up`: the three
// `kubectl delete --cascade` modes on a Deployment whose ReplicaSet and Pods the workload
// controllers create (with --nodes 0 the Pods stay Pending), custom resources as owners and
// dependents, and `kubectl delete namespace` with an object held by a finalizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './harness.js';
import { kubectlSuite, show, type Kubectl } from './kubectl-suite.js';

interface Chain {
  replicaSet: string;
  replicaSetUid: string;
  pods: string[];
}

/** `kubectl create deployment name --replicas=2`, once its ReplicaSet and both Pods exist. */
async function chain(k: Kubectl, name: string): Promise<Chain> {
  const created = await k.run(['create', 'deployment', name, '--image=unyo/web:1', '--replicas=2']);
  assert.equal(created.code, 0, show(created));
  return waitFor(`the ReplicaSet and Pods of ${name}`, async () => {
    const rs = await k.run(['get', 'replicasets', '-l', `app=${name}`, '-o', 'jsonpath={.items[*].metadata.name} {.items[*].metadata.uid}']);
    const pods = await k.run(['get', 'pods', '-l', `app=${name}`, '-o', 'jsonpath={.items[*].metadata.name}']);
    const [replicaSet, replicaSetUid] = rs.stdout.trim().split(' ');
    const podNames = pods.stdout.trim().split(' ').filter(Boolean);
    return replicaSet && replicaSetUid && podNames.length === 2 ? { replicaSet, replicaSetUid, pods: podNames } : undefined;
  }, 60_000);
}

/** The names of the objects of `kind` in the binary's namespace (kubectl get -o name). */
async function names(k: Kubectl, kind: string, ns?: string): Promise<string[]> {
  const r = await k.run([...(ns ? ['-n', ns] : []), 'get', kind, '-o', 'name']);
  assert.equal(r.code, 0, show(r));
  return r.stdout.split('\n').filter(Boolean);
}

kubectlSuite('garbage collection', (k) => {
  test('kubectl delete deployment (background) removes its ReplicaSets and Pods', async () => {
    const { replicaSet, pods } = await chain(k, 'bg');
    const r = await k.run(['delete', 'deployment', 'bg']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), 'deployment.apps "bg" deleted');
    await waitFor('the ReplicaSet collected', async () => !(await names(k, 'replicasets')).includes(`replicaset.apps/${replicaSet}`), 60_000);
    await waitFor('the Pods collected', async () => !(await names(k, 'pods')).some((p) => pods.includes(p.slice('pod/'.length))), 60_000);
  });

  test('kubectl delete deployment --cascade=orphan keeps the ReplicaSet and Pods, without references to the Deployment', async () => {
    const { replicaSet, replicaSetUid, pods } = await chain(k, 'orphan');
    const r = await k.run(['delete', 'deployment', 'orphan', '--cascade=orphan']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), 'deployment.apps "orphan" deleted');
    assert.ok(!(await names(k, 'deployments')).includes('deployment.apps/orphan'), 'kubectl waited for the Deployment to go');
    const rsRefs = await k.run(['get', 'replicaset', replicaSet, '-o', 'jsonpath={.metadata.ownerReferences}']);
    assert.equal(rsRefs.code, 0, show(rsRefs));
    assert.equal(rsRefs.stdout, '', 'the ReplicaSet lost its owner reference');
    for (const pod of pods) {
      const podRefs = await k.run(['get', 'pod', pod, '-o', 'jsonpath={.metadata.ownerReferences[0].uid}']);
      assert.equal(podRefs.stdout, replicaSetUid, `${pod} still belongs to the ReplicaSet`);
    }
  });

  test('kubectl delete deployment --cascade=foreground: the Deployment waits with foregroundDeletion until its dependents are gone', async () => {
    const { replicaSet, pods } = await chain(k, 'fg');
    // One Pod is held by a finalizer, so the waiting can be seen.
    const held = await k.run(['patch', 'pod', pods[0], '--type=merge', '-p', '{"metadata":{"finalizers":["e2e.unyo.dev/hold"]}}']);
    assert.equal(held.code, 0, show(held));
    const r = await k.run(['delete', 'deployment', 'fg', '--cascade=foreground', '--wait=false']);
    assert.equal(r.code, 0, show(r));
    await waitFor('the held Pod being deleted', async () => (await k.run(['get', 'pod', pods[0], '-o', 'jsonpath={.metadata.deletionTimestamp}'])).stdout, 60_000);
    await waitFor('the other Pod collected', async () => !(await names(k, 'pods')).includes(`pod/${pods[1]}`), 60_000);
    const deployment = await k.run(['get', 'deployment', 'fg', '-o', 'jsonpath={.metadata.deletionTimestamp} {.metadata.finalizers}']);
    assert.equal(deployment.code, 0, show(deployment));
    assert.match(deployment.stdout, /^\d{4}-\d\d-\d\dT\S+ \["foregroundDeletion"\]$/);
    const rs = await k.run(['get', 'replicaset', replicaSet, '-o', 'jsonpath={.metadata.finalizers}']);
    assert.equal(rs.stdout, '["foregroundDeletion"]', 'the ReplicaSet is deleted in the foreground too');

    const released = await k.run(['patch', 'pod', pods[0], '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    assert.equal(released.code, 0, show(released));
    const wait = await k.run(['wait', '--for=delete', 'deployment/fg', `replicaset/${replicaSet}`, `pod/${pods[0]}`, '--timeout=90s']);
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
