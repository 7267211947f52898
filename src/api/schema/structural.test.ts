import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../errors.js';
import { applyDefaults, pruneUnknownFields, unknownFields, validateAndPrune, type JSONSchema } from './structural.js';

const schema: JSONSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10 },
        replicas: { type: 'integer', default: 1 },
        color: { type: 'string', enum: ['red', 'blue'] },
        name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2, minItems: 1, 'x-kubernetes-list-type': 'set' },
        items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
        nested: { type: 'object', default: {}, properties: { level: { type: 'string', default: 'info' } } },
        ratio: { type: 'number' },
        optional: { type: 'string' },
        maybe: { type: 'string', nullable: true },
      },
    },
  },
};

function run(obj: Record<string, unknown>, preserveUnknownFields = false) {
  const result = validateAndPrune(schema, obj, { preserveUnknownFields });
  return { ...result, messages: result.errors.map(fieldErrorText) };
}

test('prunes unknown fields and reports their paths, sorted', () => {
  const obj = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', bogus: 1 },
    spec: { size: 3, foo: 1, items: [{ name: 'a', extra: true }], free: { anything: 1, known: { a: 'x', b: 'y' } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', nope: 1 }, spec: { x: 'a', y: 'b' } } },
    top: 1,
  };
  const { unknownFields: paths, errors } = run(obj);
  assert.deepEqual(errors, []);
  assert.deepEqual(paths, ['metadata.bogus', 'spec.foo', 'spec.free.known.b', 'spec.items[0].extra', 'spec.template.metadata.nope', 'spec.template.spec.y', 'top']);
  assert.deepEqual(obj.spec.free, { anything: 1, known: { a: 'x' } });
  assert.deepEqual(obj.metadata, { name: 'w' });
  assert.equal('top' in obj, false);
  assert.deepEqual(obj.spec.template, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'a' } });
});

test('preserveUnknownFields keeps unknown fields but still cleans metadata', () => {
  const obj = { metadata: { name: 'w', bogus: 1 }, spec: { size: 3, foo: 1 } };
  const { unknownFields: paths } = run(obj, true);
  assert.deepEqual(paths, ['metadata.bogus']);
  assert.equal((obj.spec as any).foo, 1);
});

test('applies defaults top-down and drops nulls of non-nullable fields', () => {
  const obj = { spec: { size: 3, optional: null, maybe: null, replicas: null } };
  const { errors } = run(obj);
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, { size: 3, maybe: null, replicas: 1, nested: { level: 'info' } });
  const list = { spec: { items: [null] } };
  applyDefaults({ type: 'object', properties: { spec: { type: 'object', properties: { items: { type: 'array', items: { type: 'string', default: 'x' } } } } } }, list);
  assert.deepEqual(list.spec.items, ['x']);
});

test('validation errors read like upstream', () => {
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ size: 'string' }, ['spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"']],
    [{ size: 1.5 }, ['spec.size: Invalid value: "number": spec.size in body must be of type integer: "number"']],
    [{}, ['spec.size: Required value']],
    [{ size: 11 }, ['spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10']],
    [{ size: 0 }, ['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1']],
    [{ size: 1, color: 'green' }, ['spec.color: Unsupported value: "green": supported values: "red", "blue"']],
    [{ size: 1, name: 'a' }, ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']],
    [{ size: 1, name: 'abcdef' }, ['spec.name: Too long: may not be more than 5 bytes']],
    [{ size: 1, name: 'AB' }, ['spec.name: Invalid value: "AB": spec.name in body should match \'^[a-z]+$\'']],
    [{ size: 1, port: true }, ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']],
    [{ size: 1, when: 'yesterday' }, ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"']],
    [{ size: 1, tags: [] }, ['spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items']],
    [{ size: 1, tags: ['a', 'a'] }, ['spec.tags[1]: Duplicate value: "a"']],
    [{ size: 1, labels: { a: 1 } }, ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']],
    [{ size: 1, items: 'x' }, ['spec.items: Invalid value: "string": spec.items in body must be of type array: "string"']],
    [{ size: 1, template: { spec: {} } }, ['spec.template.apiVersion: Required value: must not be empty', 'spec.template.kind: Required value: must not be empty']],
  ];
  for (const [spec, expected] of cases) assert.deepEqual(run({ spec }).messages, expected, JSON.stringify(spec));
  const tooMany = run({ spec: { size: 1, tags: ['a', 'b', 'c'] } }).errors;
  assert.deepEqual(tooMany, [{ type: 'FieldValueTooMany', field: 'spec.tags', value: 3, detail: 'must have at most 2 items' }]);
});

test('valid values pass: int-or-string both ways, integers as numbers, dates', () => {
  for (const spec of [{ size: 1, port: 80 }, { size: 1, port: 'http' }, { size: 1, ratio: 2 }, { size: 1, when: '2024-05-01T10:00:00Z' }, { size: 1, maybe: null }]) {
    assert.deepEqual(run({ spec }).messages, [], JSON.stringify(spec));
  }
});

test('unknownFields walks built-in models', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { a: 'b' } },
    spec: {
      replicass: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }, { name: 'b', imagee: 'x', resources: { limits: { cpu: '1' } } }] } },
    },
  };
  assert.deepEqual(unknownFields('V1Deployment', deployment), ['spec.replicass', 'spec.template.spec.containers[1].imagee']);
  assert.equal((deployment.spec as any).replicass, 2, 'unknownFields does not modify');
  assert.deepEqual(pruneUnknownFields('V1Deployment', deployment), ['spec.replicass', 'spec.template.spec.containers[1].imagee']);
  assert.equal('replicass' in deployment.spec, false);
  assert.deepEqual(unknownFields('V1Deployment', deployment), []);
  // Free-form fields are not looked into.
  assert.deepEqual(unknownFields('V1ControllerRevision', { data: { anything: 1 }, revision: 1 }), []);
  assert.deepEqual(unknownFields('V1CustomResourceDefinition', { spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { a: { type: 'string', 'x-kubernetes-int-or-string': true, bogus: 1 } } } } }] } }), ['spec.versions[0].schema.openAPIV3Schema.properties.a.bogus']);
});
