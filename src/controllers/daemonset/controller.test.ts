// The DaemonSet controller against an in-process API server: Nodes are plain objects and a
// FakeKubelet binds Pods, reports them Running/Ready and finishes their deletion.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import type { KubeObject } from '../../api/types.js';
import { core } from '../../client/client.js';
import { systemClock } from '../runtime/clock.js';
import { newContext } from '../runtime/context.js';
import { FakeKubelet, waitFor } from '../runtime/testing.js';
import { revisionsRef } from '../history/history.js';
import { applyRevision, podRevisionLabel, sortRevisions, type ControllerRevision } from '../history/revision.js';
import { daemonSet } from './controller.js';
import { daemonSetsRef } from './revisions.js';

let api: TestApiServer;
let kubelet: FakeKubelet;
let stopController: () => Promise<void>;

before(async () => {
  api = await startTestApiServer();
  const ctx = newContext(api.newClient('daemonset-controller'), systemClock, 'fast');
  const running = daemonSet.setup(ctx);
  await ctx.informers.start();
  await running.start();
  stopController = async () => {
    await running.stop();
    ctx.informers.stop();
  };
  kubelet = new FakeKubelet(api.newClient('kubelet'));
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

const nodes = core('nodes');

async function createNode(name: string, extra: { labels?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean } = {}): Promise<void> {
  await api.client.create(nodes, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
    spec: { ...(extra.taints ? { taints: extra.taints } : {}), ...(extra.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  });
}

async function createNamespace(name: string): Promise<void> {
  await api.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

function ds(name: string, namespace: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'unyo/web:1' }], ...podSpec } },
      ...spec,
    },
  };
}

async function podsOf(namespace: string, app: string): Promise<any[]> {
  return (await api.client.list(core('pods', namespace), { labelSelector: `app=${app}` })).items as any[];
}

const live = (pods: any[]) => pods.filter((p) => !p.metadata.deletionTimestamp);
const nodeOf = (pod: any) => pod.spec.nodeName ?? pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0];

async function statusOf(namespace: string, name: string): Promise<any> {
  return ((await api.client.get(daemonSetsRef(namespace), name)) as any).status ?? {};
}

async function revisionsOf(namespace: string): Promise<ControllerRevision[]> {
  return sortRevisions((await api.client.list<ControllerRevision>(revisionsRef(namespace))).items);
}

test('one pinned Pod per eligible node: tainted nodes get none, new nodes get one, removed nodes lose theirs', async () => {
  await createNamespace('ds-place');
  await createNode('place-a', { labels: { pool: 'place' } });
  await createNode('place-b', { labels: { pool: 'place' }, unschedulable: true });
  await createNode('place-c', { labels: { pool: 'place' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
  await createNode('place-other');
  await api.client.create(daemonSetsRef('ds-place'), ds('agent', 'ds-place', {}, { nodeSelector: { pool: 'place' } }));

  const pods = await waitFor('a Pod on place-a and place-b', async () => {
    const p = live(await podsOf('ds-place', 'agent'));
    return p.length === 2 && p.every((x) => x.status?.phase === 'Running') ? p : undefined;
  });
  assert.deepEqual(pods.map(nodeOf).sort(), ['place-a', 'place-b'], 'cordoned nodes still run daemons; the untolerated taint keeps place-c out');
  const pod = pods[0];
  assert.deepEqual(pod.metadata.ownerReferences.map((r: any) => [r.kind, r.name, r.controller]), [['DaemonSet', 'agent', true]]);
  assert.match(pod.metadata.name, /^agent-[a-z0-9]{5}$/);
  assert.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeOf(pod)] }] }] });
  const tolerations = pod.spec.tolerations.map((t: any) => `${t.key}:${t.effect}`);
  for (const t of ['not-ready:NoExecute', 'unreachable:NoExecute', 'disk-pressure:NoSchedule', 'memory-pressure:NoSchedule', 'pid-pressure:NoSchedule', 'unschedulable:NoSchedule']) {
    assert.ok(tolerations.includes(`node.kubernetes.io/${t}`), `daemon toleration ${t}`);
  }
  const [rev] = await revisionsOf('ds-place');
  assert.equal(pod.metadata.labels[podRevisionLabel], rev.metadata.labels![podRevisionLabel]);

  const status = await waitFor('status to count two ready Pods', async () => {
    const s = await statusOf('ds-place', 'agent');
    return s.numberAvailable === 2 ? s : undefined;
  });
  assert.deepEqual(
    { ...status },
    { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberUnavailable: 0, observedGeneration: 1 },
  );

  await createNode('place-d', { labels: { pool: 'place' } });
  await waitFor('a Pod on the new node', async () => live(await podsOf('ds-place', 'agent')).some((p) => nodeOf(p) === 'place-d'));

  await api.client.delete(nodes, 'place-d');
  await waitFor('the removed node to lose its Pod', async () => !(await podsOf('ds-place', 'agent')).some((p) => nodeOf(p) === 'place-d'));

  // A NoExecute taint the Pod does not tolerate evicts it; the node stops counting as desired.
  await api.client.patch(nodes, 'place-a', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } }, 'merge');
  await waitFor('place-a to lose its Pod', async () => !(await podsOf('ds-place', 'agent')).some((p) => nodeOf(p) === 'place-a'));
  await waitFor('status without place-a', async () => (await statusOf('ds-place', 'agent')).desiredNumberScheduled === 1);

  // A node label change that makes a node ineligible removes its Pod too.
  await api.client.patch(nodes, 'place-b', { metadata: { labels: { pool: 'elsewhere' } } }, 'merge');
  await waitFor('place-b to lose its Pod', async () => live(await podsOf('ds-place', 'agent')).length === 0);
});

test('a rolling update replaces one Pod at a time, records revisions, and a revision patch rolls it back', async () => {
  await createNamespace('ds-roll');
  for (const n of ['roll-a', 'roll-b', 'roll-c']) await createNode(n, { labels: { pool: 'roll' } });
  await api.client.create(daemonSetsRef('ds-roll'), ds('web', 'ds-roll', {}, { nodeSelector: { pool: 'roll' } }));
  await waitFor('three ready Pods', async () => (await statusOf('ds-roll', 'web')).numberAvailable === 3);

  // Hold new Pods back so the update's pace is visible.
  kubelet.ready = (pod) => (pod.spec as any).containers[0].image !== 'unyo/web:2';
  await api.client.patch(daemonSetsRef('ds-roll'), 'web', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'unyo/web:2' }] } } } }, 'strategic');
  const revisions = await waitFor('a second revision', async () => {
    const r = await revisionsOf('ds-roll');
    return r.length === 2 ? r : undefined;
  });
  assert.deepEqual(revisions.map((r) => r.revision), [1, 2]);
  const newHash = revisions[1].metadata.labels![podRevisionLabel];
  const first = await waitFor('one new Pod', async () => {
    const p = live(await podsOf('ds-roll', 'web'));
    return p.some((x) => x.metadata.labels[podRevisionLabel] === newHash) ? p : undefined;
  });
  assert.equal(first.filter((p) => p.metadata.labels[podRevisionLabel] === newHash).length, 1, 'maxUnavailable 1: one Pod replaced');
  assert.equal(first.filter((p) => p.metadata.labels[podRevisionLabel] !== newHash).length, 2, 'the other two old Pods stay while the new one is not ready');
  await waitFor('status to count one updated Pod at generation 2', async () => {
    const s = await statusOf('ds-roll', 'web');
    return s.updatedNumberScheduled === 1 && s.observedGeneration === 2 && s.numberAvailable === 2;
  });

  kubelet.ready = () => true;
  kubelet.resync();
  await waitFor('every Pod at the new revision and available', async () => {
    const s = await statusOf('ds-roll', 'web');
    return s.updatedNumberScheduled === 3 && s.numberAvailable === 3;
  });
  const images = live(await podsOf('ds-roll', 'web')).map((p) => p.spec.containers[0].image);
  assert.deepEqual(images, ['unyo/web:2', 'unyo/web:2', 'unyo/web:2']);

  // kubectl rollout undo: apply revision 1's data as a strategic merge patch.
  await api.client.patch(daemonSetsRef('ds-roll'), 'web', revisions[0].data, 'strategic');
  const after = await waitFor('revision 1 to become revision 3', async () => {
    const r = await revisionsOf('ds-roll');
    return r.length === 2 && r[1].metadata.name === revisions[0].metadata.name && r[1].revision === 3 ? r : undefined;
  });
  assert.equal(after[0].metadata.name, revisions[1].metadata.name);
  await waitFor('Pods back on the first revision', async () => {
    const p = live(await podsOf('ds-roll', 'web'));
    return p.length === 3 && p.every((x) => x.spec.containers[0].image === 'unyo/web:1' && x.status?.phase === 'Running');
  });
  const restored = applyRevision(await api.client.get(daemonSetsRef('ds-roll'), 'web'), after[1], 'V1DaemonSet') as any;
  assert.equal(restored.spec.template.spec.containers[0].image, 'unyo/web:1');
});

test('revisionHistoryLimit prunes revisions no Pod runs', async () => {
  await createNamespace('ds-prune');
  await createNode('prune-a', { labels: { pool: 'prune' } });
  await api.client.create(daemonSetsRef('ds-prune'), ds('web', 'ds-prune', { revisionHistoryLimit: 1 }, { nodeSelector: { pool: 'prune' } }));
  for (const tag of ['2', '3', '4']) {
    await waitFor('the rollout to settle', async () => (await statusOf('ds-prune', 'web')).updatedNumberScheduled === 1 && (await statusOf('ds-prune', 'web')).numberAvailable === 1);
    await api.client.patch(daemonSetsRef('ds-prune'), 'web', { spec: { template: { spec: { containers: [{ name: 'agent', image: `unyo/web:${tag}` }] } } } }, 'strategic');
    await waitFor(`the Pod at web:${tag}`, async () => live(await podsOf('ds-prune', 'web')).some((p) => p.spec.containers[0].image === `unyo/web:${tag}` && p.status?.phase === 'Running'));
  }
  const revisions = await waitFor('history cut to the limit', async () => {
    const r = await revisionsOf('ds-prune');
    return r.length === 2 ? r : undefined;
  });
  assert.deepEqual(revisions.map((r) => r.revision), [3, 4], 'the current revision plus one old one');
});

test('surge: a new Pod starts beside the old one, which goes once the new one is available', async () => {
  await createNamespace('ds-surge');
  await createNode('surge-a', { labels: { pool: 'surge' } });
  await api.client.create(daemonSetsRef('ds-surge'), ds('web', 'ds-surge', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }, { nodeSelector: { pool: 'surge' } }));
  await waitFor('one ready Pod', async () => (await statusOf('ds-surge', 'web')).numberAvailable === 1);
  const [old] = live(await podsOf('ds-surge', 'web'));
  kubelet.ready = (pod) => (pod.spec as any).containers[0].image !== 'unyo/web:2';
  await api.client.patch(daemonSetsRef('ds-surge'), 'web', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'unyo/web:2' }] } } } }, 'strategic');
  const both = await waitFor('old and new Pod side by side', async () => {
    const p = live(await podsOf('ds-surge', 'web'));
    return p.length === 2 ? p : undefined;
  });
  assert.ok(both.some((p) => p.metadata.uid === old.metadata.uid), 'the old Pod stays while the new one is not ready');
  kubelet.ready = () => true;
  kubelet.resync();
  await waitFor('the old Pod gone', async () => {
    const p = live(await podsOf('ds-surge', 'web'));
    return p.length === 1 && p[0].spec.containers[0].image === 'unyo/web:2';
  });
});

test('OnDelete: a template change waits until a Pod is deleted by hand', async () => {
  await createNamespace('ds-ondelete');
  await createNode('ondelete-a', { labels: { pool: 'ondelete' } });
  await api.client.create(daemonSetsRef('ds-ondelete'), ds('web', 'ds-ondelete', { updateStrategy: { type: 'OnDelete' } }, { nodeSelector: { pool: 'ondelete' } }));
  await waitFor('one ready Pod', async () => (await statusOf('ds-ondelete', 'web')).numberAvailable === 1);
  await api.client.patch(daemonSetsRef('ds-ondelete'), 'web', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'unyo/web:2' }] } } } }, 'strategic');
  await waitFor('the new generation observed', async () => (await statusOf('ds-ondelete', 'web')).observedGeneration === 2);
  const [pod] = live(await podsOf('ds-ondelete', 'web'));
  assert.equal(pod.spec.containers[0].image, 'unyo/web:1', 'OnDelete leaves running Pods alone');
  assert.equal((await statusOf('ds-ondelete', 'web')).updatedNumberScheduled, 0);
  await api.client.delete(core('pods', 'ds-ondelete'), pod.metadata.name);
  await waitFor('a replacement at the new revision', async () => {
    const p = live(await podsOf('ds-ondelete', 'web'));
    return p.length === 1 && p[0].spec.containers[0].image === 'unyo/web:2';
  });
});

test('an orphan Pod matching the selector is adopted; a Pod relabelled out of the selector is released and replaced', async () => {
  await createNamespace('ds-adopt');
  await createNode('adopt-a', { labels: { pool: 'adopt' } });
  await api.client.create(core('pods', 'ds-adopt'), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'stray', labels: { app: 'web' } },
    spec: { nodeName: 'adopt-a', containers: [{ name: 'agent', image: 'unyo/web:1' }] },
  });
  await api.client.create(daemonSetsRef('ds-adopt'), ds('web', 'ds-adopt', {}, { nodeSelector: { pool: 'adopt' } }));
  const adopted = await waitFor('the stray Pod adopted', async () => {
    const p: any = await api.client.get(core('pods', 'ds-adopt'), 'stray');
    return p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet' ? p : undefined;
  });
  assert.equal(adopted.metadata.ownerReferences[0].name, 'web');
  // Adopted, it is the node's daemon Pod but not at the current revision: the update replaces it.
  await waitFor('the stray Pod replaced by one at the current revision', async () => {
    const p = live(await podsOf('ds-adopt', 'web'));
    return p.length === 1 && p[0].metadata.name !== 'stray' && p[0].metadata.labels[podRevisionLabel];
  });
  const [pod] = live(await podsOf('ds-adopt', 'web'));
  await api.client.patch(core('pods', 'ds-adopt'), pod.metadata.name, { metadata: { labels: { app: 'debug' } } }, 'merge');
  const released: any = await waitFor('the relabelled Pod released', async () => {
    const p: any = await api.client.get(core('pods', 'ds-adopt'), pod.metadata.name);
    return !p.metadata.ownerReferences?.length ? p : undefined;
  });
  assert.equal(released.metadata.labels.app, 'debug');
  await waitFor('a new daemon Pod on the node', async () => live(await podsOf('ds-adopt', 'web')).length === 1);
});
