// The StatefulSet controller against an in-process API server; a FakeKubelet binds Pods, reports
// them Running/Ready and finishes their deletion. Claims are only checked as objects (binding
// them is the storage controllers' work).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import type { KubeObject } from '../../api/types.js';
import { core, type WatchHandle } from '../../client/client.js';
import { systemClock } from '../runtime/clock.js';
import { newContext } from '../runtime/context.js';
import { FakeKubelet, waitFor } from '../runtime/testing.js';
import { revisionsRef } from '../history/history.js';
import { sortRevisions, type ControllerRevision } from '../history/revision.js';
import { statefulSet, statefulSetsRef } from './controller.js';

let api: TestApiServer;
let kubelet: FakeKubelet;
let stopController: () => Promise<void>;

before(async () => {
  api = await startTestApiServer();
  const ctx = newContext(api.newClient('statefulset-controller'), systemClock, 'fast');
  const running = statefulSet.setup(ctx);
  await ctx.informers.start();
  await running.start();
  stopController = async () => {
    await running.stop();
    ctx.informers.stop();
  };
  kubelet = new FakeKubelet(api.newClient('kubelet'), { defaultNode: 'node-1' });
  await kubelet.start();
});

beforeEach(() => {
  kubelet.ready = () => true;
});

after(async () => {
  kubelet.stop();
  await stopController();
  await api.stop();
});

async function namespace(name: string): Promise<string> {
  await api.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function kv(ns: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'kv', namespace: ns },
    spec: {
      serviceName: 'kv',
      replicas: 3,
      selector: { matchLabels: { app: 'kv' } },
      template: {
        metadata: { labels: { app: 'kv' } },
        spec: { containers: [{ name: 'kv', image: 'unyo/kv:1', volumeMounts: [{ name: 'data', mountPath: '/data/db' }] }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data', labels: { tier: 'storage' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}

const pods = async (ns: string) => (await api.client.list(core('pods', ns), { labelSelector: 'app=kv' })).items as any[];
const live = (list: any[]) => list.filter((p) => !p.metadata.deletionTimestamp);
const names = (list: any[]) => list.map((p) => p.metadata.name).sort();
const status = async (ns: string) => (((await api.client.get(statefulSetsRef(ns), 'kv')) as any).status ?? {}) as any;
const revisions = async (ns: string) => sortRevisions((await api.client.list<ControllerRevision>(revisionsRef(ns))).items);
const image = (pod: any) => pod.spec.containers[0].image;

/** Watch a namespace's Pods and keep what happened, in order. */
function recordPods(ns: string): { log: string[]; stop: () => void } {
  const log: string[] = [];
  const handle: WatchHandle = api.client.watch(core('pods', ns), {}, (type, pod) => {
    const ready = pod?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
    log.push(`${type} ${pod?.metadata?.name}${ready ? ' ready' : ''}${pod?.metadata?.deletionTimestamp ? ' terminating' : ''}`);
  }, () => undefined);
  return { log, stop: () => handle.stop() };
}

async function settled(ns: string, replicas: number): Promise<any> {
  return waitFor(`${replicas} ready replicas at one revision`, async () => {
    const s = await status(ns);
    return s.readyReplicas === replicas && s.replicas === replicas && s.updatedReplicas === replicas && s.currentRevision === s.updateRevision ? s : undefined;
  });
}

test('OrderedReady: kv-0 is Ready before kv-1 exists; stable identity, claims and status', async () => {
  const ns = await namespace('sts-order');
  const watch = recordPods(ns);
  await api.client.create(statefulSetsRef(ns), kv(ns));
  const s = await settled(ns, 3);
  await waitFor('the watch to see kv-2 ready', () => watch.log.some((l) => l.startsWith('MODIFIED kv-2 ready')));
  watch.stop();
  const firstOf = (prefix: string) => watch.log.findIndex((l) => l.startsWith(prefix));
  assert.ok(firstOf('MODIFIED kv-0 ready') >= 0 && firstOf('ADDED kv-1') > firstOf('MODIFIED kv-0 ready'), `kv-1 created after kv-0 was Ready:\n${watch.log.join('\n')}`);
  assert.ok(firstOf('ADDED kv-2') > firstOf('MODIFIED kv-1 ready'), 'kv-2 after kv-1 was Ready');

  const list = await pods(ns);
  assert.deepEqual(names(list), ['kv-0', 'kv-1', 'kv-2']);
  const pod = list.find((p) => p.metadata.name === 'kv-1');
  assert.equal(pod.metadata.labels['statefulset.kubernetes.io/pod-name'], 'kv-1');
  assert.equal(pod.metadata.labels['apps.kubernetes.io/pod-index'], '1');
  assert.equal(pod.metadata.labels['controller-revision-hash'], s.updateRevision);
  assert.equal(pod.spec.hostname, 'kv-1');
  assert.equal(pod.spec.subdomain, 'kv');
  assert.deepEqual(pod.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-kv-1' } }]);
  assert.deepEqual(pod.metadata.ownerReferences.map((r: any) => [r.kind, r.name, r.controller, r.blockOwnerDeletion]), [['StatefulSet', 'kv', true, true]]);

  const claims = (await api.client.list(core('persistentvolumeclaims', ns))).items as any[];
  assert.deepEqual(names(claims), ['data-kv-0', 'data-kv-1', 'data-kv-2']);
  assert.deepEqual(claims[0].metadata.labels, { tier: 'storage', app: 'kv' });
  assert.equal(claims[0].metadata.ownerReferences, undefined, 'Retain/Retain: claims belong to nobody');
  assert.equal(claims[0].spec.resources.requests.storage, '1Gi');

  const [rev] = await revisions(ns);
  assert.equal(rev.metadata.name, s.updateRevision);
  assert.equal(rev.revision, 1);
  assert.match(rev.metadata.name!, /^kv-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rev.metadata.labels!['controller.kubernetes.io/hash'], rev.metadata.name!.slice(3));
  assert.equal(rev.metadata.labels!.app, 'kv');
  assert.deepEqual({ ...s, currentRevision: undefined, updateRevision: undefined }, { observedGeneration: 1, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, collisionCount: 0, currentRevision: undefined, updateRevision: undefined });

  // A Pod deleted (say by the node lifecycle controller after its node died) comes back as itself.
  const old = list.find((p) => p.metadata.name === 'kv-0');
  await api.client.delete(core('pods', ns), 'kv-0', { gracePeriodSeconds: 0 });
  const back = await waitFor('kv-0 to come back', async () => {
    const p = (await pods(ns)).find((x) => x.metadata.name === 'kv-0');
    return p && p.metadata.uid !== old.metadata.uid && p.status?.phase === 'Running' ? p : undefined;
  });
  assert.deepEqual(back.spec.volumes, old.spec.volumes, 'the same claim');
  assert.equal((await api.client.list(core('persistentvolumeclaims', ns))).items.length, 3, 'no new claim');

  // A failed Pod is replaced too.
  await api.client.patch(core('pods', ns), 'kv-2', { status: { phase: 'Failed' } }, 'merge', { subresource: 'status' });
  await waitFor('kv-2 replaced', async () => (await pods(ns)).some((p) => p.metadata.name === 'kv-2' && p.status?.phase === 'Running'));
});

test('scaling up adds ordinals in order; scaling down removes the highest first', async () => {
  const ns = await namespace('sts-scale');
  await api.client.create(statefulSetsRef(ns), kv(ns));
  await settled(ns, 3);
  await api.client.patch(statefulSetsRef(ns), 'kv', { spec: { replicas: 5 } }, 'merge', { subresource: 'scale' });
  await settled(ns, 5);
  assert.deepEqual(names(await pods(ns)), ['kv-0', 'kv-1', 'kv-2', 'kv-3', 'kv-4']);
  const watch = recordPods(ns);
  await api.client.patch(statefulSetsRef(ns), 'kv', { spec: { replicas: 3 } }, 'merge', { subresource: 'scale' });
  await waitFor('three Pods', async () => names(await pods(ns)).join() === 'kv-0,kv-1,kv-2');
  await waitFor('the watch to see kv-3 go', () => watch.log.some((l) => l.startsWith('DELETED kv-3')));
  watch.stop();
  const deleted = watch.log.filter((l) => l.startsWith('DELETED')).map((l) => l.split(' ')[1]);
  assert.deepEqual(deleted, ['kv-4', 'kv-3']);
  assert.ok(watch.log.findIndex((l) => l.startsWith('DELETED kv-4')) < watch.log.findIndex((l) => l.startsWith('MODIFIED kv-3 ready terminating')), 'kv-3 is deleted only once kv-4 is gone');
  assert.equal((await api.client.list(core('persistentvolumeclaims', ns))).items.length, 5, 'whenScaled Retain keeps the claims');
  await settled(ns, 3);
});

test('a partitioned rolling update replaces ordinals >= partition from the top, one at a time; undo restores', async () => {
  const ns = await namespace('sts-roll');
  await api.client.create(statefulSetsRef(ns), kv(ns, { replicas: 4 }));
  const before = await settled(ns, 4);
  const watch = recordPods(ns);
  await api.client.patch(
    statefulSetsRef(ns),
    'kv',
    { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }, template: { spec: { containers: [{ name: 'kv', image: 'unyo/kv:2' }] } } } },
    'strategic',
  );
  const s = await waitFor('two Pods updated', async () => {
    const st = await status(ns);
    return st.updatedReplicas === 2 && st.readyReplicas === 4 ? st : undefined;
  });
  await waitFor('the watch to see kv-2 go', () => watch.log.some((l) => l.startsWith('DELETED kv-2')));
  watch.stop();
  assert.equal(s.currentRevision, before.currentRevision, 'a partitioned update does not complete');
  assert.notEqual(s.updateRevision, before.updateRevision);
  const byName = Object.fromEntries((await pods(ns)).map((p) => [p.metadata.name, image(p)]));
  assert.deepEqual(byName, { 'kv-0': 'unyo/kv:1', 'kv-1': 'unyo/kv:1', 'kv-2': 'unyo/kv:2', 'kv-3': 'unyo/kv:2' });
  const deletions = watch.log.filter((l) => l.startsWith('DELETED')).map((l) => l.split(' ')[1]);
  assert.deepEqual(deletions, ['kv-3', 'kv-2'], 'highest ordinal first');
  assert.ok(watch.log.findIndex((l) => l.startsWith('MODIFIED kv-3 ready') && !l.includes('terminating')) < watch.log.findIndex((l) => l.includes('kv-2') && l.includes('terminating')), 'kv-2 waits for the new kv-3 to be Ready');

  await api.client.patch(statefulSetsRef(ns), 'kv', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }, 'strategic');
  const done = await settled(ns, 4);
  assert.equal(done.currentRevision, s.updateRevision, 'the update completes once every Pod is at the new revision');
  assert.deepEqual((await pods(ns)).map(image), ['unyo/kv:2', 'unyo/kv:2', 'unyo/kv:2', 'unyo/kv:2']);

  // kubectl rollout undo: revision 1's data as a strategic merge patch.
  const [first, second] = await revisions(ns);
  await api.client.patch(statefulSetsRef(ns), 'kv', first.data, 'strategic');
  await waitFor('the first revision current again', async () => (await status(ns)).currentRevision === first.metadata.name);
  await settled(ns, 4);
  const after = await revisions(ns);
  assert.deepEqual(after.map((r) => [r.metadata.name, r.revision]), [[second.metadata.name, 2], [first.metadata.name, 3]], 'renumbered, not copied');
  assert.deepEqual((await pods(ns)).map(image), ['unyo/kv:1', 'unyo/kv:1', 'unyo/kv:1', 'unyo/kv:1']);
});

test('Parallel creates every Pod without waiting; maxUnavailable 2 replaces two at a time', async () => {
  const ns = await namespace('sts-parallel');
  kubelet.ready = () => false;
  await api.client.create(statefulSetsRef(ns), kv(ns, { podManagementPolicy: 'Parallel', replicas: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }));
  await waitFor('all four Pods, none ready', async () => live(await pods(ns)).length === 4);
  kubelet.ready = () => true;
  kubelet.resync();
  await settled(ns, 4);
  kubelet.ready = (pod) => image(pod) !== 'unyo/kv:2';
  await api.client.patch(statefulSetsRef(ns), 'kv', { spec: { template: { spec: { containers: [{ name: 'kv', image: 'unyo/kv:2' }] } } } }, 'strategic');
  const list = await waitFor('two new Pods', async () => {
    const l = live(await pods(ns));
    return l.filter((p) => image(p) === 'unyo/kv:2').length === 2 ? l : undefined;
  });
  assert.deepEqual(names(list.filter((p) => image(p) === 'unyo/kv:2')), ['kv-2', 'kv-3']);
  assert.deepEqual(names(list.filter((p) => image(p) === 'unyo/kv:1')), ['kv-0', 'kv-1'], 'no more than two unavailable');
  kubelet.ready = () => true;
  kubelet.resync();
  await settled(ns, 4);
});

test('OnDelete: Pods change revision only when deleted', async () => {
  const ns = await namespace('sts-ondelete');
  await api.client.create(statefulSetsRef(ns), kv(ns, { replicas: 2, updateStrategy: { type: 'OnDelete' } }));
  await settled(ns, 2);
  await api.client.patch(statefulSetsRef(ns), 'kv', { spec: { template: { spec: { containers: [{ name: 'kv', image: 'unyo/kv:2' }] } } } }, 'strategic');
  await waitFor('the new generation observed', async () => (await status(ns)).observedGeneration === 2);
  assert.deepEqual((await pods(ns)).map(image), ['unyo/kv:1', 'unyo/kv:1']);
  await api.client.delete(core('pods', ns), 'kv-1', { gracePeriodSeconds: 0 });
  await waitFor('kv-1 at the new revision', async () => (await pods(ns)).some((p) => p.metadata.name === 'kv-1' && image(p) === 'unyo/kv:2' && p.status?.phase === 'Running'));
  assert.equal(image((await pods(ns)).find((p) => p.metadata.name === 'kv-0')), 'unyo/kv:1');
});

test('retention policy: Delete on deletion owns claims by the set; Delete on scale-down hands them to the Pod', async () => {
  const ns = await namespace('sts-retain');
  await api.client.create(statefulSetsRef(ns), kv(ns, { replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
  await settled(ns, 2);
  const set: any = await api.client.get(statefulSetsRef(ns), 'kv');
  const owners = async (claim: string) => (((await api.client.get(core('persistentvolumeclaims', ns), claim)) as any).metadata.ownerReferences ?? []).map((r: any) => `${r.kind}/${r.name}`);
  await waitFor('claims owned by the set', async () => (await owners('data-kv-1')).join() === 'StatefulSet/kv');
  const kv1: any = (await pods(ns)).find((p) => p.metadata.name === 'kv-1');
  await api.client.patch(statefulSetsRef(ns), 'kv', { spec: { replicas: 1 } }, 'merge');
  // The claim is handed to the Pod before the Pod is deleted, so the garbage collector removes it with the Pod.
  await waitFor('data-kv-1 owned by Pod kv-1', async () => (await owners('data-kv-1')).join() === 'Pod/kv-1');
  const claim: any = await api.client.get(core('persistentvolumeclaims', ns), 'data-kv-1');
  assert.equal(claim.metadata.ownerReferences[0].uid, kv1.metadata.uid);
  assert.deepEqual(await owners('data-kv-0'), ['StatefulSet/kv']);
  assert.equal(set.spec.persistentVolumeClaimRetentionPolicy.whenScaled, 'Delete');
  await waitFor('kv-1 gone', async () => names(await pods(ns)).join() === 'kv-0');
});

test('minReadySeconds: a Ready Pod counts as available only once it has been Ready that long', async () => {
  const ns = await namespace('sts-minready');
  await api.client.create(statefulSetsRef(ns), kv(ns, { replicas: 1, minReadySeconds: 3600 }));
  const s = await waitFor('kv-0 ready', async () => {
    const st = await status(ns);
    return st.readyReplicas === 1 ? st : undefined;
  });
  assert.equal(s.availableReplicas, 0, 'ready for less than an hour');
  const longAgo = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: longAgo }));
  await api.client.patch(core('pods', ns), 'kv-0', { status: { conditions } }, 'merge', { subresource: 'status' });
  await waitFor('kv-0 available', async () => (await status(ns)).availableReplicas === 1);
});
