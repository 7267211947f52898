import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NamespaceConditionUpdater, type NamespaceCondition } from './conditions.js';

const t0 = '2026-01-01T00:00:00Z';
const t1 = '2026-01-01T00:01:00Z';
const allWell: Array<[string, string, string, string]> = [
  ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
  ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  ['NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'],
  ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
];
const rows = (cs: NamespaceCondition[]) => cs.map((c) => [c.type, c.status, c.reason, c.message]);

const cases: Array<{ name: string; build: (u: NamespaceConditionUpdater) => void; want: Array<[string, string, string, string]> }> = [
  { name: 'nothing wrong', build: () => undefined, want: allWell },
  {
    name: 'content and finalizers remain',
    build: (u) => u.contentTotals({ remainingByResource: new Map([['pods.', 2], ['deployments.apps', 1]]), remainingByFinalizer: new Map([['kubedb', 5], ['example.com/hold', 1]]) }),
    want: [
      allWell[0],
      allWell[1],
      allWell[2],
      ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain', 'Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances'],
      ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances, kubedb in 5 resource instances'],
    ],
  },
  {
    name: 'discovery failed for some groups',
    build: (u) => u.discoveryFailed(new Map([['metrics.k8s.io/v1beta1', new Error('the server is currently unable to handle the request')]])),
    want: [
      ['NamespaceDeletionDiscoveryFailure', 'True', 'DiscoveryFailed', 'Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: the server is currently unable to handle the request'],
      ...allWell.slice(1),
    ],
  },
  {
    name: 'content deletion failed',
    build: (u) => {
      u.deleteContentFailed(new Error('b failed'));
      u.deleteContentFailed(new Error('a failed'));
    },
    want: [allWell[0], allWell[1], ['NamespaceDeletionContentFailure', 'True', 'ContentDeletionFailed', 'Failed to delete all resource types, 2 remaining: a failed, b failed'], allWell[3], allWell[4]],
  },
];

for (const c of cases) {
  test(`namespace conditions: ${c.name}`, () => {
    const u = new NamespaceConditionUpdater(t0);
    c.build(u);
    const conditions: NamespaceCondition[] = [];
    assert.equal(u.update(conditions), true);
    assert.deepEqual(rows(conditions), c.want);
  });
}

test('an update keeps other condition types, moves lastTransitionTime only when the status flips, and reports no change when there is none', () => {
  const conditions: NamespaceCondition[] = [{ type: 'Example', status: 'True' }];
  const first = new NamespaceConditionUpdater(t0);
  first.contentTotals({ remainingByResource: new Map([['configmaps.', 1]]), remainingByFinalizer: new Map([['example.com/hold', 1]]) });
  first.update(conditions);
  const again = new NamespaceConditionUpdater(t1);
  again.contentTotals({ remainingByResource: new Map([['configmaps.', 1]]), remainingByFinalizer: new Map([['example.com/hold', 1]]) });
  assert.equal(again.update(conditions), false, 'the same findings change nothing');
  const cleared = new NamespaceConditionUpdater(t1);
  assert.equal(cleared.update(conditions), true);
  assert.deepEqual(conditions[0], { type: 'Example', status: 'True' });
  const remaining = conditions.find((c) => c.type === 'NamespaceContentRemaining')!;
  assert.equal(remaining.status, 'False');
  assert.equal(remaining.lastTransitionTime, t1);
  assert.equal(conditions.find((c) => c.type === 'NamespaceDeletionDiscoveryFailure')!.lastTransitionTime, t0, 'unchanged status keeps its time');
});
