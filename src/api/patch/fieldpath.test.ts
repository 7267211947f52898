import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, goJSON, parsePE, pathString, serializePE } from './index.js';

// fieldsV1 of real clusters (kubectl apply of a Pod; a ReplicaSet's Pod).
const realFieldsV1 = [
  String.raw`{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}`,
  String.raw`{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"e806ff3e-33cf-450c-9b79-7e73582ab9bb\"}":{}}}}`,
];

test('fieldsV1 round-trips byte for byte', () => {
  for (const raw of realFieldsV1) assert.equal(JSON.stringify(FieldSet.fromFieldsV1(JSON.parse(raw)).toFieldsV1()), raw);
});

test('a FieldSet lists its member paths', () => {
  const set = FieldSet.fromFieldsV1(JSON.parse(realFieldsV1[1]));
  assert.deepEqual(set.paths(), [
    ['f:metadata', 'f:generateName'],
    ['f:metadata', 'f:labels'],
    ['f:metadata', 'f:labels', 'f:app'],
    ['f:metadata', 'f:labels', 'f:pod-template-hash'],
    ['f:metadata', 'f:ownerReferences'],
    ['f:metadata', 'f:ownerReferences', 'k:{"uid":"e806ff3e-33cf-450c-9b79-7e73582ab9bb"}'],
  ]);
  assert.equal(set.has(['f:metadata', 'f:labels']), true);
  assert.equal(set.has(['f:metadata']), false, 'a path only leading to members is not a member');
});

test('path elements serialize as upstream does', () => {
  const cases: Array<[Parameters<typeof serializePE>[0], string]> = [
    [{ field: 'image' }, 'f:image'],
    [{ key: [['protocol', 'TCP'], ['containerPort', 80]] }, 'k:{"containerPort":80,"protocol":"TCP"}'],
    [{ value: 'example.com/f' }, 'v:"example.com/f"'],
    [{ value: 'a<b>&c' }, 'v:"a\\u003cb\\u003e\\u0026c"'],
    [{ index: 3 }, 'i:3'],
  ];
  for (const [pe, s] of cases) {
    assert.equal(serializePE(pe), s);
    assert.equal(serializePE(parsePE(s)), s);
  }
  assert.throws(() => parsePE('x:1'), /unknown path element/);
  assert.equal(goJSON({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
});

test('paths print as in upstream conflict messages', () => {
  const cases: Array<[string[], string]> = [
    [['f:spec', 'f:replicas'], '.spec.replicas'],
    [['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'], '.spec.template.spec.containers[name="web"].image'],
    [['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}'], '.spec.ports[port=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', 'v:"a/b"'], '.metadata.finalizers[="a/b"]'],
    [['f:metadata', 'f:labels', 'f:app.kubernetes.io/name'], '.metadata.labels.app.kubernetes.io/name'],
  ];
  for (const [path, want] of cases) assert.equal(pathString(path), want);
});

test('set algebra', () => {
  const a = FieldSet.of(['f:spec', 'f:replicas'], ['f:spec', 'f:paused'], ['f:metadata', 'f:labels', 'f:app']);
  const b = FieldSet.of(['f:spec', 'f:replicas'], ['f:metadata', 'f:labels', 'f:tier']);
  assert.deepEqual(a.intersection(b).paths(), [['f:spec', 'f:replicas']]);
  assert.deepEqual(a.difference(b).paths(), [['f:metadata', 'f:labels', 'f:app'], ['f:spec', 'f:paused']]);
  assert.equal(a.union(b).paths().length, 4);
  assert.equal(a.difference(a).isEmpty(), true);
  assert.deepEqual(a.difference(a).toFieldsV1(), {}, 'emptied branches are dropped');
  assert.deepEqual(FieldSet.of(['f:spec', 'f:replicas']).withFieldsAsMembers().paths(), [['f:spec'], ['f:spec', 'f:replicas']]);
  assert.equal(FieldSet.of(['f:spec', 'f:x', 'k:{"name":"a"}', 'f:y']).covers(['f:spec', 'f:x', 'k:{"name":"a"}']), true);
});
