// The Endpoints and EndpointSlice controllers against a real API server: ready and not-ready
// Pods, terminating Pods, named target ports resolved per Pod, hostnames, headless Services,
// publishNotReadyAddresses, and Services without selectors left alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../apiserver/testing.js';
import { core } from '../../client/client.js';
import { newContext, type Runnable } from '../runtime/context.js';
import { systemClock } from '../runtime/clock.js';
import { waitFor } from '../runtime/testing.js';
import { endpoints } from '../endpoints/controller.js';
import { endpointSlice } from './controller.js';

let api: TestApiServer;
let ctx: ReturnType<typeof newContext>;
let running: Runnable[];
const ns = 'default';
const slices = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespace: ns };

before(async () => {
  api = await startTestApiServer();
  ctx = newContext(api.newClient('controller-manager'), systemClock, 'fast');
  running = [endpoints.setup(ctx), endpointSlice.setup(ctx)];
  await ctx.informers.start();
  for (const r of running) await r.start();
  await api.client.create(core('nodes'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } });
});
after(async () => {
  for (const r of running) await r.stop();
  ctx.informers.stop();
  await api.stop();
});

async function pod(name: string, opts: { labels?: Record<string, string>; ip: string; ready: boolean; port?: number; hostname?: string; subdomain?: string }) {
  await api.client.create(core('pods', ns), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: opts.labels ?? { app: 'web' } },
    spec: { nodeName: 'node-1', hostname: opts.hostname, subdomain: opts.subdomain, containers: [{ name: 'c', image: 'unyo/web:1', ports: [{ name: 'http', containerPort: opts.port ?? 8080 }] }] },
  });
  await setReady(name, opts.ip, opts.ready);
}

async function setReady(name: string, ip: string, ready: boolean) {
  const status = ready ? 'True' : 'False';
  await api.client.patch(core('pods', ns), name, { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status }, { type: 'ContainersReady', status }] } }, 'merge', { subresource: 'status' });
}

const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { team: 'a' } }, spec });
const getEndpoints = (name: string) => api.client.get(core('endpoints', ns), name).catch(() => undefined) as Promise<any>;
const slicesOf = async (name: string) => (await api.client.list(slices, { labelSelector: `kubernetes.io/service-name=${name}` })).items as any[];

test('ready and not-ready Pods, named target ports per Pod, conditions, labels and owner', async () => {
  await pod('web-1', { ip: '127.64.0.11', ready: true });
  await pod('web-2', { ip: '127.64.0.12', ready: true, port: 9090 });
  await pod('web-3', { ip: '127.64.0.13', ready: false });
  const s: any = await api.client.create(core('services', ns), svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }));

  const ep = await waitFor('endpoints of web', async () => {
    const e = await getEndpoints('web');
    return (e?.subsets ?? []).length === 2 ? e : undefined;
  });
  assert.deepEqual(ep.metadata.labels, { team: 'a' });
  const ref = (n: number) => ({ kind: 'Pod', namespace: ns, name: `web-${n}`, uid: undefined as unknown });
  const strip = (subsets: any[]) => subsets.map((x) => ({ ...x, addresses: x.addresses?.map((a: any) => ({ ...a, targetRef: { ...a.targetRef, uid: undefined } })), notReadyAddresses: x.notReadyAddresses?.map((a: any) => ({ ...a, targetRef: { ...a.targetRef, uid: undefined } })) }));
  assert.deepEqual(JSON.parse(JSON.stringify(strip(ep.subsets))), [
    { addresses: [{ ip: '127.64.0.11', nodeName: 'node-1', targetRef: ref(1) }], notReadyAddresses: [{ ip: '127.64.0.13', nodeName: 'node-1', targetRef: ref(3) }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    { addresses: [{ ip: '127.64.0.12', nodeName: 'node-1', targetRef: ref(2) }], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
  ].map((x) => JSON.parse(JSON.stringify(x))));

  const sl = await waitFor('slices of web', async () => {
    const all = await slicesOf('web');
    return all.reduce((n, x) => n + (x.endpoints ?? []).length, 0) === 3 ? all : undefined;
  });
  assert.equal(sl.length, 2, 'one slice per port list');
  for (const x of sl) {
    assert.equal(x.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(x.metadata.labels.team, 'a');
    assert.deepEqual(x.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: s.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(x.addressType, 'IPv4');
  }
  const byIP = new Map<string, any>(sl.flatMap((x) => x.endpoints.map((e: any) => [e.addresses[0], { ...e, port: x.ports[0].port }])));
  assert.deepEqual(byIP.get('127.64.0.13').conditions, { ready: false, serving: false, terminating: false });
  assert.deepEqual(byIP.get('127.64.0.11').conditions, { ready: true, serving: true, terminating: false });
  assert.equal(byIP.get('127.64.0.11').zone, 'zone-a');
  assert.equal(byIP.get('127.64.0.11').nodeName, 'node-1');
  assert.equal(byIP.get('127.64.0.12').port, 9090);

  // Readiness lost: out of the ready addresses at once, in both.
  await setReady('web-1', '127.64.0.11', false);
  await waitFor('web-1 not ready in Endpoints', async () => ((await getEndpoints('web'))?.subsets ?? []).every((x: any) => !(x.addresses ?? []).some((a: any) => a.ip === '127.64.0.11')));
  await waitFor('web-1 not ready in the slice', async () => (await slicesOf('web')).some((x) => x.endpoints?.some((e: any) => e.addresses[0] === '127.64.0.11' && e.conditions.ready === false)));
});

test('a terminating Pod leaves Endpoints and stays in its slice as terminating, serving while ready', async () => {
  await pod('term-1', { labels: { app: 'term' }, ip: '127.64.0.21', ready: true });
  await pod('term-2', { labels: { app: 'term' }, ip: '127.64.0.22', ready: true });
  await api.client.create(core('services', ns), svc('term', { selector: { app: 'term' }, ports: [{ port: 80, targetPort: 8080 }] }));
  await waitFor('both ready', async () => ((await getEndpoints('term'))?.subsets?.[0]?.addresses ?? []).length === 2);
  // A finalizer keeps the deleted Pod around, terminating, as a node's grace period does.
  await api.client.patch(core('pods', ns), 'term-1', { metadata: { finalizers: ['test.unyo.dev/hold'] } });
  await api.client.delete(core('pods', ns), 'term-1');
  await waitFor('term-1 gone from Endpoints', async () => JSON.stringify((await getEndpoints('term'))?.subsets).includes('127.64.0.21') === false);
  const e = await waitFor('term-1 terminating in the slice', async () => (await slicesOf('term')).flatMap((x) => x.endpoints ?? []).find((x: any) => x.addresses[0] === '127.64.0.21' && x.conditions.terminating));
  assert.deepEqual(e.conditions, { ready: false, serving: true, terminating: true });
  // Its node finishes the deletion once the finalizer is gone (a Pod in its grace period outlives its finalizers).
  await api.client.patch(core('pods', ns), 'term-1', { metadata: { finalizers: null } });
  await api.client.delete(core('pods', ns), 'term-1', { gracePeriodSeconds: 0 });
  await waitFor('term-1 gone from the slice', async () => !JSON.stringify(await slicesOf('term')).includes('127.64.0.21'));
});

test('headless Service with hostnames; publishNotReadyAddresses; no selector left alone; deleted Service', async () => {
  await pod('db-0', { labels: { app: 'db' }, ip: '127.64.0.31', ready: false, hostname: 'db-0', subdomain: 'db' });
  await api.client.create(core('services', ns), svc('db', { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'db' }, ports: [{ port: 5432 }] }));
  const ep = await waitFor('db endpoints', async () => (await getEndpoints('db'))?.subsets?.[0]);
  assert.equal(ep.addresses[0].hostname, 'db-0');
  assert.equal(ep.notReadyAddresses, undefined, 'published while not ready');
  const sl = await waitFor('db slice', async () => (await slicesOf('db'))[0]?.endpoints?.[0]);
  assert.equal(sl.hostname, 'db-0');
  assert.equal(sl.conditions.ready, true);
  assert.equal((await getEndpoints('db')).metadata.labels['service.kubernetes.io/headless'], '');

  await api.client.create(core('services', ns), svc('manual', { ports: [{ port: 80 }] }));
  await api.client.create(core('endpoints', ns), { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '127.1.2.3' }], ports: [{ port: 80 }] }] });
  await api.client.create(core('services', ns), svc('empty', { selector: { app: 'nobody' }, ports: [{ port: 80 }] }));
  const placeholder = await waitFor('placeholder slice', async () => (await slicesOf('empty'))[0]);
  assert.equal((placeholder.endpoints ?? []).length, 0);
  assert.equal((await getEndpoints('manual')).subsets[0].addresses[0].ip, '127.1.2.3', 'a selectorless Service keeps the Endpoints its user wrote');
  assert.equal((await slicesOf('manual')).length, 0);

  await api.client.delete(core('services', ns), 'db');
  await waitFor('db endpoints and slices gone', async () => !(await getEndpoints('db')) && (await slicesOf('db')).length === 0);
});
