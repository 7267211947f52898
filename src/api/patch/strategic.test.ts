import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatch, PatchError } from './index.js';

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a.example.com/f'] },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.26',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
            },
            { name: 'sidecar', image: 'busybox:1.36', args: ['sleep', 'inf'] },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}

interface Case {
  name: string;
  patch: unknown;
  /** Check the patched Deployment. */
  want: (d: any) => void;
}

const cases: Case[] = [
  {
    // kubectl 1.32 `kubectl apply` after the manifest changed the image and dropped replicas
    // and the container's ports: a three-way patch with the order of the containers.
    name: 'kubectl apply update',
    patch: {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"apps/v1"}\n' } },
      spec: {
        replicas: null,
        template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.27', name: 'web', ports: null }] } },
      },
    },
    want: (d) => {
      assert.equal(d.spec.replicas, undefined);
      assert.deepEqual(d.metadata.annotations, { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"apps/v1"}\n' });
      assert.deepEqual(d.spec.template.spec.containers, [
        { name: 'web', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
        { name: 'sidecar', image: 'busybox:1.36', args: ['sleep', 'inf'] },
      ]);
    },
  },
  {
    // kubectl apply after the manifest swapped the containers, added one and dropped env B.
    name: 'kubectl apply reorder, add and delete with $setElementOrder',
    patch: {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'init' }, { name: 'web' }],
            containers: [
              { name: 'init', image: 'alpine' },
              { '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], name: 'web' },
            ],
          },
        },
      },
    },
    want: (d) => {
      assert.deepEqual(
        d.spec.template.spec.containers.map((c: any) => c.name),
        ['sidecar', 'init', 'web'],
      );
      assert.deepEqual(d.spec.template.spec.containers[2].env, [{ name: 'A', value: '1' }]);
    },
  },
  {
    // kubectl patch --type strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}'
    name: 'kubectl patch a container by name',
    patch: { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:1.37' }] } } } },
    want: (d) => {
      const [web, sidecar] = d.spec.template.spec.containers;
      assert.equal(web.image, 'nginx:1.26');
      assert.deepEqual(sidecar, { name: 'sidecar', image: 'busybox:1.37', args: ['sleep', 'inf'] });
    },
  },
  {
    name: 'a new merge-list item without an order goes first, as upstream',
    patch: { spec: { template: { spec: { containers: [{ name: 'debug', image: 'busybox' }] } } } },
    want: (d) => assert.deepEqual(d.spec.template.spec.containers.map((c: any) => c.name), ['debug', 'web', 'sidecar']),
  },
  {
    name: '$patch: delete removes a container',
    patch: { spec: { template: { spec: { containers: [{ $patch: 'delete', name: 'sidecar' }] } } } },
    want: (d) => assert.deepEqual(d.spec.template.spec.containers.map((c: any) => c.name), ['web']),
  },
  {
    name: '$patch: replace in a list replaces the list',
    patch: { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } },
    want: (d) => assert.deepEqual(d.spec.template.spec.containers, [{ name: 'only', image: 'x' }]),
  },
  {
    name: '$patch: replace on a map replaces the map',
    patch: { metadata: { labels: { $patch: 'replace', tier: 'front' } } },
    want: (d) => assert.deepEqual(d.metadata.labels, { tier: 'front' }),
  },
  {
    name: '$patch: delete on a map empties it',
    patch: { spec: { template: { metadata: { labels: { $patch: 'delete' } } } } },
    want: (d) => assert.deepEqual(d.spec.template.metadata.labels, {}),
  },
  {
    // kubectl apply after the manifest switched the strategy from RollingUpdate to Recreate.
    name: '$retainKeys switches the Deployment strategy',
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
    want: (d) => assert.deepEqual(d.spec.strategy, { type: 'Recreate' }),
  },
  {
    name: '$retainKeys clears fields the patch does not mention',
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: (d) => assert.deepEqual(d.spec.strategy, { type: 'Recreate' }),
  },
  {
    // A volume switching source: volumes merge by name and retain keys.
    name: '$retainKeys inside a merge-list item',
    patch: { spec: { template: { spec: { volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' }, emptyDir: null, name: 'data' }] } } } },
    want: (d) => assert.deepEqual(d.spec.template.spec.volumes, [{ name: 'data', configMap: { name: 'cm' } }]),
  },
  {
    name: 'env merges by name',
    patch: { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }] } } } },
    want: (d) => assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]),
  },
  {
    name: 'ports merge by containerPort',
    patch: { spec: { template: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 443, protocol: 'TCP' }] }] } } } },
    want: (d) => assert.deepEqual(d.spec.template.spec.containers[0].ports.map((p: any) => p.containerPort), [443, 80]),
  },
  {
    name: 'a list without merge strategy is replaced (tolerations, args)',
    patch: { spec: { template: { spec: { tolerations: [{ key: 'other', operator: 'Exists' }], containers: [{ name: 'sidecar', args: ['true'] }] } } } },
    want: (d) => {
      assert.deepEqual(d.spec.template.spec.tolerations, [{ key: 'other', operator: 'Exists' }]);
      assert.deepEqual(d.spec.template.spec.containers[1].args, ['true']);
    },
  },
  {
    name: 'a merge list of scalars is a union (finalizers)',
    patch: { metadata: { finalizers: ['b.example.com/f', 'a.example.com/f'] } },
    want: (d) => assert.deepEqual(d.metadata.finalizers, ['b.example.com/f', 'a.example.com/f']),
  },
  {
    name: '$deleteFromPrimitiveList removes scalars',
    patch: { metadata: { '$setElementOrder/finalizers': ['c.example.com/f'], '$deleteFromPrimitiveList/finalizers': ['a.example.com/f'], finalizers: ['c.example.com/f'] } },
    want: (d) => assert.deepEqual(d.metadata.finalizers, ['c.example.com/f']),
  },
  {
    name: '$deleteFromPrimitiveList of an absent list adds nothing',
    patch: { spec: { template: { spec: { containers: [{ name: 'web', '$deleteFromPrimitiveList/args': ['x'] }] } } } },
    want: (d) => assert.equal(d.spec.template.spec.containers[0].args, undefined),
  },
  {
    name: 'directives inside new values are applied, never stored',
    patch: {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'new', image: 'x', '$setElementOrder/env': [{ name: 'E' }], env: [{ name: 'E', value: 'e' }, { name: 'gone', $patch: 'delete' }] }],
            securityContext: { $retainKeys: ['runAsUser'], runAsUser: 1000 },
          },
        },
      },
    },
    want: (d) => {
      assert.deepEqual(d.spec.template.spec.containers[0], { name: 'new', image: 'x', env: [{ name: 'E', value: 'e' }] });
      assert.deepEqual(d.spec.template.spec.securityContext, { runAsUser: 1000 });
      assert.doesNotMatch(JSON.stringify(d), /\$/);
    },
  },
  {
    name: 'null deletes; nulls for absent fields are dropped',
    patch: { metadata: { labels: { app: null } }, spec: { paused: null, template: { spec: { nodeSelector: { disk: 'ssd', gpu: null } } } } },
    want: (d) => {
      assert.deepEqual(d.metadata.labels, {});
      assert.equal('paused' in d.spec, false);
      assert.deepEqual(d.spec.template.spec.nodeSelector, { disk: 'ssd' });
    },
  },
];

test('strategicMergePatch on a Deployment', () => {
  for (const c of cases) {
    const doc = deployment();
    const before = structuredClone(doc);
    const out = strategicMergePatch(doc, c.patch, 'V1Deployment');
    assert.deepEqual(doc, before, `${c.name}: input untouched`);
    try {
      c.want(out);
    } catch (err) {
      (err as Error).message = `${c.name}: ${(err as Error).message}`;
      throw err;
    }
  }
});

test('strategicMergePatch finds the model from apiVersion and kind', () => {
  const out = strategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } }) as any;
  assert.equal(out.spec.template.spec.containers.length, 2);
});

test('strategicMergePatch of a Service merges ports by port', () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } };
  const out = strategicMergePatch(svc, { spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP' }, { port: 80, targetPort: 9090 }] } }, 'V1Service') as any;
  assert.deepEqual(out.spec.ports, [
    { name: 'https', port: 443, protocol: 'TCP' },
    { name: 'http', port: 80, targetPort: 9090, protocol: 'TCP' },
  ]);
});

test('strategicMergePatch without a model replaces lists but still merges maps', () => {
  const cr = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', finalizers: ['a'] }, spec: { sizes: [1, 2], nested: { a: 1, b: 2 } } };
  const out = strategicMergePatch(cr, { metadata: { finalizers: ['b'] }, spec: { sizes: [3], nested: { b: null, c: 3 } } }) as any;
  assert.deepEqual(out.spec, { sizes: [3], nested: { a: 1, c: 3 } });
  // metadata is standard everywhere: finalizers merge.
  assert.deepEqual(out.metadata.finalizers, ['b', 'a']);
});

test('strategicMergePatch refuses malformed patches', () => {
  const bad: Array<{ name: string; patch: unknown; message: RegExp }> = [
    { name: 'not an object', patch: [1], message: /must be a JSON object/ },
    { name: 'unknown map directive', patch: { metadata: { labels: { $patch: 'explode' } } }, message: /unknown patch type: "explode"/ },
    { name: 'unknown list directive', patch: { spec: { template: { spec: { containers: [{ name: 'web', $patch: 'explode' }] } } } }, message: /unknown patch type/ },
    { name: 'merge key missing', patch: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, message: /does not contain declared merge key: name/ },
    { name: 'delete without merge key', patch: { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } }, message: /does not contain declared merge key: name/ },
    { name: 'key outside $retainKeys', patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } }, message: /retainKeys/ },
    { name: '$retainKeys not a list', patch: { spec: { strategy: { $retainKeys: 'type' } } }, message: /retainKeys/ },
    {
      name: 'order list disagrees with the patch list',
      patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ name: 'sidecar', image: 'a' }, { name: 'web', image: 'b' }] } } } },
      message: /doesn't match \$setElementOrder\/containers/,
    },
  ];
  for (const c of bad) {
    assert.throws(() => strategicMergePatch(deployment(), c.patch, 'V1Deployment'), (err: unknown) => err instanceof PatchError && c.message.test(err.message), c.name);
  }
});
