import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultGarbageCollectionPolicy, deletionFinalizers, namespaceDeletionFinalizers, type PropagationPolicy } from './gcpolicy.js';

const r = (group: string, version: string, kind: string) => ({ group, version, kind });
const configMap = r('', 'v1', 'ConfigMap');

const cases: Array<{ name: string; resource: ReturnType<typeof r>; policy?: PropagationPolicy; finalizers: string[]; want: string[]; changed: boolean }> = [
  { name: 'no policy, no finalizers: deleted at once', resource: configMap, finalizers: [], want: [], changed: false },
  { name: 'Orphan adds orphan', resource: configMap, policy: 'Orphan', finalizers: [], want: ['orphan'], changed: true },
  { name: 'Foreground adds foregroundDeletion', resource: configMap, policy: 'Foreground', finalizers: [], want: ['foregroundDeletion'], changed: true },
  { name: 'Background removes both', resource: configMap, policy: 'Background', finalizers: ['orphan', 'example.com/x'], want: ['example.com/x'], changed: true },
  { name: 'Orphan replaces foregroundDeletion, other finalizers first', resource: configMap, policy: 'Orphan', finalizers: ['foregroundDeletion', 'example.com/x'], want: ['example.com/x', 'orphan'], changed: true },
  { name: 'no policy keeps an existing orphan finalizer', resource: configMap, finalizers: ['orphan'], want: ['orphan'], changed: false },
  { name: 'no policy keeps an existing foregroundDeletion finalizer', resource: configMap, finalizers: ['example.com/x', 'foregroundDeletion'], want: ['example.com/x', 'foregroundDeletion'], changed: false },
  { name: 'batch/v1 Jobs orphan by default', resource: r('batch', 'v1', 'Job'), finalizers: [], want: ['orphan'], changed: true },
  { name: 'a Job deleted with Background keeps its Pods collected', resource: r('batch', 'v1', 'Job'), policy: 'Background', finalizers: [], want: [], changed: false },
  { name: 'v1 ReplicationControllers orphan by default', resource: r('', 'v1', 'ReplicationController'), finalizers: [], want: ['orphan'], changed: true },
  { name: 'apps/v1 Deployments do not orphan by default', resource: r('apps', 'v1', 'Deployment'), finalizers: [], want: [], changed: false },
  { name: 'apps/v1 ReplicaSets do not orphan by default', resource: r('apps', 'v1', 'ReplicaSet'), finalizers: [], want: [], changed: false },
  { name: 'batch/v1 CronJobs do not orphan by default', resource: r('batch', 'v1', 'CronJob'), finalizers: [], want: [], changed: false },
  { name: 'Events get no dependents finalizers', resource: r('', 'v1', 'Event'), policy: 'Foreground', finalizers: [], want: [], changed: false },
  { name: 'events.k8s.io Events neither', resource: r('events.k8s.io', 'v1', 'Event'), policy: 'Orphan', finalizers: [], want: [], changed: false },
];

for (const c of cases) {
  test(`deletion finalizers: ${c.name}`, () => {
    const got = deletionFinalizers(defaultGarbageCollectionPolicy(c.resource), c.policy, c.finalizers);
    assert.deepEqual(got, { changed: c.changed, finalizers: c.want });
  });
}

const namespaceCases: Array<{ name: string; policy?: PropagationPolicy; finalizers: string[]; want: string[] }> = [
  { name: 'Background: none', policy: 'Background', finalizers: [], want: [] },
  { name: 'no policy keeps what is there', finalizers: ['orphan'], want: ['orphan'] },
  { name: 'Orphan', policy: 'Orphan', finalizers: ['example.com/x'], want: ['example.com/x', 'orphan'] },
  { name: 'Foreground replaces orphan', policy: 'Foreground', finalizers: ['orphan'], want: ['foregroundDeletion'] },
];

for (const c of namespaceCases) {
  test(`namespace deletion finalizers: ${c.name}`, () => {
    assert.deepEqual(namespaceDeletionFinalizers(c.policy, c.finalizers), c.want);
  });
}
