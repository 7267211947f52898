// The Deployment and ReplicaSet controllers together against an in-process API server. No
// agents run: a stand-in kubelet marks every new Pod Ready through pods/status, except Pods of
// unyo/web:broken, which never become ready. The clock is injected (progressDeadlineSeconds).
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { core } from '../../client/client.js';
import { Informer } from '../../client/informer.js';
import { FakeClock } from '../runtime/clock.js';
import { newContext } from '../runtime/context.js';
import { isPodReady, type Pod } from '../runtime/pods.js';
import { ReplicaSetController } from '../replicaset/controller.js';
import { replicaSetsRef, type ReplicaSet } from '../replicaset/types.js';
import { DeploymentController } from './controller.js';
import { deploymentsRef, type Deployment } from './types.js';

let api: TestApiServer;
before(async () => {
  api = await startTestApiServer();
});
after(async () => {
  await api.stop();
});

const rfc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const image = (o: { spec?: any }) => o.spec?.template?.spec?.containers?.[0]?.image ?? o.spec?.containers?.[0]?.image;
const cond = (d: Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);

interface Harness {
  namespace: string;
  clock: FakeClock;
  until<T>(what: string, check: () => T | Promise<T>, timeoutMs?: number): Promise<NonNullable<Awaited<T>>>;
  deployment(name: string): Promise<Deployment>;
  replicaSets(): Promise<ReplicaSet[]>;
  pods(): Promise<Pod[]>;
  events(reason?: string): Promise<any[]>;
  /** Every Progressing reason the Deployment has shown, in order. */
  progressingReasons(name: string): string[];
  /** The fewest Ready Pods (not being deleted) seen for a selector since the call. */
  watchReady(app: string): { min(): number };
}

let nsCount = 0;
async function harness(t: TestContext): Promise<Harness> {
  const namespace = `deploy-${++nsCount}`;
  await api.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const clock = new FakeClock(Date.now());
  const ctx = newContext(api.newClient('deployment-test'), clock, 'fast');
  const rsc = new ReplicaSetController(ctx, { log: () => undefined });
  const dc = new DeploymentController(ctx, { log: () => undefined });
  // The stand-in kubelet.
  const pods = new Informer<Pod>(api.newClient('kubelet-test'), core('pods', namespace));
  const ready = async (p: Pod) => {
    if (p.metadata.deletionTimestamp || isPodReady(p) || image(p) === 'unyo/web:broken') return;
    await api.client
      .patch(core('pods', namespace), p.metadata.name!, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc(clock.now()) }] } }, 'merge', { subresource: 'status' })
      .catch(() => undefined);
  };
  const watchers: Array<() => void> = [];
  const deployments = new Informer<Deployment>(api.newClient('observer-test'), deploymentsRef(namespace));
  const reasons = new Map<string, string[]>();
  const noteReason = (d: Deployment) => {
    const seen = reasons.get(d.metadata.name!) ?? [];
    const r = cond(d, 'Progressing')?.reason;
    if (r && seen.at(-1) !== r) seen.push(r);
    reasons.set(d.metadata.name!, seen);
  };
  deployments.on({ add: noteReason, update: (_o, d) => noteReason(d) });
  deployments.start();
  pods.on({ add: (p) => void ready(p), update: (_o, p) => (void ready(p), watchers.forEach((w) => w())), delete: () => watchers.forEach((w) => w()) });
  pods.start();
  await ctx.informers.start();
  rsc.start();
  dc.start();
  // Stop even when the test fails: controllers left running would act on later tests' namespaces.
  t.after(async () => {
    deployments.stop();
    pods.stop();
    await dc.stop();
    await rsc.stop();
    ctx.informers.stop();
  });
  const until = async <T,>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<Awaited<T>>> => {
    const deadline = Date.now() + timeoutMs;
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
    until,
    deployment: (name) => api.client.get<Deployment>(deploymentsRef(namespace), name),
    replicaSets: async () => (await api.client.list<ReplicaSet>(replicaSetsRef(namespace))).items,
    pods: async () => (await api.client.list<Pod>(core('pods', namespace))).items.filter((p) => !p.metadata.deletionTimestamp),
    events: async (reason) => ((await api.client.list(core('events', namespace))).items as any[]).filter((e) => !reason || e.reason === reason),
    watchReady: (app) => {
      let min = Infinity;
      const count = () => pods.list().filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp && isPodReady(p)).length;
      watchers.push(() => (min = Math.min(min, count())));
      min = count();
      return { min: () => min };
    },
    progressingReasons: (name) => reasons.get(name) ?? [],
  };
}

function deployment(namespace: string, name: string, replicas: number, extra: { image?: string; spec?: Record<string, unknown>; annotations?: Record<string, string> } = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, annotations: extra.annotations },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: extra.image ?? 'unyo/web:1' }] } },
      ...(extra.spec ?? {}),
    },
  } as Deployment;
}

/** The rollout is over: every replica updated and available, status observed (what `kubectl rollout status` waits for). */
async function rolledOut(h: Harness, name: string, img?: string): Promise<Deployment> {
  return h.until(`${name} rolled out${img ? ` to ${img}` : ''}`, async () => {
    const d = await h.deployment(name);
    const s = d.status ?? {};
    const want = d.spec.replicas;
    const done = (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want;
    return done && (!img || image(d) === img) && cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' ? d : undefined;
  });
}

const setImage = (h: Harness, name: string, img: string) =>
  api.client.patch(deploymentsRef(h.namespace), name, { spec: { template: { spec: { containers: [{ name: 'web', image: img }] } } } }, 'strategic');

test('a new Deployment gets a hashed ReplicaSet at revision 1, its Pods, complete status and a ScalingReplicaSet event', async (t) => {
  const h = await harness(t);
  await api.client.create(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 3, { annotations: { 'kubernetes.io/change-cause': 'first' } }));
  const d = await rolledOut(h, 'web');
  const [rs] = await h.replicaSets();
  const hash = rs.metadata.labels!['pod-template-hash'];
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.deepEqual(rs.spec.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.deepEqual(rs.spec.template.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
  assert.equal(rs.metadata.ownerReferences?.[0]?.uid, d.metadata.uid);
  assert.deepEqual(rs.metadata.annotations, {
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4',
    'kubernetes.io/change-cause': 'first',
  });
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  const pods = await h.pods();
  assert.equal(pods.length, 3);
  for (const p of pods) assert.equal(p.metadata.labels?.['pod-template-hash'], hash);
  assert.deepEqual({ ...d.status, conditions: undefined }, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: undefined });
  assert.equal(cond(d, 'Available')?.status, 'True');
  assert.equal(cond(d, 'Available')?.reason, 'MinimumReplicasAvailable');
  assert.equal(cond(d, 'Progressing')?.message, `ReplicaSet "${rs.metadata.name}" has successfully progressed.`);
  const scaled = await h.until('event', async () => (await h.events('ScalingReplicaSet'))[0]);
  assert.equal(scaled.message, `Scaled up replica set ${rs.metadata.name} from 0 to 3`);
  assert.equal(scaled.involvedObject.kind, 'Deployment');
  assert.equal(scaled.source.component, 'deployment-controller');
});

test('a rolling update with maxUnavailable 0 never has fewer Ready Pods than replicas, and records revision 2 with its change-cause', async (t) => {
  const h = await harness(t);
  await api.client.create(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 3, { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } }));
  await rolledOut(h, 'web');
  const ready = h.watchReady('web');
  await api.client.patch(deploymentsRef(h.namespace), 'web', { metadata: { annotations: { 'kubernetes.io/change-cause': 'to v2' } }, spec: { template: { spec: { containers: [{ name: 'web', image: 'unyo/web:2' }] } } } }, 'strategic');
  const d = await rolledOut(h, 'web', 'unyo/web:2');
  assert.ok(ready.min() >= 3, `only ${ready.min()} Ready Pods at some point`);
  const rss = await h.replicaSets();
  const [newRS] = rss.filter((rs) => image(rs) === 'unyo/web:2');
  const [oldRS] = rss.filter((rs) => image(rs) === 'unyo/web:1');
  assert.equal(newRS.spec.replicas, 3);
  assert.equal(oldRS.spec.replicas, 0);
  assert.equal(newRS.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.equal(newRS.metadata.annotations?.['kubernetes.io/change-cause'], 'to v2');
  assert.equal(oldRS.metadata.annotations?.['kubernetes.io/change-cause'], undefined);
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  const scaling = (await h.events('ScalingReplicaSet')).map((e) => e.message);
  assert.ok(scaling.includes(`Scaled up replica set ${newRS.metadata.name} from 0 to 1`), scaling.join('\n'));
  assert.ok(scaling.includes(`Scaled down replica set ${oldRS.metadata.name} from 3 to 2`), scaling.join('\n'));
});

test('rolling back as kubectl does (patching the old template) reuses the old ReplicaSet and bumps its revision', async (t) => {
  const h = await harness(t);
  await api.client.create(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 2, { annotations: { 'kubernetes.io/change-cause': 'v1' } }));
  await rolledOut(h, 'web');
  await api.client.patch(deploymentsRef(h.namespace), 'web', { metadata: { annotations: { 'kubernetes.io/change-cause': 'v2' } }, spec: { template: { spec: { containers: [{ name: 'web', image: 'unyo/web:2' }] } } } }, 'strategic');
  await rolledOut(h, 'web', 'unyo/web:2');
  const rev1 = (await h.replicaSets()).find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
  // kubectl rollout undo: the old template without its hash label, and the old ReplicaSet's annotations.
  const template = structuredClone(rev1.spec.template);
  delete template.metadata!.labels!['pod-template-hash'];
  const annotations = Object.fromEntries(Object.entries(rev1.metadata.annotations!).filter(([k]) => !k.startsWith('deployment.kubernetes.io/')));
  await api.client.patch(deploymentsRef(h.namespace), 'web', [{ op: 'replace', path: '/spec/template', value: template }, { op: 'replace', path: '/metadata/annotations', value: annotations }], 'json');
  const d = await rolledOut(h, 'web', 'unyo/web:1');
  const rss = await h.replicaSets();
  assert.equal(rss.length, 2, 'no third ReplicaSet');
  const reused = rss.find((rs) => rs.metadata.uid === rev1.metadata.uid)!;
  assert.equal(reused.spec.replicas, 2);
  assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(reused.metadata.annotations?.['kubernetes.io/change-cause'], 'v1');
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
});

test('the deprecated rollback annotation rolls back to a revision, or warns when there is none', async (t) => {
  const h = await harness(t);
  await api.client.create(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 1));
  await rolledOut(h, 'web');
  await setImage(h, 'web', 'unyo/web:2');
  await rolledOut(h, 'web', 'unyo/web:2');
  await api.client.patch(deploymentsRef(h.namespace), 'web', { metadata: { annotations: { 'deprecated.deployment.rollback.to': '9' } } }, 'merge');
  const warning = await h.until('not found', async () => (await h.events('DeploymentRollbackRevisionNotFound'))[0]);
  assert.equal(warning.message, 'Unable to find the revision to rollback to.');
  assert.equal((await h.deployment('web')).metadata.annotations?.['deprecated.deployment.rollback.to'], undefined);
  await api.client.patch(deploymentsRef(h.namespace), 'web', { metadata: { annotations: { 'deprecated.deployment.rollback.to': '0' } } }, 'merge');
  const d = await rolledOut(h, 'web', 'unyo/web:1');
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  const done = await h.until('rolled back', async () => (await h.events('DeploymentRollback'))[0]);
  assert.equal(done.message, 'Rolled back deployment "web" to revision 1');
});

test('revisionHistoryLimit keeps only that many old ReplicaSets', async (t) => {
  const h = await harness(t);
  await api.client.create(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 1, { spec: { revisionHistoryLimit: 1 } }));
  for (const v of ['1', '2', '3', '4']) {
    if (v !== '1') await setImage(h, 'web', `unyo/web:${v}`);
    await rolledOut(h, 'web', `unyo/web:${v}`);
  }
  const rss = await h.until('pruned', async () => {
    const list = await h.replicaSets();
    return list.length === 2 ? list : undefined;
  });
  assert.deepEqual(rss.map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort(), ['3', '4']);
});

test('paused: a template change does not roll out, scaling still works; resuming rolls out', async (t) => {
  const h = await harness(t);
  await api.client.create(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 2));
  await rolledOut(h, 'web');
  await api.client.patch(deploymentsRef(h.namespace), 'web', { spec: { paused: true } }, 'merge');
  const paused = await h.until('paused condition', async () => {
    const d = await h.deployment('web');
    return cond(d, 'Progressing')?.reason === 'DeploymentPaused' ? d : undefined;
  });
  assert.equal(cond(paused, 'Progressing')?.status, 'Unknown');
  assert.equal(cond(paused, 'Progressing')?.message, 'Deployment is paused');
  await setImage(h, 'web', 'unyo/web:2');
  await api.client.patch(deploymentsRef(h.namespace), 'web', { spec: { replicas: 4 } }, 'merge');
  await h.until('scaled while paused', async () => (await h.pods()).length === 4 && (await h.deployment('web')).status?.availableReplicas === 4);
  const rss = await h.replicaSets();
  assert.equal(rss.length, 1, 'no new ReplicaSet while paused');
  assert.equal(image(rss[0]), 'unyo/web:1');
  await api.client.patch(deploymentsRef(h.namespace), 'web', { spec: { paused: false } }, 'merge');
  await rolledOut(h, 'web', 'unyo/web:2');
  const reasons = await h.until('the last reason observed', () => (h.progressingReasons('web').at(-1) === 'NewReplicaSetAvailable' ? h.progressingReasons('web') : undefined));
  assert.deepEqual(reasons.slice(reasons.indexOf('DeploymentPaused')), ['DeploymentPaused', 'DeploymentResumed', 'NewReplicaSetCreated', 'ReplicaSetUpdated', 'NewReplicaSetAvailable']);
  assert.equal((await h.pods()).filter((p) => image(p) === 'unyo/web:2').length, 4);
});

test('a broken template stalls without taking Ready Pods away, times out after progressDeadlineSeconds, and recovers on rollback', async (t) => {
  const h = await harness(t);
  await api.client.create(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 3, { spec: { progressDeadlineSeconds: 10 } }));
  await rolledOut(h, 'web');
  const ready = h.watchReady('web');
  await setImage(h, 'web', 'unyo/web:broken');
  await h.until('surge Pod created', async () => (await h.pods()).some((p) => image(p) === 'unyo/web:broken'));
  const stalled = await h.until('stalled', async () => {
    const d = await h.deployment('web');
    return d.status?.updatedReplicas === 1 && (d.metadata.generation ?? 0) === d.status.observedGeneration ? d : undefined;
  });
  assert.equal(stalled.status?.availableReplicas, 3);
  assert.equal(cond(stalled, 'Available')?.status, 'True');
  assert.notEqual(cond(stalled, 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  h.clock.advance(12_000);
  const timedOut = await h.until('ProgressDeadlineExceeded', async () => {
    const d = await h.deployment('web');
    return cond(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? d : undefined;
  });
  const broken = (await h.replicaSets()).find((rs) => image(rs) === 'unyo/web:broken')!;
  assert.equal(cond(timedOut, 'Progressing')?.status, 'False');
  assert.equal(cond(timedOut, 'Progressing')?.message, `ReplicaSet "${broken.metadata.name}" has timed out progressing.`);
  assert.equal(ready.min(), 3, 'no Ready Pod was taken away');
  await setImage(h, 'web', 'unyo/web:1');
  const d = await rolledOut(h, 'web', 'unyo/web:1');
  assert.equal(cond(d, 'Progressing')?.status, 'True');
  await h.until('broken ReplicaSet scaled to 0', async () => (await h.replicaSets()).find((rs) => rs.metadata.uid === broken.metadata.uid)?.spec.replicas === 0);
});

test('Recreate scales the old ReplicaSet to 0 and waits for its Pods to go before creating the new one', async (t) => {
  const h = await harness(t);
  await api.client.create(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 2, { spec: { strategy: { type: 'Recreate' } } }));
  await rolledOut(h, 'web');
  let mixed = false;
  const check = setInterval(async () => {
    const pods = await h.pods().catch(() => []);
    if (pods.some((p) => image(p) === 'unyo/web:1') && pods.some((p) => image(p) === 'unyo/web:2')) mixed = true;
  }, 10);
  await setImage(h, 'web', 'unyo/web:2');
  await rolledOut(h, 'web', 'unyo/web:2');
  clearInterval(check);
  assert.equal(mixed, false, 'old and new Pods never run together');
  const scaling = (await h.events('ScalingReplicaSet')).map((e) => e.message);
  assert.ok(scaling.some((m) => /^Scaled down replica set web-\w+ from 2 to 0$/.test(m)), scaling.join('\n'));
  assert.ok(scaling.some((m) => /^Scaled up replica set web-\w+ from 0 to 2$/.test(m)), scaling.join('\n'));
});

test('scaling in the middle of a rollout spreads the new replicas in proportion', async (t) => {
  const h = await harness(t);
  await api.client.create(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 10, { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } } }));
  await rolledOut(h, 'web');
  await setImage(h, 'web', 'unyo/web:broken');
  // The worked example of rolling.ts with Pods that never become ready: old 8, new 5.
  await h.until('stalled at 8/5', async () => {
    const rss = await h.replicaSets();
    return rss.find((rs) => image(rs) === 'unyo/web:1')?.spec.replicas === 8 && rss.find((rs) => image(rs) === 'unyo/web:broken')?.spec.replicas === 5;
  });
  await api.client.patch(deploymentsRef(h.namespace), 'web', { spec: { replicas: 15 } }, 'merge');
  // 15 + 3 surge = 18 allowed, 5 to add: old 8 x 18/13 = 11.1 -> 11 (+3), new 5 x 18/13 = 6.9 -> 7 (+2).
  const rss = await h.until('scaled proportionally', async () => {
    const list = await h.replicaSets();
    return list.every((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'] === '15') ? list : undefined;
  });
  assert.equal(rss.find((rs) => image(rs) === 'unyo/web:1')?.spec.replicas, 11);
  assert.equal(rss.find((rs) => image(rs) === 'unyo/web:broken')?.spec.replicas, 7);
});

test('an orphan ReplicaSet the selector matches is adopted and, as an old ReplicaSet, scaled down', async (t) => {
  const h = await harness(t);
  const orphan: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'stray', namespace: h.namespace, labels: { app: 'web' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web', stray: 'yes' } }, template: { metadata: { labels: { app: 'web', stray: 'yes' } }, spec: { containers: [{ name: 'web', image: 'unyo/web:0' }] } } },
  };
  await api.client.create(replicaSetsRef(h.namespace), orphan);
  await h.until('stray pods', async () => (await h.pods()).length === 2);
  const created = await api.client.create<Deployment>(deploymentsRef(h.namespace), deployment(h.namespace, 'web', 2));
  await rolledOut(h, 'web');
  const stray = await h.until('adopted and scaled down', async () => {
    const rs = (await h.replicaSets()).find((r) => r.metadata.name === 'stray');
    return rs && rs.metadata.ownerReferences?.[0]?.uid === created.metadata.uid && rs.spec.replicas === 0 ? rs : undefined;
  });
  assert.equal(stray.metadata.ownerReferences?.[0]?.controller, true);
  await h.until('stray pods gone', async () => (await h.pods()).every((p) => image(p) === 'unyo/web:1'));
});
