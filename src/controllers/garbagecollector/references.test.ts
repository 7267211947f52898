import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { AbsentOwnerCache, deletionStartsWithFinalizer, identityText, propagationFor, referenceMatches, referencesDiff, unblockedOwners } from './references.js';

const ref = (uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, ...extra });
const obj = (meta: Partial<KubeObject['metadata']>): KubeObject => ({ metadata: { name: 'x', ...meta } });

const diffs: Array<{ name: string; old: OwnerReference[]; next: OwnerReference[]; added: string[]; removed: string[]; changed: string[]; unblocked: string[] }> = [
  { name: 'nothing changed', old: [ref('a')], next: [ref('a')], added: [], removed: [], changed: [], unblocked: [] },
  { name: 'a reference added', old: [], next: [ref('a')], added: ['a'], removed: [], changed: [], unblocked: [] },
  { name: 'a blocking reference removed unblocks its owner', old: [ref('a', { blockOwnerDeletion: true }), ref('b')], next: [ref('b')], added: [], removed: ['a'], changed: [], unblocked: ['a'] },
  { name: 'a non-blocking reference removed', old: [ref('a')], next: [], added: [], removed: ['a'], changed: [], unblocked: [] },
  { name: 'blockOwnerDeletion turned off', old: [ref('a', { blockOwnerDeletion: true })], next: [ref('a', { blockOwnerDeletion: false })], added: [], removed: [], changed: ['a'], unblocked: ['a'] },
  { name: 'blockOwnerDeletion dropped', old: [ref('a', { blockOwnerDeletion: true })], next: [ref('a')], added: [], removed: [], changed: ['a'], unblocked: ['a'] },
  { name: 'blockOwnerDeletion turned on', old: [ref('a')], next: [ref('a', { blockOwnerDeletion: true })], added: [], removed: [], changed: ['a'], unblocked: [] },
  { name: 'controller set', old: [ref('a')], next: [ref('a', { controller: true })], added: [], removed: [], changed: ['a'], unblocked: [] },
];

for (const c of diffs) {
  test(`references diff: ${c.name}`, () => {
    const d = referencesDiff(c.old, c.next);
    assert.deepEqual(d.added.map((r) => r.uid), c.added);
    assert.deepEqual(d.removed.map((r) => r.uid), c.removed);
    assert.deepEqual(d.changed.map((r) => r.new.uid), c.changed);
    assert.deepEqual(unblockedOwners(d), c.unblocked);
  });
}

const deleting = { deletionTimestamp: '2026-01-01T00:00:00Z' };
const transitions: Array<{ name: string; old?: KubeObject; next: KubeObject; want: boolean }> = [
  { name: 'first seen already deleting with the finalizer', next: obj({ ...deleting, finalizers: ['orphan'] }), want: true },
  { name: 'deletion starts', old: obj({ finalizers: ['orphan'] }), next: obj({ ...deleting, finalizers: ['orphan'] }), want: true },
  { name: 'the finalizer added during deletion', old: obj({ ...deleting, finalizers: ['example.com/x'] }), next: obj({ ...deleting, finalizers: ['example.com/x', 'orphan'] }), want: true },
  { name: 'already deleting with it', old: obj({ ...deleting, finalizers: ['orphan'] }), next: obj({ ...deleting, finalizers: ['orphan'] }), want: false },
  { name: 'not deleting', next: obj({ finalizers: ['orphan'] }), want: false },
  { name: 'deleting without it', next: obj({ ...deleting, finalizers: ['foregroundDeletion'] }), want: false },
];

for (const c of transitions) {
  test(`deletion starts with the orphan finalizer: ${c.name}`, () => {
    assert.equal(deletionStartsWithFinalizer(c.old, c.next, 'orphan'), c.want);
  });
}

test('an ownerless object is deleted with the propagation its finalizers ask for', () => {
  assert.equal(propagationFor(obj({ finalizers: ['orphan'] })), 'Orphan');
  assert.equal(propagationFor(obj({ finalizers: ['foregroundDeletion'] })), 'Foreground');
  assert.equal(propagationFor(obj({ finalizers: ['example.com/x'] })), 'Background');
});

test('a reference matches its owner only by uid, name, kind and apiVersion together', () => {
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs-a', uid: 'a', namespace: 'ns' };
  assert.equal(referenceMatches(ref('a'), owner), true);
  assert.equal(referenceMatches(ref('a', { name: 'other' }), owner), false);
  assert.equal(referenceMatches(ref('a', { apiVersion: 'extensions/v1beta1' }), owner), false);
  assert.equal(identityText(owner), '[apps/v1/ReplicaSet, namespace: ns, name: rs-a, uid: a]');
});

test('the absent owner cache forgets the least recently used entry', () => {
  const cache = new AbsentOwnerCache(2);
  const id = (uid: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: uid, uid, namespace: 'ns' });
  cache.add(id('a'));
  cache.add(id('b'));
  assert.equal(cache.has(id('a')), true);
  cache.add(id('c'));
  assert.equal(cache.has(id('b')), false, 'b was least recently used');
  assert.equal(cache.has(id('a')), true);
  assert.equal(cache.has(id('c')), true);
  assert.equal(cache.has({ ...id('a'), namespace: 'other' }), false, 'the namespace is part of the identity');
});
