// Real kubectl against `unyo up`: discovery, explain, the create generators, apply (client- and
// server-side), diff, wait and server-side dry run. Each binary from kubectlBinaries() runs
// every scenario; kubectl-get.test.ts and kubectl-edit.test.ts cover reading and changing objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './harness.js';
import { kubectlSuite, deployment, configMap, show } from './kubectl-suite.js';

kubectlSuite('kubectl', (k) => {
  test('version prints the client and the server version', async () => {
    const r = await k.runGlobal(['version']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Client Version: v1\.\d+\.\d+/m);
    assert.match(r.stdout, /^Server Version: v1\.\d+\.\d+/m);
  });

  test('api-resources lists built-in kinds with their short names', async () => {
    const r = await k.runGlobal(['api-resources']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/m);
    assert.match(r.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(r.stdout, /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
    assert.match(r.stdout, /^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false\s+CustomResourceDefinition$/m);
    assert.match(r.stdout, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    assert.match(r.stdout, /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m);
  });

  test('api-versions lists the served group versions', async () => {
    const r = await k.runGlobal(['api-versions']);
    assert.equal(r.code, 0, show(r));
    const versions = r.stdout.trim().split('\n');
    for (const v of ['v1', 'apps/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'apiextensions.k8s.io/v1', 'coordination.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1']) {
      assert.ok(versions.includes(v), `${v} in ${JSON.stringify(versions)}`);
    }
  });

  test('explain describes a nested field from the OpenAPI schema', async () => {
    const r = await k.runGlobal(['explain', 'deployment.spec.strategy']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /KIND:\s+Deployment/);
    assert.match(r.stdout, /rollingUpdate/);
    assert.match(r.stdout, /type\b/);
  });

  test('create namespace', async () => {
    const name = `created-${k.id}`;
    const r = await k.runGlobal(['create', 'namespace', name]);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), `namespace/${name} created`);
    const phase = await k.runGlobal(['get', 'namespace', name, '-o', 'jsonpath={.status.phase}']);
    assert.equal(phase.stdout, 'Active', show(phase));
  });

  test('create configmap --from-literal', async () => {
    const r = await k.run(['create', 'configmap', 'literal', '--from-literal=greeting=hello', '--from-literal=count=3']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), 'configmap/literal created');
    const got = await k.run(['get', 'configmap', 'literal', '-o', 'jsonpath={.data.greeting} {.data.count}']);
    assert.equal(got.stdout, 'hello 3', show(got));
  });

  test('create secret generic --from-literal', async () => {
    const r = await k.run(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), 'secret/creds created');
    const got = await k.run(['get', 'secret', 'creds', '-o', 'jsonpath={.type} {.data.password}']);
    assert.equal(got.stdout, `Opaque ${Buffer.from('s3cret').toString('base64')}`, show(got));
  });

  test('apply creates, then updates a changed field and prunes a removed one', async () => {
    const first = deployment('applied', k.ns, {}, { labels: { app: 'applied', tier: 'frontend' }, annotations: { note: 'first' } });
    const created = await k.run(['apply', '-f', '-'], first);
    assert.equal(created.code, 0, show(created));
    assert.equal(created.stdout.trim(), 'deployment.apps/applied created');

    const second = deployment('applied', k.ns, { replicas: 3 }, { labels: { app: 'applied' } });
    const configured = await k.run(['apply', '-f', '-'], second);
    assert.equal(configured.code, 0, show(configured));
    assert.equal(configured.stdout.trim(), 'deployment.apps/applied configured');
    const got = await k.run(['get', 'deployment', 'applied', '-o', 'jsonpath={.spec.replicas}|{.metadata.labels.tier}|{.metadata.annotations.note}|{.metadata.labels.app}']);
    assert.equal(got.stdout, '3|||applied', show(got));

    const unchanged = await k.run(['apply', '-f', '-'], second);
    assert.equal(unchanged.code, 0, show(unchanged));
    assert.equal(unchanged.stdout.trim(), 'deployment.apps/applied unchanged');

    const wide = await k.run(['get', 'deployment', 'applied', '-o', 'wide']);
    assert.equal(wide.code, 0, show(wide));
    assert.match(wide.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m);
    // No node runs the Pods, so how many are ready or up to date is not this test's business.
    assert.match(wide.stdout, /^applied\s+\d+\/3\s+\d+\s+\d+\s+\S+\s+web\s+nginx:1\.27\s+app=applied$/m);
  });

  test('apply --server-side: a conflict between managers, then --force-conflicts', async () => {
    const alice = await k.run(['apply', '--server-side', '--field-manager=alice', '-f', '-'], configMap('ssa', k.ns, { key: 'a', other: 'x' }));
    assert.equal(alice.code, 0, show(alice));
    assert.equal(alice.stdout.trim(), 'configmap/ssa serverside-applied');

    const bob = configMap('ssa', k.ns, { key: 'b' });
    const conflict = await k.run(['apply', '--server-side', '--field-manager=bob', '-f', '-'], bob);
    assert.notEqual(conflict.code, 0, show(conflict));
    assert.match(conflict.stderr, /conflict/i);
    assert.match(conflict.stderr, /conflict with "alice"/);
    assert.match(conflict.stderr, /\.data\.key/);

    const forced = await k.run(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', '-'], bob);
    assert.equal(forced.code, 0, show(forced));
    assert.equal(forced.stdout.trim(), 'configmap/ssa serverside-applied');
    const got = await k.run(['get', 'configmap', 'ssa', '-o', 'jsonpath={.data.key} {.data.other} {.metadata.managedFields[*].manager}']);
    // alice keeps .data.other, bob now owns .data.key.
    assert.equal(got.stdout, 'b x alice bob', show(got));
  });

  test('diff exits 1 and shows a change, 0 when there is none', async () => {
    const applied = await k.run(['apply', '-f', '-'], configMap('diffed', k.ns, { key: 'a' }));
    assert.equal(applied.code, 0, show(applied));
    const same = await k.run(['diff', '-f', '-'], configMap('diffed', k.ns, { key: 'a' }));
    assert.equal(same.code, 0, show(same));
    assert.equal(same.stdout, '');
    const changed = await k.run(['diff', '-f', '-'], configMap('diffed', k.ns, { key: 'b' }));
    assert.equal(changed.code, 1, show(changed));
    assert.match(changed.stdout, /^-\s+key: a$/m);
    assert.match(changed.stdout, /^\+\s+key: b$/m);
    assert.doesNotMatch(changed.stdout, /^[-+]\s+(resourceVersion|generation|managedFields|creationTimestamp)/m);
  });

  test('wait --for=delete returns once a finalizer is removed', async () => {
    const created = await k.run(['create', '-f', '-'], configMap('held', k.ns, {}, { finalizers: ['e2e.unyo.dev/hold'] }));
    assert.equal(created.code, 0, show(created));
    const deleted = await k.run(['delete', 'configmap', 'held', '--wait=false']);
    assert.equal(deleted.code, 0, show(deleted));
    assert.equal(deleted.stdout.trim(), 'configmap "held" deleted');
    const terminating = await k.run(['get', 'configmap', 'held', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    assert.equal(terminating.code, 0, show(terminating));
    assert.match(terminating.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'the object waits for its finalizer, marked for deletion');

    const wait = k.spawn(['wait', '--for=delete', 'configmap/held', '--timeout=60s', '-v=6']);
    try {
      await waitFor('kubectl wait to open its watch', () => /watch=true/.test(wait.stderr()) || wait.stdout() !== '');
      const released = await k.run(['patch', 'configmap', 'held', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
      assert.equal(released.code, 0, show(released));
      const result = await wait.exited;
      assert.equal(result.code, 0, show(result));
      assert.equal(result.stdout.trim(), 'configmap/held condition met');
    } finally {
      wait.kill();
    }
  });

  test('--dry-run=server validates and answers but stores nothing', async () => {
    const create = await k.run(['create', '--dry-run=server', '-f', '-'], configMap('dry', k.ns, { key: 'a' }));
    assert.equal(create.code, 0, show(create));
    assert.equal(create.stdout.trim(), 'configmap/dry created (server dry run)');
    const missing = await k.run(['get', 'configmap', 'dry']);
    assert.equal(missing.code, 1, show(missing));
    assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "dry" not found/);

    const invalid = await k.run(['create', '--dry-run=server', '-f', '-'], deployment('dry', k.ns, { replicas: -1 }));
    assert.equal(invalid.code, 1, show(invalid));
    assert.match(invalid.stderr, /The Deployment "dry" is invalid/);

    const kept = await k.run(['create', '-f', '-'], configMap('kept', k.ns, { key: 'a' }));
    assert.equal(kept.code, 0, show(kept));
    const applyDry = await k.run(['apply', '--dry-run=server', '-f', '-'], configMap('kept', k.ns, { key: 'b' }));
    assert.equal(applyDry.code, 0, show(applyDry));
    assert.equal(applyDry.stdout.trim(), 'configmap/kept configured (server dry run)');
    const deleteDry = await k.run(['delete', '--dry-run=server', 'configmap', 'kept']);
    assert.equal(deleteDry.code, 0, show(deleteDry));
    assert.equal(deleteDry.stdout.trim(), 'configmap "kept" deleted (server dry run)');
    const still = await k.run(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.key}']);
    assert.equal(still.stdout, 'a', show(still));
  });
});
