// Real kubectl against `unyo up`: the output formats of get, chunked lists, watch, describe,
// CustomResourceDefinitions with printer columns, and errors printed the way a real cluster's
// are. Each binary from kubectlBinaries() runs every scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { waitFor } from './harness.js';
import { kubectlSuite, deployment, configMap, list, show } from './kubectl-suite.js';

kubectlSuite('kubectl-get', (k) => {
  test('get -o yaml, json, wide, jsonpath, custom-columns and --chunk-size over five objects', async () => {
    const names = [0, 1, 2, 3, 4].map((i) => `five-${i}`);
    const created = await k.run(['create', '-f', '-'], list(...names.map((name, i) => configMap(name, k.ns, { n: String(i) }, { labels: { set: 'five' } }))));
    assert.equal(created.code, 0, show(created));
    assert.equal(created.stdout.trim().split('\n').length, 5, show(created));

    const yaml = await k.run(['get', 'configmaps', '-l', 'set=five', '-o', 'yaml']);
    assert.equal(yaml.code, 0, show(yaml));
    const fromYaml = parseYaml(yaml.stdout);
    assert.equal(fromYaml.kind, 'List');
    assert.deepEqual(fromYaml.items.map((o: any) => o.metadata.name), names);
    assert.deepEqual(fromYaml.items.map((o: any) => o.kind), names.map(() => 'ConfigMap'));

    const json = await k.run(['get', 'configmaps', '-l', 'set=five', '-o', 'json']);
    assert.equal(json.code, 0, show(json));
    const fromJson = JSON.parse(json.stdout);
    assert.deepEqual(fromJson.items.map((o: any) => `${o.metadata.name}=${o.data.n}`), names.map((n, i) => `${n}=${i}`));

    const wide = await k.run(['get', 'configmaps', '-l', 'set=five', '-o', 'wide']);
    assert.equal(wide.code, 0, show(wide));
    const lines = wide.stdout.trim().split('\n');
    assert.match(lines[0], /^NAME\s+DATA\s+AGE$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' ')), names.map((n) => `${n} 1`));

    const jsonpath = await k.run(['get', 'configmaps', '-l', 'set=five', '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(jsonpath.stdout, names.join(' '), show(jsonpath));

    const columns = await k.run(['get', 'configmaps', '-l', 'set=five', '-o', 'custom-columns=NAME:.metadata.name,N:.data.n,SET:.metadata.labels.set']);
    assert.equal(columns.code, 0, show(columns));
    assert.deepEqual(
      columns.stdout.trim().split('\n').map((l) => l.split(/\s+/).join(' ')),
      ['NAME N SET', ...names.map((n, i) => `${n} ${i} five`)],
    );

    const chunked = await k.run(['get', 'configmaps', '-l', 'set=five', '--chunk-size=2', '-o', 'name', '-v=6']);
    assert.equal(chunked.code, 0, show(chunked));
    assert.deepEqual(chunked.stdout.trim().split('\n'), names.map((n) => `configmap/${n}`));
    // Three pages: the requests carried limit=2, and the later ones a continue token.
    assert.match(chunked.stderr, /configmaps\?[^"\s]*limit=2/);
    assert.equal(chunked.stderr.match(/configmaps\?[^"\s]*continue=/g)?.length, 2, chunked.stderr);
  });

  test('get -w prints a line for an object created while it watches', async () => {
    const watch = k.spawn(['get', 'configmaps', '-l', 'set=watched', '-w', '-v=6']);
    try {
      await waitFor('kubectl get -w to open its watch', () => /watch=true/.test(watch.stderr()));
      const created = await k.run(['create', '-f', '-'], configMap('watched-1', k.ns, { a: '1', b: '2' }, { labels: { set: 'watched' } }));
      assert.equal(created.code, 0, show(created));
      await waitFor('the new object in the watch output', () => /^watched-1\s+2\s+\S+$/m.test(watch.stdout()));
      const labelled = await k.run(['label', 'configmap', 'watched-1', 'seen=yes']);
      assert.equal(labelled.code, 0, show(labelled));
      await waitFor('the modified object in the watch output', () => (watch.stdout().match(/^watched-1\s/gm)?.length ?? 0) >= 2);
    } finally {
      watch.kill();
      await watch.exited;
    }
  });

  test('describe shows metadata, data and events', async () => {
    const created = await k.run(['create', '-f', '-'], configMap('described', k.ns, { key: 'value' }, { labels: { team: 'a' }, annotations: { purpose: 'e2e' } }));
    assert.equal(created.code, 0, show(created));
    const r = await k.run(['describe', 'configmap', 'described']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Name:\s+described$/m);
    assert.match(r.stdout, new RegExp(`^Namespace:\\s+${k.ns}$`, 'm'));
    assert.match(r.stdout, /^Labels:\s+team=a$/m);
    assert.match(r.stdout, /^Annotations:\s+purpose: e2e$/m);
    assert.match(r.stdout, /^key:\n----\nvalue$/m);
    assert.match(r.stdout, /^Events:\s+<none>$/m);

    const deploy = await k.run(['create', '-f', '-'], deployment('described', k.ns));
    assert.equal(deploy.code, 0, show(deploy));
    const d = await k.run(['describe', 'deployment', 'described']);
    assert.equal(d.code, 0, show(d));
    assert.match(d.stdout, /^Name:\s+described$/m);
    assert.match(d.stdout, /^Selector:\s+app=described$/m);
    assert.match(d.stdout, /^Replicas:\s+2 desired/m);
    assert.match(d.stdout, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(d.stdout, /^\s+Image:\s+nginx:1\.27$/m);
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

    const unknown = deployment('unknown-field', k.ns);
    unknown.spec.bogus = true;
    const strict = await k.run(['create', '-f', '-'], unknown);
    assert.equal(strict.code, 1, show(strict));
    assert.equal(strict.stderr.trim(), 'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.bogus"');

    const neither = await k.run(['get', 'deployments', 'mismatch', 'negative', 'unknown-field', '-o', 'name']);
    assert.equal(neither.code, 1, show(neither));
    assert.match(neither.stderr, /deployments\.apps "mismatch" not found/);
    assert.match(neither.stderr, /deployments\.apps "unknown-field" not found/);
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
});
