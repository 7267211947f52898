// Real kubectl against `unyo up`: the commands that change objects (label, annotate, patch,
// replace, delete, wait), CustomResourceDefinitions and their resources, and errors printed
// the way a real cluster's are. Each binary from kubectlBinaries() runs every scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './harness.js';
import { kubectlSuite, deployment, configMap, list, show } from './kubectl-suite.js';

kubectlSuite('kubectl-edit', (k) => {
  test('label: add, overwrite, select by, remove', async () => {
    const created = await k.run(['create', '-f', '-'], configMap('labelled', k.ns));
    assert.equal(created.code, 0, show(created));
    const add = await k.run(['label', 'configmap', 'labelled', 'env=prod']);
    assert.equal(add.code, 0, show(add));
    assert.equal(add.stdout.trim(), 'configmap/labelled labeled');
    const overwrite = await k.run(['label', 'configmap', 'labelled', 'env=dev', '--overwrite']);
    assert.equal(overwrite.code, 0, show(overwrite));
    const selected = await k.run(['get', 'configmaps', '-l', 'env=dev', '-o', 'name']);
    assert.equal(selected.stdout.trim(), 'configmap/labelled', show(selected));
    const remove = await k.run(['label', 'configmap', 'labelled', 'env-']);
    assert.equal(remove.code, 0, show(remove));
    assert.equal(remove.stdout.trim(), 'configmap/labelled unlabeled');
    const none = await k.run(['get', 'configmaps', '-l', 'env', '-o', 'name']);
    assert.equal(none.stdout, '', show(none));
  });

  test('annotate: add and remove', async () => {
    const created = await k.run(['create', '-f', '-'], configMap('annotated', k.ns));
    assert.equal(created.code, 0, show(created));
    const add = await k.run(['annotate', 'configmap', 'annotated', 'description=hello world']);
    assert.equal(add.code, 0, show(add));
    assert.equal(add.stdout.trim(), 'configmap/annotated annotated');
    const got = await k.run(['get', 'configmap', 'annotated', '-o', 'jsonpath={.metadata.annotations.description}']);
    assert.equal(got.stdout, 'hello world', show(got));
    const remove = await k.run(['annotate', 'configmap', 'annotated', 'description-']);
    assert.equal(remove.code, 0, show(remove));
    const gone = await k.run(['get', 'configmap', 'annotated', '-o', 'jsonpath={.metadata.annotations}']);
    assert.equal(gone.stdout, '', show(gone));
  });

  test('patch: strategic merge, merge and JSON patch', async () => {
    const containers = [
      { name: 'web', image: 'nginx:1.27' },
      { name: 'side', image: 'busybox:1.36' },
    ];
    const created = await k.run(['create', '-f', '-'], deployment('patched', k.ns, { template: { metadata: { labels: { app: 'patched' } }, spec: { containers } } }));
    assert.equal(created.code, 0, show(created));

    // Strategic merge: containers merge by name, so "side" stays.
    const strategic = await k.run(['patch', 'deployment', 'patched', '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } })]);
    assert.equal(strategic.code, 0, show(strategic));
    assert.equal(strategic.stdout.trim(), 'deployment.apps/patched patched');
    const images = await k.run(['get', 'deployment', 'patched', '-o', 'jsonpath={.spec.template.spec.containers[*].name}={.spec.template.spec.containers[*].image}']);
    assert.equal(images.stdout, 'web side=nginx:1.28 busybox:1.36', show(images));

    const merge = await k.run(['patch', 'deployment', 'patched', '--type', 'merge', '-p', JSON.stringify({ spec: { replicas: 5 }, metadata: { labels: { merged: 'yes' } } })]);
    assert.equal(merge.code, 0, show(merge));
    assert.equal(merge.stdout.trim(), 'deployment.apps/patched patched');

    const json = await k.run(['patch', 'deployment', 'patched', '--type', 'json', '-p', JSON.stringify([
      { op: 'replace', path: '/spec/replicas', value: 4 },
      { op: 'add', path: '/metadata/labels/patched', value: 'json' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
    ])]);
    assert.equal(json.code, 0, show(json));
    assert.equal(json.stdout.trim(), 'deployment.apps/patched patched');
    const got = await k.run(['get', 'deployment', 'patched', '-o', 'jsonpath={.spec.replicas} {.metadata.labels.merged} {.metadata.labels.patched} {.spec.template.spec.containers[*].name}']);
    assert.equal(got.stdout, '4 yes json web', show(got));

    const noop = await k.run(['patch', 'deployment', 'patched', '--type', 'merge', '-p', JSON.stringify({ spec: { replicas: 4 } })]);
    assert.equal(noop.code, 0, show(noop));
    assert.equal(noop.stdout.trim(), 'deployment.apps/patched patched (no change)');

    const bad = await k.run(['patch', 'deployment', 'patched', '--type', 'json', '-p', JSON.stringify([{ op: 'test', path: '/spec/replicas', value: 99 }])]);
    assert.notEqual(bad.code, 0, show(bad));
    assert.match(bad.stderr, /Error from server/);
  });

  test('replace, and a stale replace is a Conflict', async () => {
    const created = await k.run(['create', '-f', '-'], configMap('replaced', k.ns, { key: 'one' }));
    assert.equal(created.code, 0, show(created));
    const fetched = await k.run(['get', 'configmap', 'replaced', '-o', 'json']);
    assert.equal(fetched.code, 0, show(fetched));
    const original = JSON.parse(fetched.stdout);

    const replaced = await k.run(['replace', '-f', '-'], { ...original, data: { key: 'two' } });
    assert.equal(replaced.code, 0, show(replaced));
    assert.equal(replaced.stdout.trim(), 'configmap/replaced replaced');

    // The first copy still carries the old resourceVersion.
    const stale = await k.run(['replace', '-f', '-'], { ...original, data: { key: 'three' } });
    assert.equal(stale.code, 1, show(stale));
    assert.match(
      stale.stderr,
      /^Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "replaced": the object has been modified; please apply your changes to the latest version and try again$/m,
    );
    const got = await k.run(['get', 'configmap', 'replaced', '-o', 'jsonpath={.data.key}']);
    assert.equal(got.stdout, 'two', show(got));
  });

  test('delete by name, by label selector and --all', async () => {
    const ns = `${k.ns}-delete`;
    const nsCreated = await k.runGlobal(['create', '-f', '-'], { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    assert.equal(nsCreated.code, 0, show(nsCreated));
    const objects = list(
      configMap('one', ns),
      configMap('two', ns, {}, { labels: { group: 'g' } }),
      configMap('three', ns, {}, { labels: { group: 'g' } }),
      configMap('four', ns),
      configMap('five', ns),
    );
    const created = await k.runGlobal(['create', '-f', '-'], objects);
    assert.equal(created.code, 0, show(created));

    const byName = await k.runGlobal(['-n', ns, 'delete', 'configmap', 'one']);
    assert.equal(byName.code, 0, show(byName));
    assert.equal(byName.stdout.trim(), 'configmap "one" deleted');
    const byLabel = await k.runGlobal(['-n', ns, 'delete', 'configmaps', '-l', 'group=g']);
    assert.equal(byLabel.code, 0, show(byLabel));
    assert.deepEqual(byLabel.stdout.trim().split('\n').sort(), ['configmap "three" deleted', 'configmap "two" deleted']);
    const left = await k.runGlobal(['-n', ns, 'get', 'configmaps', '-o', 'name']);
    assert.deepEqual(left.stdout.trim().split('\n').sort(), ['configmap/five', 'configmap/four'], show(left));
    const all = await k.runGlobal(['-n', ns, 'delete', 'configmaps', '--all']);
    assert.equal(all.code, 0, show(all));
    assert.deepEqual(all.stdout.trim().split('\n').sort(), ['configmap "five" deleted', 'configmap "four" deleted']);
    const none = await k.runGlobal(['-n', ns, 'get', 'configmaps']);
    assert.equal(none.code, 0, show(none));
    assert.equal(none.stdout, '');
    assert.equal(none.stderr.trim(), `No resources found in ${ns} namespace.`);
    const missing = await k.runGlobal(['-n', ns, 'delete', 'configmap', 'one']);
    assert.equal(missing.code, 1, show(missing));
    assert.equal(missing.stderr.trim(), 'Error from server (NotFound): configmaps "one" not found');
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

  test('CustomResourceDefinition, custom resources with printer columns, schema violations', async () => {
    const group = `${k.id}.e2e.unyo.dev`;
    const crdName = `crontabs.${group}`;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crdName },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    required: ['cronSpec'],
                    properties: {
                      cronSpec: { type: 'string' },
                      image: { type: 'string' },
                      replicas: { type: 'integer', minimum: 1, maximum: 10 },
                    },
                  },
                },
              },
            },
            additionalPrinterColumns: [
              { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
              { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
              { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
            ],
          },
        ],
      },
    };
    const createdCrd = await k.runGlobal(['create', '-f', '-'], crd);
    assert.equal(createdCrd.code, 0, show(createdCrd));
    assert.equal(createdCrd.stdout.trim(), `customresourcedefinition.apiextensions.k8s.io/${crdName} created`);
    const established = await k.runGlobal(['wait', '--for=condition=Established', `crd/${crdName}`, '--timeout=30s']);
    assert.equal(established.code, 0, show(established));

    const cronTab = (name: string, spec: Record<string, unknown>) => ({ apiVersion: `${group}/v1`, kind: 'CronTab', metadata: { name, namespace: k.ns }, spec });
    const created = await k.run(['create', '-f', '-'], list(cronTab('nightly', { cronSpec: '0 3 * * *', image: 'backup:1', replicas: 3 }), cronTab('hourly', { cronSpec: '0 * * * *' })));
    assert.equal(created.code, 0, show(created));
    assert.deepEqual(created.stdout.trim().split('\n'), [`crontab.${group}/nightly created`, `crontab.${group}/hourly created`]);

    const table = await k.run(['get', `crontabs.${group}`]);
    assert.equal(table.code, 0, show(table));
    const rows = table.stdout.trim().split('\n');
    assert.match(rows[0], /^NAME\s+SPEC\s+REPLICAS\s+AGE$/);
    assert.match(table.stdout, /^hourly\s+0 \* \* \* \*\s+\d+s$/m);
    assert.match(table.stdout, /^nightly\s+0 3 \* \* \*\s+3\s+\d+s$/m);

    const tooMany = await k.run(['create', '-f', '-'], cronTab('too-many', { cronSpec: '* * * * *', replicas: 20 }));
    assert.equal(tooMany.code, 1, show(tooMany));
    assert.match(tooMany.stderr, /The CronTab "too-many" is invalid: spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/);

    const wrongType = await k.run(['create', '-f', '-'], cronTab('wrong-type', { cronSpec: 5 }));
    assert.equal(wrongType.code, 1, show(wrongType));
    assert.match(wrongType.stderr, /The CronTab "wrong-type" is invalid: spec\.cronSpec: Invalid value: "integer": spec\.cronSpec in body must be of type string: "integer"/);

    const unknownField = await k.run(['create', '-f', '-'], cronTab('unknown-field', { cronSpec: '* * * * *', bogus: true }));
    assert.equal(unknownField.code, 1, show(unknownField));
    assert.match(unknownField.stderr, /Error from server \(BadRequest\): error when creating "STDIN": CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec\.bogus"/);

    const none = await k.run(['get', `crontabs.${group}`, '-o', 'name']);
    assert.deepEqual(none.stdout.trim().split('\n').sort(), [`crontab.${group}/hourly`, `crontab.${group}/nightly`], show(none));
  });

  test('errors read like a real cluster: NotFound, AlreadyExists, Invalid', async () => {
    const notFound = await k.run(['get', 'deployment', 'nope']);
    assert.equal(notFound.code, 1, show(notFound));
    assert.equal(notFound.stderr.trim(), 'Error from server (NotFound): deployments.apps "nope" not found');

    const first = await k.run(['create', '-f', '-'], configMap('dup', k.ns));
    assert.equal(first.code, 0, show(first));
    const second = await k.run(['create', '-f', '-'], configMap('dup', k.ns));
    assert.equal(second.code, 1, show(second));
    assert.equal(second.stderr.trim(), 'Error from server (AlreadyExists): error when creating "STDIN": configmaps "dup" already exists');

    const mismatch = deployment('mismatch', k.ns);
    mismatch.spec.template.metadata.labels = { app: 'other' };
    const invalidSelector = await k.run(['create', '-f', '-'], mismatch);
    assert.equal(invalidSelector.code, 1, show(invalidSelector));
    assert.match(invalidSelector.stderr, /^The Deployment "mismatch" is invalid: spec\.template\.metadata\.labels: Invalid value: (map\[string\]string)?\{"app":"other"\}: `selector` does not match template `labels`/m);

    const negative = await k.run(['create', '-f', '-'], deployment('negative', k.ns, { replicas: -1 }));
    assert.equal(negative.code, 1, show(negative));
    assert.match(negative.stderr, /^The Deployment "negative" is invalid: spec\.replicas: Invalid value: -1: must be greater than or equal to 0/m);

    const neither = await k.run(['get', 'deployments', 'mismatch', 'negative', '-o', 'name']);
    assert.equal(neither.code, 1, show(neither));
    assert.match(neither.stderr, /deployments\.apps "mismatch" not found/);
  });
});
