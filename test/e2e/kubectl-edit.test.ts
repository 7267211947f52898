// Real kubectl against `unyo up`: the commands that change objects — label, annotate, the three
// patch types, replace (and a stale replace), delete by name, selector and --all. Each binary
// from kubectlBinaries() runs every scenario.
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
    // Paused, so the deployment controller rolls nothing out and only records what it observed.
    const created = await k.run(['create', '-f', '-'], deployment('patched', k.ns, { paused: true, template: { metadata: { labels: { app: 'patched' } }, spec: { containers } } }));
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

    await waitFor('the controller to observe the last patch', async () => {
      const r = await k.run(['get', 'deployment', 'patched', '-o', 'jsonpath={.metadata.generation}={.status.observedGeneration}']);
      const [generation, observed] = r.stdout.split('=');
      return generation !== '' && generation === observed;
    }, 30_000, 200);
    const noop = await k.run(['patch', 'deployment', 'patched', '--type', 'merge', '-p', JSON.stringify({ spec: { replicas: 4 } })]);
    assert.equal(noop.code, 0, show(noop));
    assert.equal(noop.stdout.trim(), 'deployment.apps/patched patched (no change)');

    const bad = await k.run(['patch', 'deployment', 'patched', '--type', 'json', '-p', JSON.stringify([{ op: 'test', path: '/spec/replicas', value: 99 }])]);
    assert.notEqual(bad.code, 0, show(bad));
    assert.match(bad.stderr, /invalid|Error from server/i);
    const unchanged = await k.run(['get', 'deployment', 'patched', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(unchanged.stdout, '4', show(unchanged));
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
    // A real cluster publishes kube-root-ca.crt into every namespace: not ours to count.
    const ours = (lines: string) => lines.trim().split('\n').filter((l) => l && !l.includes('kube-root-ca.crt')).sort();
    const left = await k.runGlobal(['-n', ns, 'get', 'configmaps', '-o', 'name']);
    assert.deepEqual(ours(left.stdout), ['configmap/five', 'configmap/four'], show(left));
    const all = await k.runGlobal(['-n', ns, 'delete', 'configmaps', '--all']);
    assert.equal(all.code, 0, show(all));
    assert.deepEqual(ours(all.stdout), ['configmap "five" deleted', 'configmap "four" deleted']);
    const none = await k.runGlobal(['-n', ns, 'get', 'configmaps', '-o', 'name']);
    assert.equal(none.code, 0, show(none));
    assert.deepEqual(ours(none.stdout), []);
    const noneLabelled = await k.runGlobal(['-n', ns, 'get', 'configmaps', '-l', 'group']);
    assert.equal(noneLabelled.code, 0, show(noneLabelled));
    assert.equal(noneLabelled.stdout, '');
    assert.equal(noneLabelled.stderr.trim(), `No resources found in ${ns} namespace.`);
    const missing = await k.runGlobal(['-n', ns, 'delete', 'configmap', 'one']);
    assert.equal(missing.code, 1, show(missing));
    assert.equal(missing.stderr.trim(), 'Error from server (NotFound): configmaps "one" not found');
  });
});
