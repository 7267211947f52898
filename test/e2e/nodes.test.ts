// Pods really run: `unyo up --nodes 2` registers Ready nodes, the scheduler places Pods, the
// agents run them as host processes on their own loopback addresses, and kubectl logs,
// restart back-off and deletion behave as on a real cluster. Stopping leaves no process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, removeCluster, kubectl, kubectlBinaries, type Cluster } from './harness.js';

const bin = kubectlBinaries()[0]?.path ?? 'kubectl';
let cluster: Cluster;
const k = (args: string[], input?: string) => kubectl(bin, cluster, args, input);

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

before(async () => {
  cluster = await startCluster({ extraArgs: ['--nodes', '2', '--profile', 'fast'] });
});

/** Agents a test started itself (not children of `unyo up`): stopped before the cluster. */
const restartedAgents: ChildProcess[] = [];

after(async () => {
  for (const agent of restartedAgents)
    await new Promise<void>((done) => {
      if (agent.exitCode !== null || agent.signalCode !== null) return done();
      agent.once('exit', () => done());
      agent.kill('SIGTERM');
    });
  const dataDir = cluster.dataDir;
  await removeCluster(cluster);
  // Every container was a child of an agent; none may outlive `unyo up`.
  const left = spawnSync('sh', ['-c', `ps -eo pid,args | grep -F ${JSON.stringify(dataDir)} | grep -v grep || true`], { encoding: 'utf8' }).stdout.trim();
  assert.equal(left, '', `processes left behind:\n${left}`);
});

test('nodes register Ready with zones', async () => {
  const out = await k(['get', 'nodes', '-L', 'topology.kubernetes.io/zone']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /node-1\s+Ready/);
  assert.match(out.stdout, /node-2\s+Ready/);
  assert.match(out.stdout, /zone-a/);
  assert.match(out.stdout, /zone-b/);
});

test('kubectl run gives a Running, Ready pod whose podIP:8080 answers', async () => {
  const run = await k(['run', 'web', '--image=unyo/web:1', '--port', '8080']);
  assert.equal(run.code, 0, run.stderr);
  const wait = await k(['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s']);
  assert.equal(wait.code, 0, wait.stderr);
  const ip = (await k(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
  assert.match(ip, /^127\.\d+\.\d+\.\d+$/);
  const res = await fetch(`http://${ip}:8080/`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^1\b/);
  const logs = await until('web logs', async () => {
    const r = await k(['logs', 'web']);
    return r.code === 0 && r.stdout.includes('listening') ? r.stdout : undefined;
  });
  assert.match(logs, /listening/);
  const describe = await k(['describe', 'pod', 'web']);
  assert.match(describe.stdout, /Scheduled/);
  assert.match(describe.stdout, /Started/);
});

test('the agent reports Pod and container CPU and memory through the nodes/proxy subresource', async () => {
  const node = (await k(['get', 'pod', 'web', '-o', 'jsonpath={.spec.nodeName}'])).stdout.trim();
  const raw = async (path: string) => {
    const r = await k(['get', '--raw', `/api/v1/nodes/${node}/proxy/${path}`]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const summary = async () => JSON.parse(await raw('stats/summary'));
  const first = await summary();
  assert.equal(first.node.nodeName, node);
  const web = first.pods.find((p: any) => p.podRef.name === 'web');
  assert.ok(web, `web in ${JSON.stringify(first.pods.map((p: any) => p.podRef))}`);
  assert.ok(web.memory.workingSetBytes > 1e6, `a node process uses more than 1 MB: ${web.memory.workingSetBytes}`);
  assert.ok(web.containers[0].cpu.usageCoreNanoSeconds > 0);
  const second = await until('a CPU rate', async () => {
    const s = await summary();
    return s.pods.find((p: any) => p.podRef.name === 'web')?.cpu.usageNanoCores !== undefined ? s : undefined;
  });
  assert.ok(second.node.memory.workingSetBytes >= web.memory.workingSetBytes);
  assert.match(await raw('metrics/resource'), /^container_memory_working_set_bytes\{container="web",namespace="default",pod="web"\} \d+/m);
  const missing = await k(['get', '--raw', '/api/v1/nodes/nope/proxy/stats/summary']);
  assert.match(missing.stderr, /NotFound/);
});

test('a crashing container goes into CrashLoopBackOff with growing restarts and --previous logs', async () => {
  const pod = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'crash' },
    spec: { containers: [{ name: 'c', image: 'unyo/busybox:1', command: ['sh', '-c', 'echo attempt; exit 3'] }] },
  });
  assert.equal((await k(['apply', '-f', '-'], pod)).code, 0);
  await until('two restarts', async () => {
    const r = await k(['get', 'pod', 'crash', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']);
    return Number(r.stdout) >= 2 ? true : undefined;
  }, 60_000);
  const status = await until('CrashLoopBackOff', async () => {
    const r = await k(['get', 'pod', 'crash']);
    return /CrashLoopBackOff/.test(r.stdout) ? r.stdout : undefined;
  });
  assert.match(status, /CrashLoopBackOff/);
  const prev = await k(['logs', 'crash', '--previous']);
  assert.equal(prev.code, 0, prev.stderr);
  assert.match(prev.stdout, /attempt/);
  const last = await k(['get', 'pod', 'crash', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}']);
  assert.equal(last.stdout, '3');
});

test('an image the runtime cannot run reports ErrImagePull and affects nothing else', async () => {
  assert.equal((await k(['run', 'nope', '--image=nginx:1.27'])).code, 0);
  const reason = await until('ErrImagePull', async () => {
    const r = await k(['get', 'pod', 'nope', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}']);
    return /ErrImagePull|ImagePullBackOff/.test(r.stdout) ? r.stdout : undefined;
  });
  assert.match(reason, /ErrImagePull|ImagePullBackOff/);
  const web = await k(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}']);
  assert.equal(web.stdout, 'Running');
});

test('deleting a pod stops its process and removes it', async () => {
  const ip = (await k(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
  const del = await k(['delete', 'pod', 'web', '--timeout=60s']);
  assert.equal(del.code, 0, del.stderr);
  await assert.rejects(fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(2000) }));
  const get = await k(['get', 'pod', 'web']);
  assert.match(get.stderr, /NotFound/);
});

test('an unschedulable pod stays Pending with a FailedScheduling event', async () => {
  const pod = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'huge' },
    spec: { containers: [{ name: 'c', image: 'unyo/web:1', resources: { requests: { cpu: '500' } } }] },
  });
  assert.equal((await k(['apply', '-f', '-'], pod)).code, 0);
  const events = await until('FailedScheduling', async () => {
    const r = await k(['get', 'events', '--field-selector', 'involvedObject.name=huge,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}']);
    return r.stdout.includes('Insufficient cpu') ? r.stdout : undefined;
  });
  assert.match(events, /0\/2 nodes are available/);
  const phase = await k(['get', 'pod', 'huge', '-o', 'jsonpath={.status.phase}']);
  assert.equal(phase.stdout, 'Pending');
});

test('an agent restarted after kill -9 re-adopts running containers and stops those of pods deleted meanwhile', async () => {
  const podOn = (name: string) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'unyo/web:1', ports: [{ containerPort: 8080 }] }] } });
  for (const name of ['keep', 'gone']) assert.equal((await k(['apply', '-f', '-'], podOn(name))).code, 0);
  for (const name of ['keep', 'gone']) assert.equal((await k(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s'])).code, 0);
  const field = async (pod: string, path: string) => (await k(['get', 'pod', pod, '-o', `jsonpath={${path}}`])).stdout.trim();
  const keepId = await field('keep', '.status.containerStatuses[0].containerID');
  const keepIP = await field('keep', '.status.podIP');
  const goneIP = await field('gone', '.status.podIP');
  assert.match(keepId, /^unyo:\/\//);

  const info = JSON.parse(readFileSync(join(cluster.dataDir, 'cluster.json'), 'utf8'));
  const agent = info.components.find((c: any) => c.name === 'node-1');
  const argv = readFileSync(`/proc/${agent.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  process.kill(agent.pid, 'SIGKILL');
  // While the agent is down the Pod goes from the API (as when it is deleted by force).
  assert.equal((await k(['delete', 'pod', 'gone', '--force', '--grace-period=0'])).code, 0);
  assert.equal((await fetch(`http://${goneIP}:8080/`)).status, 200, 'containers outlive their agent');

  const restarted = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  restartedAgents.push(restarted);
  await until('the deleted pod\'s container stopped', async () => {
    try {
      await fetch(`http://${goneIP}:8080/`, { signal: AbortSignal.timeout(1000) });
      return undefined;
    } catch {
      return true;
    }
  }, 60_000);
  await until('keep Ready again', async () => ((await field('keep', '.status.conditions[?(@.type=="Ready")].status')) === 'True' ? true : undefined), 60_000);
  assert.equal(await field('keep', '.status.containerStatuses[0].containerID'), keepId, 'the running container was adopted, not started again');
  assert.equal(await field('keep', '.status.containerStatuses[0].restartCount'), '0');
  assert.equal((await fetch(`http://${keepIP}:8080/`)).status, 200);
  assert.equal((await k(['delete', 'pod', 'keep', '--timeout=60s'])).code, 0);
  await assert.rejects(fetch(`http://${keepIP}:8080/`, { signal: AbortSignal.timeout(2000) }));
});

test('kill -9 of an agent: its node goes NotReady with the unreachable taint and its pods are evicted', async () => {
  const pod = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'victim' },
    spec: { nodeName: 'node-2', containers: [{ name: 'web', image: 'unyo/web:1', ports: [{ containerPort: 8080 }] }] },
  });
  assert.equal((await k(['apply', '-f', '-'], pod)).code, 0);
  assert.equal((await k(['wait', '--for=condition=Ready', 'pod/victim', '--timeout=60s'])).code, 0);
  const tolerations = await k(['get', 'pod', 'victim', '-o', 'jsonpath={.spec.tolerations[*].key}']);
  assert.match(tolerations.stdout, /node\.kubernetes\.io\/unreachable/);
  const info = JSON.parse(readFileSync(join(cluster.dataDir, 'cluster.json'), 'utf8'));
  const agent = info.components.find((c: any) => c.name === 'node-2');
  process.kill(agent.pid, 'SIGKILL');
  await until('node-2 NotReady', async () => {
    const r = await k(['get', 'node', 'node-2']);
    return /NotReady/.test(r.stdout) ? true : undefined;
  });
  const taints = await k(['get', 'node', 'node-2', '-o', 'jsonpath={.spec.taints[*].key}']);
  assert.match(taints.stdout, /node\.kubernetes\.io\/unreachable/);
  await until('victim evicted', async () => {
    const r = await k(['get', 'pod', 'victim', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    return r.stdout.trim() !== '' || /NotFound/.test(r.stderr) ? true : undefined;
  });
  const node1 = await k(['get', 'node', 'node-1']);
  assert.match(node1.stdout, /node-1\s+Ready/);
});
