import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonical, computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './hash.js';

test('fnv32a matches the FNV-1a reference vectors', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(fnv32a(enc('')), 0x811c9dc5);
  assert.equal(fnv32a(enc('a')), 0xe40c292c);
  assert.equal(fnv32a(enc('foobar')), 0xbf9cf968);
});

test('safeEncodeString spells digits in the vowel-free alphabet, as upstream', () => {
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'unyo/web:1' }] } };

test('the hash depends on the template and the collision count, not on key order or empty values', () => {
  const h = computeHash(template);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  const reordered = { spec: { containers: [{ image: 'unyo/web:1', name: 'web', env: [] }] }, metadata: { annotations: {}, labels: { app: 'web' } } };
  assert.equal(computeHash(reordered), h);
  assert.notEqual(computeHash({ ...template, spec: { containers: [{ name: 'web', image: 'unyo/web:2' }] } }), h);
  assert.notEqual(computeHash(template, 1), h);
  assert.notEqual(computeHash(template, 1), computeHash(template, 2));
  assert.equal(computeHash(template, 1), computeHash(template, 1));
});

test('equalIgnoreHash ignores only the pod-template-hash label', () => {
  const withHash = { ...template, metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } };
  assert.ok(equalIgnoreHash(withHash, template));
  assert.ok(!equalIgnoreHash({ ...template, metadata: { labels: { app: 'web', tier: 'x' } } }, template));
  assert.ok(!equalIgnoreHash({ ...template, spec: { containers: [{ name: 'web', image: 'unyo/web:2' }] } }, template));
});

test('canonical drops empty maps, lists and nulls and sorts keys', () => {
  assert.deepEqual(JSON.stringify(canonical({ b: 1, a: { z: [], y: {}, x: null, w: 0 } })), '{"a":{"w":0},"b":1}');
});
