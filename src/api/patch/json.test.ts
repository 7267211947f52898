import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPatch, PatchError } from './index.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };

test('jsonPatch applies RFC 6902 operations without touching the input', () => {
  const cases: Array<{ name: string; ops: unknown[]; want: (p: any) => void }> = [
    { name: 'add a label', ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }], want: (p) => assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'front' }) },
    { name: 'replace an image', ops: [{ op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' }], want: (p) => assert.equal(p.spec.containers[0].image, 'nginx:2') },
    { name: 'append to a list', ops: [{ op: 'add', path: '/spec/containers/-', value: { name: 'd', image: 'busybox' } }], want: (p) => assert.equal(p.spec.containers.length, 2) },
    { name: 'remove a label', ops: [{ op: 'remove', path: '/metadata/labels/app' }], want: (p) => assert.deepEqual(p.metadata.labels, {}) },
    { name: 'passing test then change', ops: [{ op: 'test', path: '/metadata/name', value: 'p' }, { op: 'replace', path: '/metadata/name', value: 'q' }], want: (p) => assert.equal(p.metadata.name, 'q') },
    { name: 'key with a slash', ops: [{ op: 'add', path: '/metadata/labels/example.com~1role', value: 'x' }], want: (p) => assert.equal(p.metadata.labels['example.com/role'], 'x') },
    { name: 'move and copy', ops: [{ op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' }, { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/moved' }], want: (p) => assert.deepEqual(p.metadata.labels, { copy: 'web', moved: 'web' }) },
  ];
  for (const c of cases) {
    const before = structuredClone(pod);
    c.want(jsonPatch(pod, c.ops));
    assert.deepEqual(pod, before, c.name);
  }
});

test('jsonPatch failures are PatchErrors naming the operation', () => {
  const cases: Array<{ name: string; ops: unknown; code: number; message: RegExp }> = [
    { name: 'not a list', ops: { op: 'add' }, code: 400, message: /list of operations/ },
    { name: 'unknown op', ops: [{ op: 'frobnicate', path: '/a' }], code: 400, message: /operation 1 \(frobnicate \/a\): unknown op/ },
    { name: 'failed test', ops: [{ op: 'test', path: '/metadata/name', value: 'other' }], code: 422, message: /operation 1 \(test \/metadata\/name\): test failed/ },
    { name: 'remove missing', ops: [{ op: 'remove', path: '/metadata/annotations/x' }], code: 422, message: /path does not exist/ },
    { name: 'replace missing', ops: [{ op: 'replace', path: '/spec/nodeName', value: 'n1' }], code: 422, message: /path does not exist/ },
    { name: 'add under a missing parent', ops: [{ op: 'add', path: '/metadata/annotations/x', value: 'y' }], code: 422, message: /parent of the path does not exist/ },
    { name: 'second op fails', ops: [{ op: 'add', path: '/metadata/labels/a', value: 'b' }, { op: 'add', path: '/spec/containers/9', value: {} }], code: 422, message: /operation 2 .*out of bounds/ },
    { name: 'too many operations', ops: Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'Pod' })), code: 400, message: /maximum operations .* 10000/ },
  ];
  for (const c of cases) {
    assert.throws(
      () => jsonPatch(pod, c.ops),
      (err: unknown) => err instanceof PatchError && err.code === c.code && c.message.test(err.message),
      c.name,
    );
  }
});
