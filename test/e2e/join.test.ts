// Nodes join by bootstrap token, as kubeadm and the kubelet do it: `unyo token create` on a
// running cluster, then `unyo agent --server URL --token T --ca-cert-hash H` as a process of its
// own gets its own client certificate through a CertificateSigningRequest (approved and signed
// by the controller manager) and becomes a Ready Node that runs Pods. A wrong pin and a revoked
// token are refused with a clear error; kubectl sees and acts on the requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parse } from 'yaml';
import { startCluster, removeCluster, kubectl, kubectlBinaries, repoRoot, waitFor, type Cluster } from './harness.js';

const bin = kubectlBinaries()[0]?.path ?? 'kubectl';
const unyoBin = join(repoRoot, 'bin', 'unyo.js');
let cluster: Cluster;
const k = (args: string[], input?: string) => kubectl(bin, cluster, args, input);
const agents: ChildProcess[] = [];

/** Run `unyo ...` to its end. */
function unyo(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [unyoBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A joining agent that keeps running: its output so far. */
function startAgent(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [unyoBin, 'agent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  agents.push(child);
  return { child, output: () => out };
}

async function stopAgent(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

let token = '';
let tokenId = '';
let caHash = '';
let joinArgs: string[] = [];

before(async () => {
  cluster = await startCluster({ extraArgs: ['--nodes', '1', '--profile', 'fast'], readyTimeoutMs: 120_000 });
});

after(async () => {
  for (const a of agents) await stopAgent(a);
  const dataDir = cluster.dataDir;
  await removeCluster(cluster);
  const left = spawnSync('sh', ['-c', `ps -eo pid,args | grep -F ${JSON.stringify(dataDir)} | grep -v grep || true`], { encoding: 'utf8' }).stdout.trim();
  assert.equal(left, '', `processes left behind:\n${left}`);
});

test('unyo token create prints a token and the pinned join command; unyo token list shows it', async () => {
  const created = await unyo(['token', 'create', '--data-dir', cluster.dataDir, '--ttl', '1h', '--description', 'e2e join']);
  assert.equal(created.code, 0, created.stderr);
  const [first, second] = created.stdout.trim().split('\n');
  assert.match(first, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  token = first;
  tokenId = token.split('.')[0];
  const hash = /--ca-cert-hash (sha256:[0-9a-f]{64})/.exec(second);
  assert.ok(hash, second);
  caHash = hash[1];
  assert.ok(second.includes(`--server ${cluster.url} --token ${token}`), second);
  // The pin is the SHA-256 of the CA's SubjectPublicKeyInfo, as kubeadm computes it.
  const spki = spawnSync('sh', ['-c', `openssl x509 -in ${join(cluster.dataDir, 'pki', 'ca.crt')} -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex`], { encoding: 'utf8' }).stdout;
  assert.ok(spki.trim().endsWith(caHash.slice('sha256:'.length)), spki);

  const listed = await unyo(['token', 'list', '--data-dir', cluster.dataDir]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`^${tokenId}\\s+(59m|1h)\\s+\\S+\\s+authentication,signing\\s+e2e join\\s+system:bootstrappers:unyo:default-node-token$`, 'm'));
  const secret = await k(['get', 'secret', '-n', 'kube-system', `bootstrap-token-${tokenId}`, '-o', 'jsonpath={.type}']);
  assert.equal(secret.stdout, 'bootstrap.kubernetes.io/token');

  const bad = await unyo(['token', 'create', '--data-dir', cluster.dataDir, '--ttl', 'soon']);
  assert.notEqual(bad.code, 0);
  assert.equal(bad.stderr.trim(), 'unyo: --ttl: "soon" is not a duration like 24h, 30m or 1h30m');
});

test('an agent refuses a cluster whose CA does not match its pin, or with no pin at all', async () => {
  const wrong = `sha256:${'0'.repeat(64)}`;
  const r = await unyo(['agent', '--server', cluster.url, '--token', token, '--ca-cert-hash', wrong, '--name', 'impostor', '--data-dir', join(cluster.dataDir, 'impostor')]);
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^unyo: the cluster CA presented by ${cluster.url.replace(/\./g, '\\.')} has public key hash ${caHash}, which matches no --ca-cert-hash: refusing to join`));
  const unpinned = await unyo(['agent', '--server', cluster.url, '--token', token, '--name', 'impostor', '--data-dir', join(cluster.dataDir, 'impostor')]);
  assert.notEqual(unpinned.code, 0);
  assert.match(unpinned.stderr, /refusing to trust the cluster CA without --ca-cert-hash/);
  const csrs = await k(['get', 'csr', '-o', 'name']);
  assert.equal(csrs.stdout.trim(), '', 'nothing was submitted');
});

test('an agent joins with the token: its own certificate, a Ready Node that runs Pods and serves their logs and exec', async () => {
  const dataDir = join(cluster.dataDir, 'joined');
  joinArgs = ['--server', cluster.url, '--token', token, '--ca-cert-hash', caHash, '--name', 'joined', '--index', '7', '--zone', 'zone-b', '--data-dir', dataDir, '--profile', 'fast', '--cluster-dns', '127.16.0.10'];
  const agent = startAgent(joinArgs);
  await waitFor('joined Ready', async () => /joined\s+Ready/.test((await k(['get', 'nodes'])).stdout), 90_000, 500).catch((err) => {
    throw new Error(`${(err as Error).message}\nagent output:\n${agent.output()}`);
  });
  assert.match(agent.output(), /certificate signing request node-csr-\w+ submitted, waiting for it to be approved and signed/);

  // Its kubeconfig holds its own client certificate, signed by the cluster CA, and no token.
  const kubeconfig = parse(readFileSync(join(dataDir, 'kubeconfig'), 'utf8'));
  const user = kubeconfig.users[0].user;
  assert.equal(user.token, undefined);
  const cert = new X509Certificate(Buffer.from(user['client-certificate-data'], 'base64'));
  assert.match(cert.subject, /CN=system:node:joined/);
  assert.match(cert.subject, /O=system:nodes/);
  assert.ok(cert.verify(new X509Certificate(readFileSync(join(cluster.dataDir, 'pki', 'ca.crt'))).publicKey));

  // kubectl get csr: the request, made by the bootstrap user, approved and issued.
  const csr = await k(['get', 'csr']);
  assert.match(csr.stdout, new RegExp(`node-csr-\\w+\\s+\\S+\\s+kubernetes\\.io/kube-apiserver-client-kubelet\\s+system:bootstrap:${tokenId}\\s+<none>\\s+Approved,Issued`), csr.stdout);

  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'on-joined' },
    spec: { nodeSelector: { 'kubernetes.io/hostname': 'joined' }, containers: [{ name: 'main', image: 'unyo/busybox:1', command: ['sh', '-c', 'echo hello from the joined node; sleep 3600'] }] },
  };
  assert.equal((await k(['apply', '-f', '-'], JSON.stringify(pod))).code, 0);
  assert.equal((await k(['wait', '--for=condition=Ready', 'pod/on-joined', '--timeout=60s'])).code, 0);
  assert.equal((await k(['get', 'pod', 'on-joined', '-o', 'jsonpath={.spec.nodeName}'])).stdout, 'joined');
  const logs = await waitFor('the logs', async () => {
    const r = await k(['logs', 'on-joined']);
    return /hello from the joined node/.test(r.stdout) ? r : undefined;
  }, 30_000);
  assert.equal(logs.code, 0);
  const exec = await k(['exec', 'on-joined', '--', 'sh', '-c', 'echo exec on $(hostname)']);
  assert.equal(exec.code, 0, exec.stderr);
  assert.equal(exec.stdout.trim(), 'exec on on-joined');
  const stats = await k(['get', '--raw', '/api/v1/nodes/joined/proxy/stats/summary']);
  assert.equal(JSON.parse(stats.stdout).node.nodeName, 'joined');
  assert.equal((await k(['delete', 'pod', 'on-joined', '--timeout=60s'])).code, 0);
});

test('unyo token delete revokes the token: joining with it again is refused; a joined agent restarts on its own certificate', async () => {
  const deleted = await unyo(['token', 'delete', tokenId, '--data-dir', cluster.dataDir]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout.trim(), `bootstrap token "${tokenId}" deleted`);
  const again = await unyo(['agent', ...joinArgs.map((a) => (a === 'joined' ? 'joined-2' : a.endsWith('/joined') ? `${a}-2` : a))]);
  assert.notEqual(again.code, 0);
  assert.equal(again.stderr.trim(), 'unyo: the API server refused the bootstrap token (unknown, expired or deleted): ask for a new one with `unyo token create`');
  const missing = await unyo(['token', 'delete', tokenId, '--data-dir', cluster.dataDir]);
  assert.notEqual(missing.code, 0);
  assert.equal(missing.stderr.trim(), `unyo: bootstrap token "${tokenId}" not found`);

  // The joined agent does not need the token any more: restarted, it uses its kubeconfig.
  await stopAgent(agents[0]);
  const restarted = startAgent(joinArgs);
  await waitFor('the restarted agent started', () => /agent joined: started/.test(restarted.output()), 60_000, 200);
  assert.match(restarted.output(), /using the credentials in .*joined\/kubeconfig/);
  await waitFor('joined Ready', async () => /joined\s+Ready/.test((await k(['get', 'node', 'joined'])).stdout), 60_000, 500);
});

test('kubectl certificate approve and deny act on requests; the signer issues approved ones', async () => {
  const csrFor = (name: string) => {
    const pem = spawnSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', `/CN=${name}/O=developers`], { encoding: 'utf8' }).stdout;
    return JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 86400 },
    });
  };
  assert.equal((await k(['apply', '-f', '-'], csrFor('alice'))).code, 0);
  assert.equal((await k(['apply', '-f', '-'], csrFor('mallory'))).code, 0);
  assert.match((await k(['get', 'csr', 'alice'])).stdout, /alice\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+unyo-admin\s+24h\s+Pending/);
  const approve = await k(['certificate', 'approve', 'alice']);
  assert.equal(approve.code, 0, approve.stderr);
  assert.equal((await k(['certificate', 'deny', 'mallory'])).code, 0);
  await waitFor('alice issued', async () => /Approved,Issued/.test((await k(['get', 'csr', 'alice'])).stdout), 30_000, 200);
  const cert = new X509Certificate(Buffer.from((await k(['get', 'csr', 'alice', '-o', 'jsonpath={.status.certificate}'])).stdout, 'base64'));
  assert.match(cert.subject, /CN=alice/);
  assert.match((await k(['get', 'csr', 'mallory'])).stdout, /mallory\s+.*\s+Denied$/m);
  const invalid = await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'junk' }, spec: { request: Buffer.from('junk').toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } }));
  assert.notEqual(invalid.code, 0);
  assert.match(invalid.stderr, /spec\.request: Invalid value: "<certificate request data>": PEM block type must be CERTIFICATE REQUEST/);
});
