// `unyo up --ha`: three etcd members, three API servers behind the load balancer, three
// controller managers and schedulers. A client writes all the time (ConfigMap creates through
// the load balancer, each acknowledged one remembered) while the test kills, one after the
// other, the API server answering it, the active controller manager and the etcd leader.
// The API must answer again within 3 s, a standby must lead within the fast lease, the
// Deployment made before keeps its replicas, and every acknowledged write is there at the end.
// Then two of three etcd members go: writes fail with a clear error instead of hanging, and
// once the supervisor restarts the members nothing acknowledged is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startCluster, removeCluster, kubectl, kubectlBinaries, waitFor, repoRoot, type Cluster } from './harness.js';

const bin = kubectlBinaries()[0]?.path ?? 'kubectl';
let cluster: Cluster;
const k = (args: string[]) => kubectl(bin, cluster, args);

interface Component {
  name: string;
  role: string;
  pid: number;
  url?: string;
}
const components = (): Component[] => JSON.parse(readFileSync(join(cluster.dataDir, 'cluster.json'), 'utf8')).components;
const component = (name: string) => components().find((c) => c.name === name);

/** One client writing ConfigMaps through the load balancer, on kept-alive connections. */
class Writer {
  readonly acknowledged: string[] = [];
  readonly failures: Array<{ at: number; error: string }> = [];
  /** When each acknowledged write finished, and which server answered it. */
  readonly log: Array<{ at: number; server: string }> = [];
  private running = true;
  private n = 0;
  private readonly agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly loops: Promise<void>[] = [];
  private readonly ca: string;
  private readonly token: string;
  private readonly url: URL;

  constructor(kubeconfigPath: string, private readonly prefix: string) {
    const kc = parse(readFileSync(kubeconfigPath, 'utf8'));
    this.ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
    this.token = kc.users[0].user.token;
    this.url = new URL(kc.clusters[0].cluster.server);
    for (let i = 0; i < 4; i++) this.loops.push(this.loop());
  }

  get lastServer(): string | undefined {
    return this.log[this.log.length - 1]?.server;
  }

  /** Successful writes after `since`. */
  okSince(since: number): number {
    return this.log.filter((l) => l.at > since).length;
  }

  /** The longest time between two acknowledged writes after `since`. */
  longestGapSince(since: number): number {
    let prev = since;
    let gap = 0;
    for (const l of this.log) {
      if (l.at <= since) continue;
      gap = Math.max(gap, l.at - prev);
      prev = l.at;
    }
    return gap;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const name = `${this.prefix}-${this.n++}`;
      try {
        const server = await this.create(name);
        this.acknowledged.push(name);
        this.log.push({ at: Date.now(), server });
      } catch (err) {
        this.failures.push({ at: Date.now(), error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private create(name: string): Promise<string> {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: 'x'.repeat(256) } });
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: this.url.hostname, port: this.url.port, path: '/api/v1/namespaces/default/configmaps', method: 'POST', ca: this.ca, agent: this.agent, timeout: 15_000, headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => (res.statusCode === 201 ? resolve(String(res.headers['x-unyo-apiserver'])) : reject(new Error(`${res.statusCode}: ${text.slice(0, 300)}`))));
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer in 15 s')));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The etcd member that leads raft now, asked through etcd's JSON gateway with the API servers' client certificate. */
async function etcdLeader(): Promise<Component | undefined> {
  const pki = join(cluster.dataDir, 'pki');
  const tls = { ca: readFileSync(join(pki, 'etcd', 'ca.crt')), cert: readFileSync(join(pki, 'apiserver-etcd-client.crt')), key: readFileSync(join(pki, 'apiserver-etcd-client.key')) };
  for (const c of components().filter((x) => x.role === 'store')) {
    const status = await new Promise<{ header: { member_id: string }; leader: string } | undefined>((resolve) => {
      const req = https.request(`${c.url}/v3/maintenance/status`, { method: 'POST', timeout: 2000, ...tls }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body));
          } catch {
            resolve(undefined);
          }
        });
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(undefined)); // a member that does not answer is not the leader
      req.end('{}');
    });
    if (status && status.header.member_id === status.leader) return c;
  }
  return undefined;
}

const figures: Record<string, number> = {};

before(async () => {
  cluster = await startCluster({ extraArgs: ['--ha', '--nodes', '1', '--profile', 'fast', '--restart-delay', '15'], readyTimeoutMs: 180_000 });
});

after(async () => {
  console.log(JSON.stringify({ ha: figures }));
  // The cluster's own output, for whoever reads a failure.
  if (process.env.UNYO_E2E_OUTPUT) writeFileSync(process.env.UNYO_E2E_OUTPUT, cluster?.output() ?? '');
  if (cluster) await removeCluster(cluster);
});

test('--ha lists every component with its role in cluster.json', () => {
  const roles = components().map((c) => c.role);
  for (const [role, count] of Object.entries({ store: 3, apiserver: 3, 'controller-manager': 3, scheduler: 3, lb: 1, proxy: 1, agent: 1 })) {
    assert.equal(roles.filter((r) => r === role).length, count, `${count} × ${role} in ${roles.join(', ')}`);
  }
  assert.match(cluster.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(component('lb')!.url, cluster.url, 'the kubeconfig names the load balancer');
});

test('the etcd members speak TLS and refuse a client without a certificate of their CA', async () => {
  const members = components().filter((c) => c.role === 'store');
  for (const m of members) assert.match(m.url ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(await etcdLeader(), 'a member answers the API servers\' client certificate');
  const pki = join(cluster.dataDir, 'pki');
  const ask = (extra: https.RequestOptions) =>
    new Promise<string>((resolve) => {
      const req = https.get(`${members[0].url}/health`, { timeout: 5000, ca: readFileSync(join(pki, 'etcd', 'ca.crt')), ...extra }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on('error', (err) => resolve(`refused: ${err.message}`));
    });
  assert.match(await ask({}), /^refused/, 'no client certificate');
  // The admin's certificate is signed by the cluster CA, not etcd's: it opens the API, not the store.
  assert.match(await ask({ cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) }), /^refused/, 'a certificate of the cluster CA');
});

test('killing the API server, the active controller manager and the etcd leader loses no acknowledged write', { timeout: 300_000 }, async () => {
  assert.equal((await k(['create', 'deployment', 'web', '--image=unyo/web:1', '--replicas=2'])).code, 0);
  assert.equal((await k(['rollout', 'status', 'deployment/web', '--timeout=120s'])).code, 0);
  const writer = new Writer(cluster.kubeconfig, 'a');
  try {
    await waitFor('writes through the load balancer', () => writer.acknowledged.length >= 20, 30_000);

    // 1. The API server this client is talking to.
    const victim = component(writer.lastServer!)!;
    assert.equal(victim.role, 'apiserver');
    const killedApi = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    await waitFor('writes after the API server died', () => writer.okSince(killedApi) >= 10, 30_000);
    figures.apiserver_gap_ms = writer.longestGapSince(killedApi - 1);
    assert.ok(figures.apiserver_gap_ms <= 3000, `the API answered again after ${figures.apiserver_gap_ms} ms`);
    // (A response already on its way when the kill landed may still arrive just after it.)
    assert.ok(writer.log.filter((l) => l.at > killedApi + 500).every((l) => l.server !== victim.name), 'nothing is answered by the killed server');

    // 2. The active controller manager: a standby takes the Lease once the leader's last renewal
    // is a lease duration old (fast profile: 6 s), plus its 1 s retry periods and the API's latency.
    type Lease = { holderIdentity?: string; renewTime?: string; acquireTime?: string };
    const lease = async (): Promise<Lease> => JSON.parse((await k(['get', 'lease', '-n', 'kube-system', 'unyo-controller-manager', '-o', 'jsonpath={.spec}'])).stdout || '{}');
    const before = await lease();
    const holder = before.holderIdentity!;
    const pid = Number(holder.split('_')[1]);
    assert.ok(components().some((c) => c.role === 'controller-manager' && c.pid === pid), `the holder ${holder} is one of cluster.json's controller managers`);
    const killedCm = Date.now();
    process.kill(pid, 'SIGKILL');
    let lastRenew = before.renewTime!;
    const next = await waitFor('a new controller-manager leader', async () => {
      const l = await lease();
      if (l.holderIdentity === holder) lastRenew = l.renewTime!;
      return l.holderIdentity && l.holderIdentity !== holder ? l : undefined;
    }, 30_000, 200);
    figures.controller_manager_takeover_after_kill_ms = Date.now() - killedCm;
    figures.controller_manager_takeover_after_last_renewal_ms = Date.parse(next.acquireTime!) - Date.parse(lastRenew);
    assert.ok(figures.controller_manager_takeover_after_last_renewal_ms <= 10_000, `took over ${figures.controller_manager_takeover_after_last_renewal_ms} ms after the last renewal`);

    // 3. The etcd member leading raft.
    const leader = await waitFor('the etcd leader', etcdLeader, 20_000, 200);
    const killedEtcd = Date.now();
    process.kill(leader.pid, 'SIGKILL');
    await waitFor('writes after the etcd leader died', () => writer.okSince(killedEtcd) >= 10, 30_000);
    figures.etcd_leader_gap_ms = writer.longestGapSince(killedEtcd - 1);
    // A new raft leader is elected within etcd's election timeout (1 s); the client's retries and failover add to it.
    assert.ok(figures.etcd_leader_gap_ms <= 5000, `writes resumed after ${figures.etcd_leader_gap_ms} ms`);

    // The Deployment made before the failures keeps its replicas (a killed Pod would be replaced by the new leader).
    await waitFor('web to have 2 available replicas', async () => (await k(['get', 'deployment', 'web', '-o', 'jsonpath={.status.availableReplicas}'])).stdout.trim() === '2', 60_000, 500);
  } finally {
    await writer.stop();
  }
  figures.acknowledged_writes = writer.acknowledged.length;
  figures.failed_writes = writer.failures.length;
  const present = new Set((await k(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.trim().split(/\s+/));
  const missing = writer.acknowledged.filter((n) => !present.has(n));
  assert.deepEqual(missing, [], `${missing.length} of ${writer.acknowledged.length} acknowledged writes are missing`);
});

test('losing two of three etcd members fails writes with a clear error; restarting them loses nothing', { timeout: 300_000 }, async () => {
  await waitFor('three etcd members running', () => components().filter((c) => c.role === 'store').length === 3, 60_000, 500);
  await waitFor('an etcd leader', etcdLeader, 30_000, 200);
  const writer = new Writer(cluster.kubeconfig, 'b');
  try {
    await waitFor('writes', () => writer.acknowledged.length >= 10, 30_000);
    const members = components().filter((c) => c.role === 'store');
    const killed = Date.now();
    for (const m of members.slice(0, 2)) process.kill(m.pid, 'SIGKILL');
    // Writes fail (not hang): each failure is an API Status naming the store.
    const failure = await waitFor('a failed write', () => writer.failures.find((f) => f.at > killed), 30_000);
    figures.quorum_loss_first_error_ms = failure.at - killed;
    assert.match(failure.error, /^50[34]: .*(etcd|store|quorum|timed out|unavailable)/i);
    assert.ok(figures.quorum_loss_first_error_ms < 15_000, `the first write failed after ${figures.quorum_loss_first_error_ms} ms`);
    // The supervisor restarts the members after 15 s; then writes go through again.
    const back = await waitFor('writes after the members came back', () => writer.log.find((l) => l.at > failure.at), 90_000, 200);
    figures.quorum_regained_after_ms = back.at - killed;
  } finally {
    await writer.stop();
  }
  const present = new Set((await k(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.trim().split(/\s+/));
  const missing = writer.acknowledged.filter((n) => !present.has(n));
  assert.deepEqual(missing, [], `${missing.length} of ${writer.acknowledged.length} acknowledged writes are missing`);
});

test('an etcd snapshot saved through the API brings the whole cluster back after its etcd data is wiped', { timeout: 300_000 }, async () => {
  const file = `${cluster.dataDir}-etcd.snap`;
  const run = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'unyo.js'), ...args], { encoding: 'utf8' });
  try {
    const before = (await k(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.trim().split(/\s+/).sort();
    const saved = run(['etcd', 'snapshot', 'save', file, '--data-dir', cluster.dataDir]);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /etcd snapshot at revision \d+/);
    const dataDir = cluster.dataDir;
    await cluster.stop();
    for (const m of ['etcd-1', 'etcd-2', 'etcd-3']) rmSync(join(dataDir, 'etcd', m), { recursive: true, force: true });
    const restored = run(['etcd', 'snapshot', 'restore', file, '--data-dir', dataDir]);
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(restored.stdout, /restored 3 etcd members/);
    cluster = await startCluster({ dataDir, extraArgs: ['--ha', '--nodes', '1', '--profile', 'fast'], readyTimeoutMs: 180_000 });
    const after = (await k(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.trim().split(/\s+/).sort();
    assert.deepEqual(after, before);
    assert.equal((await k(['create', 'configmap', 'after-restore'])).code, 0);
  } finally {
    rmSync(file, { force: true });
    rmSync(`${file}.sha256`, { force: true });
  }
});

test('kill -9 of unyo up takes every component with it, etcd members included', { timeout: 120_000 }, async () => {
  const pids = components().map((c) => ({ name: c.name, pid: c.pid }));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  cluster.process.kill('SIGKILL');
  const left = await waitFor('every component gone', () => {
    const running = pids.filter((p) => alive(p.pid));
    return running.length === 0 ? [] : undefined;
  }, 30_000).catch(() => pids.filter((p) => alive(p.pid)));
  for (const p of pids) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
  assert.deepEqual(left.map((p) => p.name), [], 'components still running after unyo up died');
});
