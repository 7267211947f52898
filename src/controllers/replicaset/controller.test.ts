// The ReplicaSet controller against an in-process API server: no agents run, so the tests mark
// Pods Ready themselves through pods/status, and move the injected clock for minReadySeconds.
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { ApiClient, core, type ResourceRef } from '../../client/client.js';
import { FakeClock } from '../runtime/clock.js';
import { newContext } from '../runtime/context.js';
import type { Pod } from '../runtime/pods.js';
import { ReplicaSetController } from './controller.js';
import { replicaSetsRef, type ReplicaSet } from './types.js';

let api: TestApiServer;
before(async () => {
  api = await startTestApiServer();
});
after(async () => {
  await api.stop();
});

const rfc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A client whose Pod creates can be made to fail, as a quota or an admission webhook would, and
 * whose Pod watch events can be held back, as a lagging cache would.
 */
class FlakyClient extends ApiClient {
  failCreates?: string;
  createAttempts = 0;
  holdPodEvents = false;
  private held: Array<() => void> = [];

  releasePodEvents(): void {
    this.holdPodEvents = false;
    for (const deliver of this.held.splice(0)) deliver();
  }

  override watch(ref: ResourceRef, opts: Parameters<ApiClient['watch']>[1], onEvent: Parameters<ApiClient['watch']>[2], onEnd: Parameters<ApiClient['watch']>[3]) {
    if (ref.plural !== 'pods') return super.watch(ref, opts, onEvent, onEnd);
    return super.watch(ref, opts, (type, obj) => (this.holdPodEvents ? this.held.push(() => onEvent(type, obj)) : onEvent(type, obj)), onEnd);
  }

  override create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: KubeObject, fieldManager?: string): Promise<T> {
    if (ref.plural === 'pods') {
      this.createAttempts++;
      if (this.failCreates) return Promise.reject(new ApiError(403, 'Forbidden', this.failCreates));
    }
    return super.create<T>(ref, obj, fieldManager);
  }
}

interface Harness {
  namespace: string;
  clock: FakeClock;
  client: FlakyClient;
  rsc: ReplicaSetController;
  /** Poll until `check` holds, moving the fake clock a little each time so retry backoffs fire. */
  until<T>(what: string, check: () => T | Promise<T>): Promise<NonNullable<Awaited<T>>>;
  pods(): Promise<Pod[]>;
  rs(name: string): Promise<ReplicaSet>;
}

let nsCount = 0;
async function harness(t: TestContext, opts: { start?: boolean } = {}): Promise<Harness> {
  const namespace = `rs-${++nsCount}`;
  await api.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const clock = new FakeClock(Date.now());
  const base = api.newClient('replicaset-test');
  const client = new FlakyClient((base as any).config);
  const ctx = newContext(client, clock, 'fast');
  const rsc = new ReplicaSetController(ctx, { log: () => undefined });
  await ctx.informers.start();
  if (opts.start !== false) rsc.start();
  // Stop even when the test fails: a controller left running would act on later tests' namespaces.
  t.after(async () => {
    await rsc.stop();
    ctx.informers.stop();
  });
  const until = async <T,>(what: string, check: () => T | Promise<T>): Promise<NonNullable<Awaited<T>>> => {
    const deadline = Date.now() + 20_000;
    let last: unknown;
    for (;;) {
      try {
        const v = await check();
        if (v) return v as NonNullable<Awaited<T>>;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
      clock.advance(20);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    namespace,
    clock,
    client,
    rsc,
    until,
    pods: async () => (await api.client.list<Pod>(core('pods', namespace))).items,
    rs: (name) => api.client.get<ReplicaSet>(replicaSetsRef(namespace), name),
  };
}

function replicaSet(namespace: string, name: string, replicas: number, extra: Record<string, unknown> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'web', image: 'unyo/web:1' }] } },
      ...extra,
    },
  } as ReplicaSet;
}

async function markReady(namespace: string, name: string, sinceMs: number): Promise<void> {
  await api.client.patch(core('pods', namespace), name, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc(sinceMs) }] } }, 'merge', { subresource: 'status' });
}

const active = (pods: Pod[]) => pods.filter((p) => !p.metadata.deletionTimestamp);

test('a ReplicaSet gets spec.replicas Pods with controller references, SuccessfulCreate events and status', async (t) => {
  const h = await harness(t);
  await api.client.create(replicaSetsRef(h.namespace), replicaSet(h.namespace, 'web', 3));
  const pods = await h.until('3 pods', async () => ((await h.pods()).length === 3 ? h.pods() : undefined));
  const rs = await h.rs('web');
  for (const p of pods) {
    assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'web' });
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }
  const status = await h.until('status', async () => {
    const s = (await h.rs('web')).status;
    return s?.replicas === 3 && s.observedGeneration === 1 ? s : undefined;
  });
  assert.deepEqual({ ...status, conditions: undefined }, { replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1, conditions: undefined });
  await markReady(h.namespace, pods[0].metadata.name!, h.clock.now());
  await h.until('one ready', async () => (await h.rs('web')).status?.readyReplicas === 1 && (await h.rs('web')).status?.availableReplicas === 1);
  const events = await h.until('events', async () => {
    const list = (await api.client.list(core('events', h.namespace))).items as any[];
    return list.filter((e) => e.reason === 'SuccessfulCreate').length === 3 ? list : undefined;
  });
  const created = events.filter((e) => e.reason === 'SuccessfulCreate');
  assert.deepEqual(created.map((e) => e.message).sort(), pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
  assert.equal(created[0].involvedObject.kind, 'ReplicaSet');
  assert.equal(created[0].source.component, 'replicaset-controller');
});

test('expectations: a pass after creates the cache has not seen yet creates nothing more', async (t) => {
  const h = await harness(t, { start: false });
  await api.client.create(replicaSetsRef(h.namespace), replicaSet(h.namespace, 'race', 4));
  const key = `${h.namespace}/race`;
  await h.until('rs in cache', () => (h.rsc as any).replicaSets.get(key));
  h.client.holdPodEvents = true;
  await h.rsc.sync(key);
  assert.equal(h.client.createAttempts, 4);
  assert.equal((await h.pods()).length, 4);
  await h.rsc.sync(key);
  assert.equal(h.client.createAttempts, 4, 'the cache still shows no Pods, but 4 creations are expected');
  h.client.releasePodEvents();
  await h.until('cache sees 4 pods', () => (h.rsc as any).pods.list(h.namespace).length === 4);
  await h.rsc.sync(key);
  assert.equal((await h.pods()).length, 4);
  assert.equal(h.client.createAttempts, 4);
});

test('scaling down deletes the least valuable Pods first, with SuccessfulDelete events', async (t) => {
  const h = await harness(t);
  await api.client.create(replicaSetsRef(h.namespace), replicaSet(h.namespace, 'down', 3));
  const pods = await h.until('3 pods', async () => ((await h.pods()).length === 3 ? h.pods() : undefined));
  const [oldest, recent] = pods;
  await markReady(h.namespace, oldest.metadata.name!, h.clock.now() - 3_600_000);
  await markReady(h.namespace, recent.metadata.name!, h.clock.now() - 60_000);
  await h.until('2 ready', async () => (await h.rs('down')).status?.readyReplicas === 2);
  await api.client.patch(replicaSetsRef(h.namespace), 'down', { spec: { replicas: 1 } }, 'merge');
  const left = await h.until('1 pod left', async () => {
    const ps = active(await h.pods());
    return ps.length === 1 ? ps : undefined;
  });
  // Not ready goes before ready; of the ready ones, the one ready for less time goes.
  assert.equal(left[0].metadata.name, oldest.metadata.name);
  const deleted = ((await api.client.list(core('events', h.namespace))).items as any[]).filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message).sort();
  assert.deepEqual(deleted, [pods[1], pods[2]].map((p) => `Deleted pod: ${p.metadata.name}`).sort());
  await h.until('status 1', async () => (await h.rs('down')).status?.replicas === 1);
});

test('a deleted Pod is replaced; a Pod being deleted gracefully stops counting at once', async (t) => {
  const h = await harness(t);
  await api.client.create(replicaSetsRef(h.namespace), replicaSet(h.namespace, 'heal', 2));
  const pods = await h.until('2 pods', async () => ((await h.pods()).length === 2 ? h.pods() : undefined));
  await api.client.delete(core('pods', h.namespace), pods[0].metadata.name!);
  const after = await h.until('replacement', async () => {
    const ps = await h.pods();
    return ps.length === 2 && !ps.some((p) => p.metadata.name === pods[0].metadata.name) ? ps : undefined;
  });
  // A Pod on a node is deleted gracefully: it keeps existing with a deletionTimestamp (as on a NotReady node).
  const victim = after[0].metadata.name!;
  await api.client.request('POST', `/api/v1/namespaces/${h.namespace}/pods/${victim}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: victim }, target: { kind: 'Node', name: 'gone-node' } });
  await api.client.delete(core('pods', h.namespace), victim);
  const now = await h.until('replacement while the old Pod terminates', async () => {
    const ps = await h.pods();
    return ps.length === 3 && active(ps).length === 2 ? ps : undefined;
  });
  assert.ok(now.find((p) => p.metadata.name === victim)?.metadata.deletionTimestamp);
  await h.until('status counts active pods', async () => (await h.rs('heal')).status?.replicas === 2);
});

test('a matching orphan Pod is adopted; a Pod whose labels stop matching is released and replaced', async (t) => {
  const h = await harness(t);
  const orphan: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: h.namespace, labels: { app: 'adopt' } }, spec: { containers: [{ name: 'web', image: 'unyo/web:1' } as any] } };
  await api.client.create(core('pods', h.namespace), orphan);
  // The controller's cache must know the orphan when the ReplicaSet arrives, or it creates two Pods and then has one too many.
  await h.until('orphan in cache', () => (h.rsc as any).pods.get(`${h.namespace}/orphan`));
  const rs = await api.client.create<ReplicaSet>(replicaSetsRef(h.namespace), replicaSet(h.namespace, 'adopt', 2));
  const pods = await h.until('2 pods, the orphan adopted', async () => {
    const ps = await h.pods();
    return ps.length === 2 && ps.find((p) => p.metadata.name === 'orphan')?.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid ? ps : undefined;
  });
  assert.equal(pods.filter((p) => p.metadata.name !== 'orphan').length, 1, 'only one Pod created');
  await api.client.patch(core('pods', h.namespace), 'orphan', { metadata: { labels: { app: 'elsewhere' } } }, 'merge');
  const released = await h.until('released and replaced', async () => {
    const ps = await h.pods();
    const o = ps.find((p) => p.metadata.name === 'orphan');
    return ps.length === 3 && o && !o.metadata.ownerReferences?.length ? o : undefined;
  });
  assert.equal(released.metadata.labels?.app, 'elsewhere');
});

test('minReadySeconds: Ready Pods become available after the remaining time, by a requeue on the injected clock', async (t) => {
  const h = await harness(t);
  await api.client.create(replicaSetsRef(h.namespace), replicaSet(h.namespace, 'slow', 2, { minReadySeconds: 30 }));
  const pods = await h.until('2 pods', async () => ((await h.pods()).length === 2 ? h.pods() : undefined));
  const readyAt = Math.floor(h.clock.now() / 1000) * 1000;
  for (const p of pods) await markReady(h.namespace, p.metadata.name!, readyAt);
  const s = await h.until('ready, not available', async () => {
    const st = (await h.rs('slow')).status;
    return st?.readyReplicas === 2 ? st : undefined;
  });
  assert.equal(s.availableReplicas ?? 0, 0);
  // Nothing else happens to the ReplicaSet: only the requeue can bring the count.
  h.clock.advance(readyAt + 30_000 - h.clock.now());
  const st = (await h.rs('slow')).status;
  assert.equal(st?.availableReplicas ?? 0, 0, 'not before minReadySeconds have passed');
  await h.until('available', async () => (await h.rs('slow')).status?.availableReplicas === 2);
});

test('failing creates: one attempt per pass (slow start), ReplicaFailure with a FailedCreate event, cleared once creates work', async (t) => {
  const h = await harness(t, { start: false });
  h.client.failCreates = 'pods "quota-x" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=0, limited: pods=0';
  await api.client.create(replicaSetsRef(h.namespace), replicaSet(h.namespace, 'quota', 5));
  const key = `${h.namespace}/quota`;
  await h.until('rs in cache', () => (h.rsc as any).replicaSets.get(key));
  await assert.rejects(h.rsc.sync(key), /exceeded quota/);
  assert.equal(h.client.createAttempts, 1, 'the first batch has one Pod, and it failed');
  const cond = (await h.rs('quota')).status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  assert.equal(cond?.status, 'True');
  assert.equal(cond?.reason, 'FailedCreate');
  assert.equal(cond?.message, h.client.failCreates);
  await assert.rejects(h.rsc.sync(key), /exceeded quota/);
  assert.equal(h.client.createAttempts, 2, 'the failed create is not expected, so the next pass tries again');
  const event = await h.until('FailedCreate event', async () => ((await api.client.list(core('events', h.namespace))).items as any[]).find((e) => e.reason === 'FailedCreate'));
  assert.equal(event.type, 'Warning');
  assert.equal(event.message, `Error creating: ${h.client.failCreates}`);
  h.client.failCreates = undefined;
  h.rsc.start();
  h.rsc.controller.enqueue(key);
  await h.until('5 pods', async () => (await h.pods()).length === 5);
  assert.equal(h.client.createAttempts, 7);
  await h.until('condition cleared', async () => {
    const st = (await h.rs('quota')).status;
    return st?.replicas === 5 && !st.conditions?.length;
  });
});
