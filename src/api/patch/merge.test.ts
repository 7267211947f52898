import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatch } from './index.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };

test('mergePatch follows RFC 7386', () => {
  // The examples of RFC 7386 appendix A.
  const cases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases) assert.deepEqual(mergePatch(doc, patch), want, JSON.stringify([doc, patch]));
});

test('mergePatch replaces lists and leaves the input alone', () => {
  const before = structuredClone(pod);
  const out = mergePatch(pod, { metadata: { labels: { app: null, tier: 'front' } }, spec: { containers: [{ name: 'x' }] } }) as any;
  assert.deepEqual(out.metadata.labels, { tier: 'front' });
  assert.deepEqual(out.spec.containers, [{ name: 'x' }]);
  assert.deepEqual(pod, before);
});
