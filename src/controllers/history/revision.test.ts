import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { applyRevision, encodeData, equalRevision, hashRevision, nextRevision, revisionName, safeEncode, sortRevisions, templatePatch, type ControllerRevision } from './revision.js';

// A StatefulSet and the ControllerRevision Kubernetes 1.33 recorded for it
// (pkg/controller/statefulset/testdata/compatibility_*_1.33.0.json upstream).
const upstreamSet: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'test', namespace: 'default' },
  spec: {
    template: {
      metadata: { labels: { app: 'foo' }, annotations: { test: 'value' } },
      spec: {
        containers: [{ name: 'test', image: 'test', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        securityContext: {},
        schedulerName: 'default-scheduler',
      },
    },
  },
};
const upstreamData =
  '{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"test":"value"},"creationTimestamp":null,"labels":{"app":"foo"}},"spec":{"containers":[{"image":"test","imagePullPolicy":"Always","name":"test","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30}}}}';

test('revision data is encoded byte for byte as upstream encodes it', () => {
  assert.equal(encodeData(templatePatch(upstreamSet)), upstreamData);
});

test('revision names hash as upstream: test-c77f6d978 at collision count 0', () => {
  const data = templatePatch(upstreamSet);
  assert.equal(revisionName('test', hashRevision(data, 0)), 'test-c77f6d978');
  assert.notEqual(hashRevision(data, 1), hashRevision(data, 0), 'a collision moves the name');
  assert.notEqual(hashRevision(data), hashRevision(data, 0), 'no collision count differs from count 0, as upstream');
});

test('safeEncode maps characters into the vowel-free alphabet', () => {
  // '0' is 48, 48 % 27 = 21, the 22nd character of "bcdfghjklmnpqrstvwxz2456789".
  const cases: Array<[string, string]> = [
    ['', ''],
    ['0', '4'],
    ['9', 'f'],
    ['12', '56'],
  ];
  for (const [input, want] of cases) assert.equal(safeEncode(input), want, input);
});

test('HTML characters are escaped as Go escapes them', () => {
  assert.equal(encodeData({ a: 'x && y <z>' }), '{"a":"x \\u0026\\u0026 y \\u003cz\\u003e"}');
});

test('a long prefix is cut to 223 characters', () => {
  assert.equal(revisionName('x'.repeat(300), 'h').length, 225);
});

const rev = (name: string, revision: number, created: string, data: unknown = {}): ControllerRevision => ({ metadata: { name, creationTimestamp: created }, revision, data });

test('revisions sort by number, then age, then name; the next number follows the highest', () => {
  const sorted = sortRevisions([rev('c', 2, '2026-01-01T00:00:02Z'), rev('b', 1, '2026-01-01T00:00:05Z'), rev('a', 2, '2026-01-01T00:00:02Z'), rev('d', 2, '2026-01-01T00:00:01Z')]);
  assert.deepEqual(sorted.map((r) => r.metadata.name), ['b', 'd', 'a', 'c']);
  assert.equal(nextRevision(sorted), 3);
  assert.equal(nextRevision([]), 1);
});

test('equal revisions: the same data in any key order, whatever the names and hashes', () => {
  const a = rev('a', 1, '', { spec: { template: { x: 1, y: 2 } } });
  const b = rev('b', 2, '', { spec: { template: { y: 2, x: 1 } } });
  a.metadata.labels = { 'controller.kubernetes.io/hash': 'bcd' };
  b.metadata.labels = { 'controller.kubernetes.io/hash': 'fgh' };
  assert.ok(equalRevision(a, b), 'a collision count changes the hash, not the snapshot');
  assert.ok(!equalRevision(a, rev('c', 1, '', { spec: { template: { x: 2 } } })));
});

test('applying a revision replaces the whole template, dropping fields the snapshot lacks', () => {
  const current: KubeObject = structuredClone(upstreamSet);
  (current.spec as any).template.spec.containers[0].image = 'test:2';
  (current.spec as any).template.spec.nodeSelector = { disk: 'ssd' };
  (current.spec as any).replicas = 4;
  const restored = applyRevision(current, rev('r', 1, '', templatePatch(upstreamSet)), 'V1StatefulSet') as any;
  assert.equal(restored.spec.template.spec.containers[0].image, 'test');
  assert.equal(restored.spec.template.spec.nodeSelector, undefined);
  assert.equal(restored.spec.replicas, 4, 'only the template is restored');
  assert.equal('$patch' in restored.spec.template, false);
  assert.equal(restored.spec.template.metadata.creationTimestamp, undefined, 'a null in the patch removes the field');
});
