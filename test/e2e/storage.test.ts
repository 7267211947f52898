// Storage with stock kubectl against `unyo up --nodes 3 --profile fast`: the unyo-local
// default class provisions a volume that Pods on any node mount, WaitForFirstConsumer waits
// for a Pod, reclaim policies Delete and Retain, expansion, VolumeSnapshots and restores, PVC
// protection, and a volume that outlives its node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, removeCluster, kubectl, kubectlBinaries, type Cluster } from './harness.js';

const bin = kubectlBinaries()[0]?.path ?? 'kubectl';
let cluster: Cluster;
const k = (args: string[], input?: string) => kubectl(bin, cluster, args, input);

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

async function apply(manifest: unknown): Promise<void> {
  const r = await k(['apply', '-f', '-'], JSON.stringify(manifest));
  assert.equal(r.code, 0, r.stderr);
}

const jsonpath = async (args: string[], path: string) => (await k([...args, '-o', `jsonpath=${path}`])).stdout.trim();

function claim(name: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } };
}

/** A Pod running a shell command with the claim mounted at /data, placed by nodeName or a hostname selector. */
function shellPod(name: string, claimName: string, script: string, place: { nodeName?: string; hostname?: string } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      ...(place.nodeName ? { nodeName: place.nodeName } : {}),
      ...(place.hostname ? { nodeSelector: { 'kubernetes.io/hostname': place.hostname } } : {}),
      containers: [{ name: 'sh', image: 'unyo/busybox:1', command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

/** Run a Pod to completion and return its log. */
async function runToCompletion(pod: ReturnType<typeof shellPod>): Promise<string> {
  await apply(pod);
  const phase = await until(`${pod.metadata.name} to finish`, async () => {
    const p = await jsonpath(['get', 'pod', pod.metadata.name], '{.status.phase}');
    return p === 'Succeeded' || p === 'Failed' ? p : undefined;
  });
  const logs = await k(['logs', pod.metadata.name]);
  assert.equal(phase, 'Succeeded', `${pod.metadata.name} failed: ${logs.stdout}${logs.stderr}`);
  return logs.stdout;
}

async function boundVolume(name: string): Promise<string> {
  await until(`${name} Bound`, async () => ((await jsonpath(['get', 'pvc', name], '{.status.phase}')) === 'Bound' ? true : undefined));
  return jsonpath(['get', 'pvc', name], '{.spec.volumeName}');
}

before(async () => {
  cluster = await startCluster({ extraArgs: ['--nodes', '3', '--profile', 'fast'] });
});

after(async () => {
  const dataDir = cluster.dataDir;
  await removeCluster(cluster);
  const left = spawnSync('sh', ['-c', `ps -eo pid,args | grep -F ${JSON.stringify(dataDir)} | grep -v grep || true`], { encoding: 'utf8' }).stdout.trim();
  assert.equal(left, '', `processes left behind:\n${left}`);
});

test('kubectl get sc shows unyo-local (default) right after unyo up', async () => {
  const r = await k(['get', 'sc']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /unyo-local \(default\)\s+unyo\.local\s+Delete\s+Immediate\s+true/);
});

test('a claim of the default class binds to a provisioned PV; data written on node-1 is read on node-3', async () => {
  await apply(claim('shared'));
  const pv = await boundVolume('shared');
  const r = await k(['get', 'pvc,pv']);
  assert.match(r.stdout, new RegExp(`persistentvolumeclaim/shared\\s+Bound\\s+${pv}\\s+1Gi\\s+RWO\\s+unyo-local`));
  assert.match(r.stdout, new RegExp(`persistentvolume/${pv}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/shared\\s+unyo-local`));
  assert.match(await runToCompletion(shellPod('writer', 'shared', 'echo written-on-$(hostname) > /data/note && cat /data/note', { nodeName: 'node-1' })), /written-on-writer/);
  assert.equal(await jsonpath(['get', 'pod', 'writer'], '{.spec.nodeName}'), 'node-1');
  assert.equal((await k(['delete', 'pod', 'writer'])).code, 0);
  const read = await runToCompletion(shellPod('reader', 'shared', 'cat /data/note', { hostname: 'node-3' }));
  assert.equal(read.trim(), 'written-on-writer');
  assert.equal(await jsonpath(['get', 'pod', 'reader'], '{.spec.nodeName}'), 'node-3');
  assert.equal((await k(['delete', 'pod', 'reader'])).code, 0);
});

test('a WaitForFirstConsumer claim stays Pending with the upstream event until a Pod uses it, then binds', async () => {
  await apply({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'on-demand' }, provisioner: 'unyo.local', volumeBindingMode: 'WaitForFirstConsumer' });
  await apply(claim('lazy', { storageClassName: 'on-demand' }));
  const event = await until('WaitForFirstConsumer event', async () => {
    const r = await k(['get', 'events', '--field-selector', 'involvedObject.name=lazy,reason=WaitForFirstConsumer', '-o', 'jsonpath={.items[*].message}']);
    return r.stdout.trim() || undefined;
  });
  assert.match(event, /waiting for first consumer to be created before binding/);
  assert.equal(await jsonpath(['get', 'pvc', 'lazy'], '{.status.phase}'), 'Pending');
  const out = await runToCompletion(shellPod('first-consumer', 'lazy', 'echo used > /data/x && cat /data/x'));
  assert.equal(out.trim(), 'used');
  await boundVolume('lazy');
  const node = await jsonpath(['get', 'pod', 'first-consumer'], '{.spec.nodeName}');
  assert.equal(await jsonpath(['get', 'pvc', 'lazy'], "{.metadata.annotations['volume\\.kubernetes\\.io/selected-node']}"), node);
  assert.equal((await k(['delete', 'pod', 'first-consumer'])).code, 0);
});

test('deleting a claim with policy Delete removes its PV and directory; with Retain the PV stays Released', async () => {
  await apply(claim('scratch'));
  const pv = await boundVolume('scratch');
  const dir = join(cluster.dataDir, 'volumes', pv);
  assert.ok(existsSync(dir), `${dir} exists`);
  assert.equal((await k(['delete', 'pvc', 'scratch'])).code, 0);
  await until('the PV to be deleted', async () => (/NotFound/.test((await k(['get', 'pv', pv])).stderr) ? true : undefined));
  assert.ok(!existsSync(dir), `${dir} is removed`);

  await apply({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'keep' }, provisioner: 'unyo.local', reclaimPolicy: 'Retain' });
  await apply(claim('precious', { storageClassName: 'keep' }));
  const kept = await boundVolume('precious');
  assert.equal((await k(['delete', 'pvc', 'precious'])).code, 0);
  const row = await until('the PV Released', async () => {
    const r = await k(['get', 'pv', kept]);
    return /Released/.test(r.stdout) ? r.stdout : undefined;
  });
  assert.match(row, new RegExp(`${kept}\\s+1Gi\\s+RWO\\s+Retain\\s+Released\\s+default/precious\\s+keep`));
  assert.ok(existsSync(join(cluster.dataDir, 'volumes', kept)), 'the retained directory stays');
});

test('kubectl patch grows a claim (PV and claim capacity follow); shrinking is refused with upstream’s error', async () => {
  await apply(claim('elastic'));
  const pv = await boundVolume('elastic');
  const grow = await k(['patch', 'pvc', 'elastic', '-p', '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}']);
  assert.equal(grow.code, 0, grow.stderr);
  await until('claim capacity 3Gi', async () => ((await jsonpath(['get', 'pvc', 'elastic'], '{.status.capacity.storage}')) === '3Gi' ? true : undefined));
  assert.equal(await jsonpath(['get', 'pv', pv], '{.spec.capacity.storage}'), '3Gi');
  const events = await k(['get', 'events', '--field-selector', 'involvedObject.name=elastic', '-o', 'jsonpath={.items[*].reason}']);
  assert.match(events.stdout, /Resizing/);
  assert.match(events.stdout, /VolumeResizeSuccessful/);
  const shrink = await k(['patch', 'pvc', 'elastic', '-p', '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}']);
  assert.notEqual(shrink.code, 0);
  assert.match(shrink.stderr, /The PersistentVolumeClaim "elastic" is invalid: spec\.resources\.requests\.storage: Forbidden: field can not be less than status\.capacity/);
});

test('a VolumeSnapshot becomes readyToUse; a claim restored from it has the data as of the snapshot', async () => {
  await apply(claim('origin'));
  await boundVolume('origin');
  await runToCompletion(shellPod('v1-writer', 'origin', 'echo version-1 > /data/state'));
  await apply({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'origin-snap' }, spec: { source: { persistentVolumeClaimName: 'origin' } } });
  const row = await until('snapshot readyToUse', async () => {
    const r = await k(['get', 'volumesnapshot', 'origin-snap']);
    return /origin-snap\s+true/.test(r.stdout) ? r.stdout : undefined;
  });
  assert.match(row, /origin-snap\s+true\s+origin\s+1Gi\s+unyo-local\s+snapcontent-/);
  const content = await jsonpath(['get', 'volumesnapshot', 'origin-snap'], '{.status.boundVolumeSnapshotContentName}');
  assert.equal(await jsonpath(['get', 'volumesnapshotcontent', content], '{.status.readyToUse}'), 'true');
  assert.match(await jsonpath(['get', 'volumesnapshot', 'origin-snap'], '{.status.creationTime}'), /^\d{4}-\d\d-\d\dT/);
  await runToCompletion(shellPod('v2-writer', 'origin', 'echo version-2 > /data/state'));
  await apply(claim('from-snap', { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'origin-snap' } }));
  await boundVolume('from-snap');
  assert.equal((await runToCompletion(shellPod('restored-reader', 'from-snap', 'cat /data/state'))).trim(), 'version-1');
  assert.equal((await runToCompletion(shellPod('origin-reader', 'origin', 'cat /data/state'))).trim(), 'version-2');
});

test('deleting a claim used by a running Pod leaves it Terminating until the Pod is gone', async () => {
  await apply(claim('busy'));
  await boundVolume('busy');
  const pod = shellPod('holder', 'busy', 'sleep 3600');
  (pod.spec as any).restartPolicy = 'Always';
  await apply(pod);
  assert.equal((await k(['wait', '--for=condition=Ready', 'pod/holder', '--timeout=90s'])).code, 0);
  assert.equal((await k(['delete', 'pvc', 'busy', '--wait=false'])).code, 0);
  const row = await until('Terminating', async () => {
    const r = await k(['get', 'pvc', 'busy']);
    return /Terminating/.test(r.stdout) ? r.stdout : undefined;
  });
  assert.match(row, /busy\s+Terminating/);
  await new Promise((r) => setTimeout(r, 2000));
  assert.match((await k(['get', 'pvc', 'busy'])).stdout, /busy\s+Terminating/, 'still there while the Pod runs');
  assert.equal((await k(['delete', 'pod', 'holder', '--timeout=90s'])).code, 0);
  await until('the claim to be gone', async () => (/NotFound/.test((await k(['get', 'pvc', 'busy'])).stderr) ? true : undefined));
});

test('a volume outlives its node: after the node dies, a replacement Pod on another node reads the data', async () => {
  await apply(claim('durable'));
  const pv = await boundVolume('durable');
  assert.equal(await jsonpath(['get', 'pv', pv], '{.spec.nodeAffinity}'), '', 'no node pins the volume');
  await runToCompletion(shellPod('before-crash', 'durable', 'echo survived > /data/proof', { nodeName: 'node-2' }));
  const info = JSON.parse(readFileSync(join(cluster.dataDir, 'cluster.json'), 'utf8'));
  process.kill(info.components.find((c: any) => c.name === 'node-2').pid, 'SIGKILL');
  await until('node-2 NotReady', async () => (/node-2\s+NotReady/.test((await k(['get', 'node', 'node-2'])).stdout) ? true : undefined));
  // What a workload controller would do: a new Pod for the same claim, placed by the scheduler.
  const out = await runToCompletion(shellPod('after-crash', 'durable', 'cat /data/proof'));
  assert.equal(out.trim(), 'survived');
  assert.notEqual(await jsonpath(['get', 'pod', 'after-crash'], '{.spec.nodeName}'), 'node-2');
});
