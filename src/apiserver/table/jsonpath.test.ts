// The JSONPath forms printer columns use, evaluated against one custom resource.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJSONPath, parseJSONPath } from './jsonpath.js';

const doc = {
  metadata: { name: 'w1', labels: { 'app.kubernetes.io/name': 'widget' } },
  spec: { replicas: 3, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }, { port: 8080 }], nothing: null },
  status: {
    conditions: [
      { type: 'Ready', status: 'True', observedGeneration: 2 },
      { type: 'Degraded', status: 'False', observedGeneration: 1 },
    ],
  },
};

describe('evaluateJSONPath', () => {
  const cases: Array<[string, unknown[]]> = [
    ['.spec.replicas', [3]],
    ['{.spec.replicas}', [3]],
    ['$.spec.replicas', [3]],
    ['.spec.missing', []],
    ['.spec.missing.deeper', []],
    ['.spec.nothing', [null]],
    ['.spec.replicas.notAnObject', []],
    [".metadata.labels['app.kubernetes.io/name']", ['widget']],
    ['.metadata.labels["app.kubernetes.io/name"]', ['widget']],
    ['.spec.ports[1].port', [443]],
    ['.spec.ports[-1].port', [8080]],
    ['.spec.ports[5].port', []],
    ['.spec.ports[*].port', [80, 443, 8080]],
    ['.spec.ports[0:2].name', ['http', 'https']],
    ['.spec.ports[1:].port', [443, 8080]],
    ['.spec.ports[?(@.name)].port', [80, 443]],
    ['.spec.ports[?(@.port > 100)].port', [443, 8080]],
    ['.spec.ports[?(@.port<=80)].name', ['http']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['.status.conditions[?(@.type != "Ready")].type', ['Degraded']],
    ['.status.conditions[?(@.observedGeneration==2)].type', ['Ready']],
    ['.status.conditions[?(@.status==true)].type', []],
    ['..port', [80, 443, 8080]],
    ['.metadata.*', [{ 'app.kubernetes.io/name': 'widget' }, 'w1']],
  ];
  for (const [path, expected] of cases) {
    it(path, () => assert.deepEqual(evaluateJSONPath(parseJSONPath(path), doc), expected));
  }
});

describe('parseJSONPath rejects', () => {
  for (const path of ['.spec[', '.spec.ports[?(1 == 1)]', '.spec.ports[abc]', '.spec)']) {
    it(path, () => assert.throws(() => parseJSONPath(path)));
  }
});
