import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { ApiClient, ResourceRef, WatchEventType } from '../client/client.js';
import { Scheduler } from './scheduler.js';
import { FakeClock, node, pod } from './testing.js';
import type { Pod } from './types.js';

/** JSON merge patch (RFC 7386). */
function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * An in-memory API shaped like ApiClient: list, watch, create, patch and the pods/binding POST.
 * Watch events are delivered asynchronously; holdWatches() keeps them back, as a slow watch would.
 */
class FakeApi {
  readonly objects = new Map<string, Map<string, KubeObject>>();
  readonly calls: string[] = [];
  failBindings = 0;
  private rv = 1;
  private held: Array<() => void> | undefined;
  private readonly watchers: Array<{ plural: string; onEvent: (type: WatchEventType, obj: any) => void }> = [];

  private bucket(plural: string): Map<string, KubeObject> {
    let b = this.objects.get(plural);
    if (!b) this.objects.set(plural, (b = new Map()));
    return b;
  }

  private key(obj: KubeObject): string {
    return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
  }

  put(plural: string, obj: KubeObject, type: WatchEventType = 'ADDED'): KubeObject {
    const stored = structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
    const b = this.bucket(plural);
    const event = b.has(this.key(obj)) ? 'MODIFIED' : type;
    b.set(this.key(obj), stored);
    this.emit(plural, event, stored);
    return stored;
  }

  remove(plural: string, key: string): void {
    const obj = this.bucket(plural).get(key);
    if (!obj) return;
    this.bucket(plural).delete(key);
    this.emit(plural, 'DELETED', obj);
  }

  get(plural: string, key: string): any {
    return this.bucket(plural).get(key);
  }

  events(): any[] {
    return [...this.bucket('events').values()];
  }

  holdWatches(): void {
    this.held = [];
  }

  releaseWatches(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const fn of held) fn();
  }

  private emit(plural: string, type: WatchEventType, obj: KubeObject): void {
    const copy = structuredClone(obj);
    const deliver = () => {
      for (const w of this.watchers) if (w.plural === plural) w.onEvent(type, structuredClone(copy));
    };
    if (this.held) this.held.push(deliver);
    else setImmediate(deliver);
  }

  async list(ref: ResourceRef) {
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv) }, items: [...this.bucket(ref.plural).values()].map((o) => structuredClone(o)) };
  }

  watch(ref: ResourceRef, _opts: unknown, onEvent: (type: WatchEventType, obj: any) => void) {
    const w = { plural: ref.plural, onEvent };
    this.watchers.push(w);
    return { stop: () => this.watchers.splice(this.watchers.indexOf(w), 1) };
  }

  async create(ref: ResourceRef, obj: KubeObject) {
    this.calls.push(`create ${ref.plural} ${obj.metadata.name}`);
    return this.put(ref.plural, { ...obj, metadata: { ...obj.metadata, namespace: ref.namespace } });
  }

  async patch(ref: ResourceRef, name: string, patch: unknown, type = 'merge', opts: { subresource?: string } = {}) {
    this.calls.push(`patch ${ref.plural}${opts.subresource ? `/${opts.subresource}` : ''} ${name}`);
    const key = ref.namespace ? `${ref.namespace}/${name}` : name;
    const old = this.bucket(ref.plural).get(key);
    if (!old) throw new ApiError(404, 'NotFound', `${ref.plural} "${name}" not found`);
    assert.equal(type, 'merge');
    return this.put(ref.plural, mergePatch(old, patch));
  }

  async request(method: string, path: string, body: any) {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/binding$/.exec(path);
    assert.ok(method === 'POST' && m, `unexpected ${method} ${path}`);
    this.calls.push(`bind ${m[2]} ${body.target.name}`);
    if (this.failBindings > 0) {
      this.failBindings--;
      throw new ApiError(500, 'InternalError', 'etcdserver: request timed out');
    }
    const p = this.get('pods', `${m[1]}/${m[2]}`) as Pod;
    assert.equal(body.metadata.uid, p.metadata.uid);
    const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    this.put('pods', { ...p, spec: { ...p.spec, nodeName: body.target.name }, status: { ...p.status, conditions: [...conditions, { type: 'PodScheduled', status: 'True' }] } });
    return { kind: 'Status', status: 'Success', code: 201 };
  }
}

async function boot(setup: (api: FakeApi) => void, opts: { schedulerName?: string } = {}) {
  const api = new FakeApi();
  setup(api);
  const clock = new FakeClock();
  const scheduler = new Scheduler(api as unknown as ApiClient, { now: clock.now, timers: clock, random: () => 0.99, ...opts });
  await scheduler.start();
  await idle(scheduler);
  return { api, clock, scheduler };
}

/** Lets watch events, bindings and event writes run to the end. */
async function idle(s: Scheduler): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await s.settled();
    await new Promise((r) => setImmediate(r));
  }
}

const nodeOf = (api: FakeApi, name: string) => (api.get('pods', `default/${name}`) as Pod).spec.nodeName;

test('Scheduler: binds a pending pod and says so', async () => {
  const { api, scheduler } = await boot((api) => {
    api.put('nodes', node('n1'));
    api.put('pods', pod('web', { requests: { cpu: '1' } }));
  });
  assert.equal(nodeOf(api, 'web'), 'n1');
  assert.ok(api.calls.includes('bind web n1'));
  const [event] = api.events();
  assert.deepEqual(
    { type: event.type, reason: event.reason, message: event.message, source: event.source, reportingComponent: event.reportingComponent, involved: `${event.involvedObject.kind} ${event.involvedObject.namespace}/${event.involvedObject.name}`, count: event.count },
    { type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web to n1', source: { component: 'default-scheduler' }, reportingComponent: 'default-scheduler', involved: 'Pod default/web', count: 1 },
  );
  scheduler.stop();
});

test('Scheduler: pods scheduled back to back see each other before the watch catches up', async () => {
  const { api, scheduler } = await boot((api) => {
    api.put('nodes', node('n1', { allocatable: { cpu: '2' } }));
    api.put('nodes', node('n2', { allocatable: { cpu: '2' } }));
    api.holdWatches();
  });
  for (let i = 1; i <= 5; i++) api.put('pods', pod(`p${i}`, { requests: { cpu: '1' } }));
  api.releaseWatches();
  await new Promise((r) => setImmediate(r));
  api.holdWatches();
  await idle(scheduler);
  const placed = [1, 2, 3, 4, 5].map((i) => api.calls.find((c) => c.startsWith(`bind p${i} `))?.split(' ')[2] ?? 'pending');
  assert.deepEqual(placed.filter((n) => n === 'n1').length, 2);
  assert.deepEqual(placed.filter((n) => n === 'n2').length, 2);
  assert.equal(placed[4], 'pending');
  const failed = api.events().find((e) => e.reason === 'FailedScheduling');
  assert.equal(failed.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  scheduler.stop();
});

test('Scheduler: an unschedulable pod gets an event and a condition, and is retried when the cluster changes', async () => {
  const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const { api, clock, scheduler } = await boot((api) => {
    api.put('nodes', node('n1', { taints: [unreachable] }));
    api.put('pods', pod('web'));
  });
  const message = '0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
  let [event] = api.events();
  assert.deepEqual({ type: event.type, reason: event.reason, message: event.message, count: event.count, first: event.firstTimestamp }, { type: 'Warning', reason: 'FailedScheduling', message, count: 1, first: '2026-01-01T00:00:00Z' });
  const condition = (api.get('pods', 'default/web') as Pod).status?.conditions;
  assert.deepEqual(condition, [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'Unschedulable', message }]);

  // Nothing changes for five minutes: one more attempt, counted on the same Event; the condition is already right.
  clock.advance(5 * 60_000);
  await idle(scheduler);
  [event] = api.events();
  assert.deepEqual({ count: event.count, last: event.lastTimestamp, events: api.events().length }, { count: 2, last: '2026-01-01T00:05:00Z', events: 1 });
  assert.equal(api.calls.filter((c) => c === 'patch pods/status web').length, 1);

  // A heartbeat-only node update is no reason to try again; a new node is.
  api.put('nodes', { ...node('n1', { taints: [unreachable] }), status: { ...node('n1').status, conditions: [] } });
  await idle(scheduler);
  api.put('nodes', node('n2'));
  await idle(scheduler);
  assert.equal(nodeOf(api, 'web'), undefined, 'still backing off (2s after the second attempt)');
  clock.advance(2000);
  await idle(scheduler);
  assert.equal(nodeOf(api, 'web'), 'n2');
  assert.ok(api.events().some((e) => e.reason === 'Scheduled' && e.message === 'Successfully assigned default/web to n2'));
  scheduler.stop();
});

test('Scheduler: leaves alone pods of other schedulers, gated pods, bound pods and pods being deleted', async () => {
  const { api, scheduler } = await boot((api) => {
    api.put('nodes', node('n1'));
    api.put('pods', pod('other', { schedulerName: 'my-scheduler' }));
    api.put('pods', pod('gated', { schedulingGates: [{ name: 'wait' }] }));
    api.put('pods', pod('going', { deleting: true }));
    api.put('pods', pod('done', { phase: 'Succeeded' }));
    api.put('pods', pod('mine', { schedulerName: 'default-scheduler' }));
  });
  assert.deepEqual(api.calls.filter((c) => c.startsWith('bind')), ['bind mine n1']);
  api.put('pods', pod('gated'));
  await idle(scheduler);
  assert.equal(nodeOf(api, 'gated'), 'n1', 'scheduled once its gates are removed');
  scheduler.stop();
});

test('Scheduler: serves the scheduler name it is given', async () => {
  const { api, scheduler } = await boot(
    (api) => {
      api.put('nodes', node('n1'));
      api.put('pods', pod('default'));
      api.put('pods', pod('custom', { schedulerName: 'my-scheduler' }));
    },
    { schedulerName: 'my-scheduler' },
  );
  assert.deepEqual(api.calls.filter((c) => c.startsWith('bind')), ['bind custom n1']);
  assert.equal(api.events()[0].source.component, 'my-scheduler');
  scheduler.stop();
});

test('Scheduler: a failed binding is an error, retried after the backoff', async () => {
  const { api, clock, scheduler } = await boot((api) => {
    api.failBindings = 1;
    api.put('nodes', node('n1'));
    api.put('pods', pod('web'));
  });
  const failed = api.events().find((e) => e.reason === 'FailedScheduling');
  assert.equal(failed.message, 'running Bind plugin "DefaultBinder": etcdserver: request timed out');
  assert.equal((api.get('pods', 'default/web') as Pod).status?.conditions?.[0].reason, 'SchedulerError');
  clock.advance(1000);
  await idle(scheduler);
  assert.equal(nodeOf(api, 'web'), 'n1');
  scheduler.stop();
});

test('Scheduler: a claim of a WaitForFirstConsumer class learns its node before the pod is bound', async () => {
  const { api, scheduler } = await boot((api) => {
    api.put('storageclasses', { metadata: { name: 'local' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' });
    api.put('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { storageClassName: 'local', resources: { requests: { storage: '1Gi' } } } });
    api.put('nodes', node('n1'));
    api.put('pods', pod('db', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] }));
  });
  assert.deepEqual(
    api.calls.filter((c) => !c.startsWith('create events')),
    ['patch persistentvolumeclaims data', 'bind db n1'],
  );
  assert.equal(api.get('persistentvolumeclaims', 'default/data').metadata.annotations['volume.kubernetes.io/selected-node'], 'n1');
  scheduler.stop();
});

test('Scheduler: a pod deleted while pending is forgotten, and a deleted pod frees its node', async () => {
  const { api, clock, scheduler } = await boot((api) => {
    api.put('nodes', node('n1', { allocatable: { cpu: '1' } }));
    api.put('pods', pod('first', { requests: { cpu: '1' } }));
  });
  api.put('pods', pod('second', { requests: { cpu: '1' } }));
  await idle(scheduler);
  assert.equal(nodeOf(api, 'second'), undefined);
  api.remove('pods', 'default/first');
  await idle(scheduler);
  clock.advance(1000);
  await idle(scheduler);
  assert.equal(nodeOf(api, 'second'), 'n1');
  scheduler.stop();
});

test('Scheduler: with no nodes at all the pod waits, unschedulable, for one to appear', async () => {
  const { api, clock, scheduler } = await boot((api) => api.put('pods', pod('web')));
  const [event] = api.events();
  assert.deepEqual({ message: event.message, kind: event.involvedObject.kind }, { message: 'no nodes available to schedule pods', kind: 'Pod' });
  assert.equal((api.get('pods', 'default/web') as Pod).status?.conditions?.[0].reason, 'Unschedulable');
  api.put('nodes', node('n1'));
  await idle(scheduler);
  clock.advance(1000);
  await idle(scheduler);
  assert.equal(nodeOf(api, 'web'), 'n1');
  scheduler.stop();
});
