// Several controller managers run with exactly one active: the one holding the
// kube-system/unyo-controller-manager Lease. Killing it hands the Lease, and the work, to a
// standby within the lease duration of the profile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, removeCluster, kubectl, kubectlBinaries, waitFor, repoRoot, type Cluster } from './harness.js';

const bin = kubectlBinaries()[0]?.path ?? 'kubectl';
let cluster: Cluster;
let standby: ChildProcess;
let standbyOut = '';
const k = (args: string[]) => kubectl(bin, cluster, args);
const holder = async () => (await k(['get', 'lease', '-n', 'kube-system', 'unyo-controller-manager', '-o', 'jsonpath={.spec.holderIdentity}'])).stdout.trim();

before(async () => {
  cluster = await startCluster({ extraArgs: ['--profile', 'fast'] });
});

after(async () => {
  if (standby && standby.exitCode === null && standby.signalCode === null) {
    const exited = new Promise((r) => standby.once('exit', r));
    standby.kill('SIGTERM');
    await exited;
  }
  await removeCluster(cluster);
});

test('a standby controller manager takes over the Lease when the leader is killed', async () => {
  const first = await waitFor('a leader', holder, 30_000);
  standby = spawn(process.execPath, [join(repoRoot, 'bin', 'unyo.js'), 'controller-manager', '--kubeconfig', cluster.kubeconfig, '--profile', 'fast'], { stdio: ['ignore', 'pipe', 'pipe'] });
  standby.stdout!.on('data', (d) => (standbyOut += d));
  standby.stderr!.on('data', (d) => (standbyOut += d));
  await waitFor('the standby to see the leader', () => standbyOut.includes(`leader is ${first}`), 30_000);
  assert.equal(await holder(), first, 'the standby does not take a Lease that is being renewed');
  assert.doesNotMatch(standbyOut, /became leader/);

  const info = JSON.parse(readFileSync(join(cluster.dataDir, 'cluster.json'), 'utf8'));
  const leader = info.components.find((c: any) => c.role === 'controller-manager');
  process.kill(leader.pid, 'SIGKILL');
  await waitFor('the standby to lead', () => standbyOut.includes('became leader'), 60_000);
  const second = await holder();
  assert.notEqual(second, first);
  const transitions = (await k(['get', 'lease', '-n', 'kube-system', 'unyo-controller-manager', '-o', 'jsonpath={.spec.leaseTransitions}'])).stdout.trim();
  assert.equal(transitions, '1');
});

test('unknown controllers are refused by name', async () => {
  const run = spawn(process.execPath, [join(repoRoot, 'bin', 'unyo.js'), 'controller-manager', '--kubeconfig', cluster.kubeconfig, '--controllers', '*,-nope'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  run.stderr!.on('data', (d) => (err += d));
  const code = await new Promise((r) => run.once('exit', r));
  assert.equal(code, 1);
  assert.match(err.trim(), /^unyo: unknown controller "nope"; known: .*nodelifecycle/);
});
