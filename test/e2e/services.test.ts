// Services end to end, with the real kubectl against `unyo up --nodes 3 --profile fast`:
// kubectl expose gives a ClusterIP the proxy balances over the ready Pods; Endpoints and
// EndpointSlices follow readiness; NodePort answers on the host; a headless Service resolves
// to Pod IPs through the cluster DNS, which Pods use (loadgen reaches `http://web:8080`);
// containers get the Service variables; a keep-alive client sees no failed request while the
// Pods are replaced one by one; a cluster IP in use is refused with upstream's error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'node:dns/promises';
import { startCluster, removeCluster, kubectl, kubectlBinaries, waitFor, type Cluster } from './harness.js';

const bin = kubectlBinaries()[0]?.path ?? 'kubectl';
let cluster: Cluster;
const k = (args: string[], input?: string) => kubectl(bin, cluster, args, input);
const flags = mkdtempSync(join(tmpdir(), 'unyo-e2e-ready-'));

async function ok(args: string[], input?: string): Promise<string> {
  let out = await k(args, input);
  // A request that never reached the server (the TLS handshake timed out on a loaded machine) is sent again.
  for (let i = 0; i < 3 && out.code !== 0 && /Unable to connect to the server|TLS handshake timeout/.test(out.stderr); i++) out = await k(args, input);
  assert.equal(out.code, 0, `kubectl ${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}

/** A unyo/web Pod whose readiness is a file the test creates and removes. */
function webPod(name: string): string {
  writeFileSync(join(flags, name), '');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [{ name: 'web', image: 'unyo/web:1', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { exec: { command: ['test', '-f', join(flags, name)] }, periodSeconds: 1, failureThreshold: 1 } }],
    },
  });
}

const podIP = async (name: string) => (await ok(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}'])).trim();
const ready = async (name: string) => (await ok(['get', 'pod', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).trim() === 'True';

/** One GET; answers "status body" or throws. */
function get(url: string, agent?: http.Agent): Promise<{ status: number; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: agent ?? false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(err, { reused: req.reusedSocket })));
  });
}

/** A probe for waitFor that reads a failed kubectl (a loaded machine times out now and then) as "not yet". */
const poll = <T>(fn: () => Promise<T>) => async (): Promise<T | undefined> => {
  try {
    return await fn();
  } catch {
    return undefined;
  }
};

const servedBy = (body: string) => /from (\S+)/.exec(body)?.[1];

let clusterIP = '';

before(async () => {
  cluster = await startCluster({ extraArgs: ['--nodes', '3', '--profile', 'fast'], readyTimeoutMs: 180_000 });
  for (const name of ['web-1', 'web-2', 'web-3']) await ok(['apply', '-f', '-'], webPod(name));
  await waitFor('three ready web Pods', poll(async () => (await Promise.all(['web-1', 'web-2', 'web-3'].map(ready))).every(Boolean)), 180_000, 500);
});

after(async () => {
  if (cluster) await removeCluster(cluster);
  rmSync(flags, { recursive: true, force: true });
});

test('kubectl expose: a ClusterIP that answers from the host and balances over the ready Pods', async () => {
  await ok(['expose', 'pod', 'web-1', '--name=web', '--selector=app=web', '--port=8080', '--target-port=http']);
  clusterIP = (await ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  assert.match(clusterIP, /^127\.16\.\d+\.\d+$/);
  const ips = await Promise.all(['web-1', 'web-2', 'web-3'].map(podIP));
  await waitFor('three ready endpoints', poll(async () => {
    const out = await ok(['get', 'endpoints,endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'wide']);
    const eps = await ok(['get', 'endpoints', 'web']);
    return ips.every((ip) => eps.includes(`${ip}:8080`)) && ips.every((ip) => out.includes(ip)) ? eps + out : undefined;
  }), 60_000, 300);
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const res = await get(`http://${clusterIP}:8080/`);
    assert.equal(res.status, 200);
    seen.add(servedBy(res.body)!);
  }
  assert.deepEqual([...seen].sort(), ['web-1', 'web-2', 'web-3']);
});

test('a Pod whose readiness fails leaves Endpoints, EndpointSlices and the rotation at once', async () => {
  const ip = await podIP('web-2');
  rmSync(join(flags, 'web-2'));
  await waitFor('web-2 not ready in Endpoints', poll(async () => !(await ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).includes(ip)), 60_000, 200);
  const slice = await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json']);
  const ep = JSON.parse(slice).items.flatMap((s: any) => s.endpoints ?? []).find((e: any) => e.addresses[0] === ip);
  assert.equal(ep.conditions.ready, false);
  assert.match(await ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].notReadyAddresses[*].ip}']), new RegExp(ip.replace(/\./g, '\\.')));
  // The proxy reads the slices: give its watch a moment, then web-2 gets nothing.
  await waitFor('the proxy to drop web-2', poll(async () => {
    for (let i = 0; i < 6; i++) if (servedBy((await get(`http://${clusterIP}:8080/`)).body) === 'web-2') return false;
    return true;
  }), 20_000, 100);
  for (let i = 0; i < 30; i++) assert.notEqual(servedBy((await get(`http://${clusterIP}:8080/`)).body), 'web-2');
  writeFileSync(join(flags, 'web-2'), '');
  await waitFor('web-2 ready again', poll(async () => (await ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).includes(ip)), 60_000, 200);
});

test('NodePort answers on 127.0.0.1:nodePort', async () => {
  await ok(['create', 'service', 'nodeport', 'web-np', '--tcp=8080:8080']);
  await ok(['patch', 'service', 'web-np', '-p', '{"spec":{"selector":{"app":"web"}}}']);
  const nodePort = Number((await ok(['get', 'svc', 'web-np', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim());
  assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
  const res = await waitFor('the node port to answer', poll(async () => get(`http://127.0.0.1:${nodePort}/`).catch(() => undefined)), 20_000, 200);
  assert.equal(res.status, 200);
  assert.match(res.body, /web 1 from web-\d/);
});

test('a headless Service resolves to the Pod IPs through the cluster DNS; Pods resolve `web` and `web.default.svc.cluster.local`', async () => {
  await ok(['create', 'service', 'clusterip', 'web-headless', '--clusterip=None', '--tcp=8080:8080']);
  await ok(['patch', 'service', 'web-headless', '-p', '{"spec":{"selector":{"app":"web"}}}']);
  const ips = (await Promise.all(['web-1', 'web-2', 'web-3'].map(podIP))).sort();
  const dns = new Resolver();
  dns.setServers(['127.16.0.10']);
  const got = await waitFor('three A records', poll(async () => {
    const a = (await dns.resolve4('web-headless.default.svc.cluster.local').catch(() => [])).sort();
    return a.length === 3 ? a : undefined;
  }), 60_000, 300);
  assert.deepEqual(got, ips);
  assert.deepEqual(await dns.resolve4('web.default.svc.cluster.local'), [clusterIP]);
  await assert.rejects(dns.resolve4('nothing.default.svc.cluster.local'), (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND');

  // Pods: loadgen by the short name and by the full one, through the Pod's resolv.conf.
  for (const [name, url] of [['lg-short', 'http://web:8080/'], ['lg-full', 'http://web.default.svc.cluster.local:8080/']]) {
    await ok(['run', name, '--image=unyo/loadgen:1', '--restart=Never', '--env', `URL=${url}`, '--env', 'RATE=20', '--env', 'DURATION=3']);
  }
  for (const name of ['lg-short', 'lg-full']) {
    const logs = await waitFor(`${name} to finish`, poll(async () => {
      const out = await k(['logs', name]);
      return /total ok=\d+ failed=\d+/.test(out.stdout) ? out.stdout : undefined;
    }), 60_000, 500);
    const total = /total ok=(\d+) failed=(\d+)/.exec(logs)!;
    assert.ok(Number(total[1]) > 0, logs);
    assert.equal(total[2], '0', logs);
  }
});

test('containers get the Service environment variables', async () => {
  await ok(['run', 'envcheck', '--image=unyo/busybox', '--restart=Never', '--command', '--', 'sh', '-c', 'env | sort']);
  const logs = await waitFor('envcheck output', poll(async () => {
    const out = await k(['logs', 'envcheck']);
    return out.stdout.includes('WEB_SERVICE_HOST') ? out.stdout : undefined;
  }), 60_000, 500);
  assert.match(logs, new RegExp(`^WEB_SERVICE_HOST=${clusterIP.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(logs, /^WEB_SERVICE_PORT=8080$/m);
  assert.match(logs, new RegExp(`^WEB_PORT_8080_TCP=tcp://${clusterIP.replace(/\./g, '\\.')}:8080$`, 'm'));
  assert.match(logs, /^KUBERNETES_SERVICE_HOST=127\.16\.0\.1$/m);
  assert.match(logs, /^KUBERNETES_SERVICE_PORT=443$/m);
});

test('a keep-alive client hammering the ClusterIP sees no failed request while the Pods are replaced one by one', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let okCount = 0;
  const failures: string[] = [];
  let stop = false;
  // Four clients in a loop; a request on a reused connection that the server closed just as it
  // was reused is sent again once, as browsers and HTTP libraries do (and unyo/loadgen).
  const client = async () => {
    while (!stop) {
      try {
        let res;
        try {
          res = await get(`http://${clusterIP}:8080/`, agent);
        } catch (err) {
          if (!(err as { reused?: boolean }).reused) throw err;
          res = await get(`http://${clusterIP}:8080/`, agent);
        }
        if (res.status === 200) okCount++;
        else failures.push(`status ${res.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const clients = [client(), client(), client(), client()];
  try {
    for (const name of ['web-1', 'web-2', 'web-3']) {
      await ok(['delete', 'pod', name, '--wait=true']);
      await ok(['apply', '-f', '-'], webPod(name));
      await waitFor(`${name} ready again`, poll(() => ready(name)), 90_000, 300);
      const ip = await podIP(name);
      await waitFor(`${name} in the endpoints`, poll(async () => (await ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).includes(ip)), 60_000, 200);
    }
  } finally {
    stop = true;
    await Promise.all(clients);
    agent.destroy();
  }
  console.log(`hammer: ${okCount} ok, ${failures.length} failed`);
  assert.ok(okCount > 50, `only ${okCount} requests answered`);
  assert.deepEqual(failures, []);
});

test('kubectl create service with a cluster IP in use fails with upstream\'s error and changes nothing', async () => {
  const before = await ok(['get', 'svc', '-o', 'name']);
  const out = await k(['create', 'service', 'clusterip', 'x', '--tcp=80:8080', `--clusterip=${clusterIP}`]);
  assert.notEqual(out.code, 0);
  assert.equal(out.stderr.trim(), `error: failed to create ClusterIP service: Service "x" is invalid: spec.clusterIPs: Invalid value: ["${clusterIP}"]: failed to allocate IP ${clusterIP}: provided IP is already allocated`);
  assert.equal(await ok(['get', 'svc', '-o', 'name']), before);
  assert.match((await k(['get', 'svc', 'x'])).stderr, /NotFound/);
  assert.equal((await ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim(), clusterIP);
});
