// Service allocation through the real API: cluster IPs and node ports, upstream's errors for
// values in use or out of range, release on delete and on type changes, the `kubernetes` Service.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../testing.js';
import { core } from '../../client/client.js';
import { waitFor } from '../../controllers/runtime/testing.js';
import { newContext } from '../../controllers/runtime/context.js';
import { systemClock } from '../../controllers/runtime/clock.js';
import { NamespaceController } from '../../controllers/namespace/controller.js';
import type { ApiError } from '../../api/errors.js';

let api: TestApiServer;
before(async () => {
  api = await startTestApiServer();
});
after(async () => {
  await api.stop();
});

const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80, targetPort: 8080 }], ...spec } });
const services = core('services', 'default');
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as ApiError;
  }
  assert.fail('expected the request to fail');
};

test('a new Service gets a free cluster IP from the dynamic band; headless and ExternalName get none', async () => {
  const a: any = await api.client.create(services, svc('alloc-a', {}));
  assert.match(a.spec.clusterIP, /^127\.16\.(\d+)\.(\d+)$/);
  assert.deepEqual(a.spec.clusterIPs, [a.spec.clusterIP]);
  assert.notEqual(a.spec.clusterIP.split('.')[2], '0', 'dynamic allocations leave the lower band to static requests');
  const headless: any = await api.client.create(services, svc('alloc-headless', { clusterIP: 'None' }));
  assert.equal(headless.spec.clusterIP, 'None');
  const ext: any = await api.client.create(services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'alloc-ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(ext.spec.clusterIP, undefined);
});

test('a requested cluster IP is honoured once; in use or out of range answers upstream errors and stores nothing', async () => {
  const first: any = await api.client.create(services, svc('static-a', { clusterIP: '127.16.0.77' }));
  assert.equal(first.spec.clusterIP, '127.16.0.77');
  const inUse = await failure(api.client.create(services, svc('static-b', { clusterIP: '127.16.0.77' })));
  assert.equal(inUse.code, 422);
  assert.equal(inUse.message, 'Service "static-b" is invalid: spec.clusterIPs: Invalid value: ["127.16.0.77"]: failed to allocate IP 127.16.0.77: provided IP is already allocated');
  const outside = await failure(api.client.create(services, svc('static-c', { clusterIP: '10.96.0.5' })));
  assert.equal(outside.message, 'Service "static-c" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.5"]: failed to allocate IP 10.96.0.5: the provided IP (10.96.0.5) is not in the valid range. The range of valid IPs is 127.16.0.0/16');
  await assert.rejects(api.client.get(services, 'static-b'), (e: ApiError) => e.code === 404);
  // Deleting frees the address at once: another Service may take it.
  await api.client.delete(services, 'static-a');
  const again: any = await api.client.create(services, svc('static-b', { clusterIP: '127.16.0.77' }));
  assert.equal(again.spec.clusterIP, '127.16.0.77');
});

test('dry-run shows an allocation but keeps nothing', async () => {
  const dry: any = await api.client.request('POST', '/api/v1/namespaces/default/services?dryRun=All', svc('dry', { clusterIP: '127.16.0.78' }));
  assert.equal(dry.spec.clusterIP, '127.16.0.78');
  const real: any = await api.client.create(services, svc('dry-real', { clusterIP: '127.16.0.78' }));
  assert.equal(real.spec.clusterIP, '127.16.0.78');
});

test('node ports: allocated for NodePort Services, requested ones checked, shared by equal ports, released on type change', async () => {
  const np: any = await api.client.create(services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'np' },
    spec: { type: 'NodePort', ports: [{ name: 'tcp', port: 53, protocol: 'TCP' }, { name: 'udp', port: 53, protocol: 'UDP' }, { name: 'web', port: 80, nodePort: 30080 }] },
  });
  const [tcp, udp, web] = np.spec.ports;
  assert.ok(tcp.nodePort >= 30000 && tcp.nodePort <= 32767);
  assert.equal(udp.nodePort, tcp.nodePort, 'ports with the same number share a node port');
  assert.equal(web.nodePort, 30080);
  const taken = await failure(api.client.create(services, svc('np2', { type: 'NodePort', ports: [{ port: 81, nodePort: 30080 }] })));
  assert.equal(taken.message, 'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  // A PUT without the allocated values keeps them.
  const current: any = await api.client.get(services, 'np');
  const body = structuredClone(current);
  delete body.spec.clusterIP;
  delete body.spec.clusterIPs;
  for (const p of body.spec.ports) delete p.nodePort;
  const put: any = await api.client.update(services, body);
  assert.equal(put.spec.clusterIP, current.spec.clusterIP);
  assert.deepEqual(put.spec.ports.map((p: any) => p.nodePort), current.spec.ports.map((p: any) => p.nodePort));
  // To ClusterIP: the node ports go, and another Service can take them.
  const asClusterIP = structuredClone(put);
  asClusterIP.spec.type = 'ClusterIP';
  delete asClusterIP.spec.externalTrafficPolicy;
  for (const p of asClusterIP.spec.ports) delete p.nodePort;
  await api.client.update(services, asClusterIP);
  const reuse: any = await api.client.create(services, svc('np3', { type: 'NodePort', ports: [{ port: 81, nodePort: 30080 }] }));
  assert.equal(reuse.spec.ports[0].nodePort, 30080);
});

test('the kubernetes Service: first address of the range, 443 to the API server, with Endpoints and an EndpointSlice', async () => {
  const k: any = await waitFor('kubernetes service', () => api.client.get(services, 'kubernetes'));
  assert.equal(k.spec.clusterIP, '127.16.0.1');
  assert.deepEqual(k.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: api.server.port }]);
  assert.deepEqual(k.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
  const ep: any = await api.client.get(core('endpoints', 'default'), 'kubernetes');
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: api.server.port, protocol: 'TCP' }] }]);
  const slice: any = await api.client.get({ group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespace: 'default' }, 'kubernetes');
  assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'kubernetes');
  assert.deepEqual(slice.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
  const taken = await failure(api.client.create(services, svc('steal', { clusterIP: '127.16.0.1' })));
  assert.match(taken.message, /provided IP is already allocated/);
});

test('a Service deleted with its namespace (by the namespace controller) frees its address', async () => {
  const ctx = newContext(api.newClient('unyo-controller-manager'), systemClock, 'default');
  const namespaces = new NamespaceController(ctx, { deletionGracePeriodMs: 0, workers: 1 });
  await ctx.informers.start();
  namespaces.start();
  try {
    await api.client.create(core('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    await api.client.create(core('services', 'gone'), svc('x', { clusterIP: '127.16.0.90' }));
    await api.client.delete(core('namespaces'), 'gone');
    await waitFor('the address is free again', async () => {
      try {
        await api.client.create(services, svc('after-ns', { clusterIP: '127.16.0.90' }));
        return true;
      } catch {
        return false;
      }
    });
  } finally {
    await namespaces.stop();
    ctx.informers.stop();
  }
});
