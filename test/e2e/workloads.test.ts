// DaemonSets and StatefulSets on a real `unyo up --nodes 3 --profile fast`, driven by kubectl:
// one daemon Pod per eligible node, rolling updates, `kubectl rollout status/history/undo`,
// ordered StatefulSet Pods with their own claims, scaling and partitioned updates, and a
// StatefulSet Pod moving off a dead node with its data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, removeCluster, kubectl, kubectlBinaries, waitFor, type Cluster, type RunResult } from './harness.js';

const bin = kubectlBinaries()[0]?.path ?? 'kubectl';
let cluster: Cluster;

/**
 * kubectl that must succeed; its stdout. A connection that failed before the request was sent
 * (an API server starved of CPU on a loaded machine) is tried again.
 */
async function run(args: string[], input?: string): Promise<RunResult> {
  for (let attempt = 1; ; attempt++) {
    const r = await kubectl(bin, cluster, args, input);
    if (r.code !== 0 && attempt < 4 && /Unable to connect to the server|TLS handshake timeout/.test(r.stderr)) continue;
    return r;
  }
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await run(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function json(args: string[]): Promise<any> {
  return JSON.parse(await ok([...args, '-o', 'json']));
}

before(async () => {
  cluster = await startCluster({ extraArgs: ['--nodes', '3', '--profile', 'fast'] });
});

after(async () => {
  await removeCluster(cluster);
});

const daemonSet = (image: string) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: {
          containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 1 } }],
        },
      },
    },
  });

async function agentPods(): Promise<any[]> {
  return (await json(['get', 'pods', '-l', 'app=agent'])).items.filter((p: any) => !p.metadata.deletionTimestamp);
}

test('DaemonSet: one Pod per node it tolerates, rolled by an image change, history and undo', async () => {
  await ok(['taint', 'nodes', 'node-3', 'dedicated=infra:NoSchedule']);
  await ok(['apply', '-f', '-'], daemonSet('unyo/web:1'));
  const status = await ok(['rollout', 'status', 'ds/agent', '--timeout=180s']);
  assert.match(status, /daemon set "agent" successfully rolled out/);
  const wide = await ok(['get', 'pods', '-l', 'app=agent', '-o', 'wide']);
  assert.match(wide, /node-1/);
  assert.match(wide, /node-2/);
  assert.doesNotMatch(wide, /node-3/, 'the untolerated taint keeps node-3 out');
  assert.equal((await agentPods()).length, 2);

  await ok(['taint', 'nodes', 'node-3', 'dedicated-']);
  await waitFor('a daemon Pod on node-3', async () => (await agentPods()).some((p) => p.spec.nodeName === 'node-3'), 60_000, 500);
  await ok(['rollout', 'status', 'ds/agent', '--timeout=180s']);
  const pods = await agentPods();
  assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['node-1', 'node-2', 'node-3']);
  for (const pod of pods) {
    const res = await fetch(`http://${pod.status.podIP}:8080/`);
    assert.match(await res.text(), /^1\b/, 'each daemon Pod serves');
  }

  await ok(['set', 'image', 'ds/agent', 'web=unyo/web:2']);
  await ok(['rollout', 'status', 'ds/agent', '--timeout=240s']);
  assert.deepEqual((await agentPods()).map((p) => p.spec.containers[0].image), ['unyo/web:2', 'unyo/web:2', 'unyo/web:2']);
  const history = await ok(['rollout', 'history', 'ds/agent']);
  assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  assert.match(await ok(['rollout', 'history', 'ds/agent', '--revision=1']), /Image:\s+unyo\/web:1/);

  assert.match(await ok(['rollout', 'undo', 'ds/agent']), /daemonset.apps\/agent rolled back/);
  await ok(['rollout', 'status', 'ds/agent', '--timeout=240s']);
  await waitFor('every daemon Pod back on web:1', async () => {
    const p = await agentPods();
    return p.length === 3 && p.every((x) => x.spec.containers[0].image === 'unyo/web:1');
  });
  assert.match(await ok(['rollout', 'history', 'ds/agent']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/, 'revision 1 became revision 3');
  assert.match(await ok(['rollout', 'undo', 'ds/agent', '--to-revision=3']), /skipped rollback \(current template already matches revision 3\)/);
  // desired, current, updated, ready, available, misscheduled
  await waitFor('status to count three updated, available Pods', async () => {
    const { status } = await json(['get', 'ds', 'agent']);
    const counts = [status.desiredNumberScheduled, status.currentNumberScheduled, status.updatedNumberScheduled, status.numberReady, status.numberAvailable, status.numberMisscheduled];
    return counts.join() === '3,3,3,3,3,0';
  }, 120_000, 500);
  await ok(['delete', 'ds', 'agent']);
});

const kv = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'kv' },
  spec: {
    serviceName: 'kv',
    replicas: 3,
    selector: { matchLabels: { app: 'kv' } },
    template: {
      metadata: { labels: { app: 'kv' } },
      spec: {
        containers: [{ name: 'kv', image: 'unyo/kv:1', ports: [{ containerPort: 7000 }], readinessProbe: { httpGet: { path: '/readyz', port: 7000 }, periodSeconds: 1 }, volumeMounts: [{ name: 'data', mountPath: '/data/db' }] }],
      },
    },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } } }],
  },
});

async function kvPods(): Promise<any[]> {
  return (await json(['get', 'pods', '-l', 'app=kv'])).items;
}

const readySince = (pod: any) => Date.parse(pod.status.conditions.find((c: any) => c.type === 'Ready' && c.status === 'True').lastTransitionTime);
const images = async () => Object.fromEntries((await kvPods()).map((p) => [p.metadata.name, p.spec.containers[0].image]));

test('StatefulSet unyo/kv: ordered start with claims, a deleted Pod returns as itself, scale, partitioned update, history and undo', async () => {
  await ok(['apply', '-f', '-'], kv);
  assert.match(await ok(['rollout', 'status', 'sts/kv', '--timeout=300s']), /3 new pods have been updated/);
  const pods = await kvPods();
  assert.deepEqual(pods.map((p) => p.metadata.name), ['kv-0', 'kv-1', 'kv-2']);
  const created = (name: string) => Date.parse(pods.find((p) => p.metadata.name === name).metadata.creationTimestamp);
  const ready = (name: string) => readySince(pods.find((p) => p.metadata.name === name));
  assert.ok(ready('kv-0') <= created('kv-1'), 'kv-1 is created once kv-0 is Ready');
  assert.ok(ready('kv-1') <= created('kv-2'), 'kv-2 is created once kv-1 is Ready');
  const claims = await json(['get', 'pvc', '-l', 'app=kv']);
  assert.deepEqual(claims.items.map((c: any) => c.metadata.name).sort(), ['data-kv-0', 'data-kv-1', 'data-kv-2']);
  const claimUid = claims.items.find((c: any) => c.metadata.name === 'data-kv-0').metadata.uid;

  // The primary's data lives in its claim: a replacement kv-0 mounts the same one.
  const kv0 = pods[0];
  const put = await fetch(`http://${kv0.status.podIP}:7000/kv/greeting`, { method: 'PUT', body: 'hello' });
  assert.equal(put.status, 200);
  await ok(['delete', 'pod', 'kv-0']);
  const back = await waitFor('kv-0 back and Ready', async () => {
    const p = (await kvPods()).find((x) => x.metadata.name === 'kv-0');
    return p && p.metadata.uid !== kv0.metadata.uid && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
  }, 120_000, 500);
  assert.equal(back.spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName, 'data-kv-0');
  assert.equal((await json(['get', 'pvc', 'data-kv-0'])).metadata.uid, claimUid, 'the same claim');
  const got = await fetch(`http://${back.status.podIP}:7000/kv/greeting`);
  assert.equal(await got.text(), 'hello');

  assert.match(await ok(['scale', 'sts', 'kv', '--replicas=5']), /statefulset.apps\/kv scaled/);
  await ok(['rollout', 'status', 'sts/kv', '--timeout=300s']);
  assert.deepEqual((await kvPods()).map((p) => p.metadata.name), ['kv-0', 'kv-1', 'kv-2', 'kv-3', 'kv-4']);
  await ok(['scale', 'sts', 'kv', '--replicas=3']);
  await waitFor('back to three Pods', async () => (await kvPods()).map((p) => p.metadata.name).join() === 'kv-0,kv-1,kv-2', 120_000, 500);
  assert.equal((await json(['get', 'pvc', '-l', 'app=kv'])).items.length, 5, 'scaled-away claims are retained');

  await ok(['patch', 'sts', 'kv', '-p', '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}']);
  await ok(['set', 'image', 'sts/kv', 'kv=unyo/kv:2']);
  assert.match(await ok(['rollout', 'status', 'sts/kv', '--timeout=300s']), /partitioned roll out complete: 1 new pods have been updated/);
  assert.deepEqual(await images(), { 'kv-0': 'unyo/kv:1', 'kv-1': 'unyo/kv:1', 'kv-2': 'unyo/kv:2' });
  const sts = await json(['get', 'sts', 'kv']);
  assert.notEqual(sts.status.currentRevision, sts.status.updateRevision);
  assert.equal(sts.status.updatedReplicas, 1);

  const history = await ok(['rollout', 'history', 'sts/kv']);
  assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  assert.match(await ok(['rollout', 'history', 'sts/kv', '--revision=2']), /Image:\s+unyo\/kv:2/);
  assert.match(await ok(['rollout', 'undo', 'sts/kv']), /statefulset.apps\/kv rolled back/);
  await waitFor('kv-2 back on kv:1', async () => {
    const p = (await kvPods()).find((x) => x.metadata.name === 'kv-2');
    return p?.spec.containers[0].image === 'unyo/kv:1' && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
  }, 120_000, 500);
  await ok(['rollout', 'status', 'sts/kv', '--timeout=300s']);
  assert.deepEqual(await images(), { 'kv-0': 'unyo/kv:1', 'kv-1': 'unyo/kv:1', 'kv-2': 'unyo/kv:1' });
  assert.match(await ok(['rollout', 'history', 'sts/kv']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
  const after = await json(['get', 'sts', 'kv']);
  assert.equal(after.status.currentRevision, after.status.updateRevision, 'every Pod at the restored revision');
});

test('invalid DaemonSet and StatefulSet specs are refused with field causes', async () => {
  const badDs = JSON.parse(daemonSet('unyo/web:1'));
  badDs.metadata.name = 'bad';
  badDs.spec.template.metadata.labels = { app: 'other' };
  badDs.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } };
  const ds = await run(['apply', '-f', '-'], JSON.stringify(badDs));
  assert.notEqual(ds.code, 0);
  assert.match(ds.stderr, /The DaemonSet "bad" is invalid/);
  assert.match(ds.stderr, /spec.template.metadata.labels: Invalid value: \{"app":"other"\}: `selector` does not match template `labels`/);
  assert.match(ds.stderr, /spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero/);

  const badSts = JSON.parse(kv);
  badSts.metadata.name = 'bad';
  badSts.spec.podManagementPolicy = 'Random';
  badSts.spec.replicas = -1;
  badSts.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep', whenScaled: 'Retain' };
  const sts = await run(['apply', '-f', '-'], JSON.stringify(badSts));
  assert.notEqual(sts.code, 0);
  assert.match(sts.stderr, /The StatefulSet "bad" is invalid/);
  assert.match(sts.stderr, /spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'/);
  assert.match(sts.stderr, /spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
  assert.match(sts.stderr, /spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"/);

  const update = await run(['patch', 'sts', 'kv', '-p', '{"spec":{"serviceName":"other"}}']);
  assert.notEqual(update.code, 0);
  assert.match(update.stderr, /spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden/);
});

test('StatefulSet: a Pod on a dead node returns Ready on another node within 15 s of the node being declared dead, with its claim and data', async () => {
  const before = (await kvPods()).find((p) => p.metadata.name === 'kv-1');
  const node = before.spec.nodeName;
  const put = await fetch(`http://${before.status.podIP}:7000/kv/survivor`, { method: 'PUT', body: 'still here' });
  assert.equal(put.status, 200);
  const info = JSON.parse(readFileSync(join(cluster.dataDir, 'cluster.json'), 'utf8'));
  process.kill(info.components.find((c: any) => c.name === node).pid, 'SIGKILL');
  // Declared dead: the node lifecycle controller turns its Ready condition Unknown (fast profile:
  // 8 s without a Lease renewal). Then: eviction after the 5 s toleration, the out-of-service
  // taint, PodGC's force delete, and the StatefulSet's new kv-1 elsewhere.
  const readyCondition = async () => JSON.parse((await ok(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")]}'])) || '{}');
  const dead = await waitFor('the node declared dead', async () => {
    const c = await readyCondition();
    return c.status === 'Unknown' ? c : undefined;
  }, 120_000, 200);
  const declaredDead = Date.parse(dead.lastTransitionTime);
  const after = await waitFor('kv-1 Ready on another node', async () => {
    const p = (await kvPods()).find((x) => x.metadata.name === 'kv-1');
    return p && p.metadata.uid !== before.metadata.uid && p.spec.nodeName !== node && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
  }, 180_000, 200);
  const readyAt = Date.parse(after.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime);
  const seconds = (readyAt - declaredDead) / 1000;
  console.log(JSON.stringify({ figure: 'workloads.dead_node_to_statefulset_pod_ready_s', value: seconds }));
  assert.ok(seconds <= 15, `kv-1 was Ready ${seconds} s after the node was declared dead`);
  assert.equal(after.spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName, 'data-kv-1');
  assert.equal(await (await fetch(`http://${after.status.podIP}:7000/kv/survivor`)).text(), 'still here');
  const taints = JSON.parse((await ok(['get', 'node', node, '-o', 'jsonpath={.spec.taints}'])));
  assert.ok(taints.some((t: any) => t.key === 'node.kubernetes.io/out-of-service' && t.effect === 'NoExecute'), 'the dead node is out of service');
});
