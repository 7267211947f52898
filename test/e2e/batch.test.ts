// Jobs, CronJobs, disruption budgets and quotas with the real kubectl against `unyo up --nodes 3
// --profile fast`: Jobs run to completion or fail with BackoffLimitExceeded, `kubectl create job
// --from=cronjob/x` works, `kubectl drain` evicts within a PodDisruptionBudget and blocks beyond
// it (the ReplicaSet controller moving the Pods), and ResourceQuota and LimitRange admission
// answer as upstream does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, removeCluster, kubectl, kubectlBinaries, type Cluster } from './harness.js';

const bin = kubectlBinaries()[0]?.path ?? 'kubectl';
let cluster: Cluster;
const k = (args: string[], input?: string) => kubectl(bin, cluster, args, input);

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
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

async function ok(args: string[], input?: string): Promise<string> {
  const r = await k(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  cluster = await startCluster({ extraArgs: ['--nodes', '3', '--profile', 'fast'] });
});

after(async () => {
  await removeCluster(cluster);
});

test('kubectl create job runs to completion and its logs say so', async () => {
  assert.match(await ok(['create', 'job', 'pi', '--image=unyo/busybox', '--', 'sh', '-c', 'echo done']), /job.batch\/pi created/);
  await ok(['wait', '--for=condition=complete', 'job/pi', '--timeout=120s']);
  const get = await ok(['get', 'job', 'pi']);
  assert.match(get, /pi\s+Complete\s+1\/1/);
  assert.equal((await ok(['logs', 'job/pi'])).trim(), 'done');
  const conditions = await ok(['get', 'job', 'pi', '-o', 'jsonpath={range .status.conditions[*]}{.type}={.reason};{end}']);
  assert.match(conditions, /SuccessCriteriaMet=CompletionsReached;.*Complete=CompletionsReached;/);
  const pod = JSON.parse(await ok(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=pi', '-o', 'json'])).items[0];
  assert.ok(!(pod.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking'), 'the tracking finalizer is gone once counted');
  assert.match(await ok(['describe', 'job', 'pi']), /Completed\s+\S+\s+job-controller\s+Job completed/);
});

test('a failing Job is retried after a backoff, then fails with BackoffLimitExceeded', async () => {
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'fail' },
    spec: { backoffLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'fail', image: 'unyo/busybox', command: ['sh', '-c', 'echo failing; exit 1'] }] } } },
  };
  await ok(['apply', '-f', '-'], JSON.stringify(job));
  await ok(['wait', '--for=condition=failed', 'job/fail', '--timeout=120s']);
  const status = JSON.parse(await ok(['get', 'job', 'fail', '-o', 'json'])).status;
  assert.equal(status.failed, 2, 'the first Pod and one retry');
  const failed = status.conditions.find((c: any) => c.type === 'Failed');
  assert.deepEqual([failed.reason, failed.message], ['BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
  assert.match(await ok(['describe', 'job', 'fail']), /BackoffLimitExceeded\s+\S+\s+job-controller\s+Job has reached the specified backoff limit/);
});

test('a finished Job with ttlSecondsAfterFinished is deleted with its Pods', async () => {
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'ttl' },
    spec: { ttlSecondsAfterFinished: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'ttl', image: 'unyo/busybox', command: ['sh', '-c', 'echo bye'] }] } } },
  };
  await ok(['apply', '-f', '-'], JSON.stringify(job));
  await ok(['wait', '--for=condition=complete', 'job/ttl', '--timeout=120s']);
  await until('the Job is gone', async () => (await k(['get', 'job', 'ttl'])).stderr.includes('NotFound'), 120_000);
  await until('its Pods are gone', async () => (await ok(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=ttl', '-o', 'name'])).trim() === '', 120_000);
});

test('kubectl create job --from=cronjob/x runs the CronJob\'s template now', async () => {
  await ok(['create', 'cronjob', 'tick', '--image=unyo/busybox', '--schedule=*/1 * * * *', '--', 'sh', '-c', 'echo tick']);
  await ok(['create', 'job', 'tick-now', '--from=cronjob/tick']);
  await ok(['wait', '--for=condition=complete', 'job/tick-now', '--timeout=120s']);
  assert.equal((await ok(['logs', 'job/tick-now'])).trim(), 'tick');
  const job = JSON.parse(await ok(['get', 'job', 'tick-now', '-o', 'json']));
  assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');
  assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
  assert.match(await ok(['get', 'cronjob', 'tick']), /tick\s+\*\/1 \* \* \* \*\s+<none>\s+False/);
});

const podsOf = async (app: string) => JSON.parse(await ok(['get', 'pods', '-l', `app=${app}`, '-o', 'json'])).items as any[];

test('kubectl drain moves a Deployment\'s Pods within its PodDisruptionBudget, blocks and reports beyond it; uncordon restores scheduling', async () => {
  await ok(['create', 'deployment', 'web', '--image=unyo/busybox', '--replicas=4', '--', 'sleep', '3600']);
  await ok(['create', 'pdb', 'web', '--selector=app=web', '--min-available=3']);
  await ok(['rollout', 'status', 'deployment/web', '--timeout=180s']);
  await until('the budget allows 1', async () => (await ok(['get', 'pdb', 'web', '-o', 'jsonpath={.status.disruptionsAllowed}/{.status.expectedPods}'])).trim() === '1/4');
  const target: string = (await podsOf('web'))[0].spec.nodeName;

  const drained = await k(['drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=240s']);
  assert.equal(drained.code, 0, drained.stderr);
  assert.match(drained.stdout, new RegExp(`node/${target} cordoned`));
  assert.match(drained.stdout, /evicting pod default\/web-/);
  assert.match(drained.stdout, /pod\/web-\S+ evicted/);
  assert.match(drained.stdout, new RegExp(`node/${target} drained`));
  assert.match(await ok(['get', 'node', target]), /SchedulingDisabled/);
  // The ReplicaSet replaced every evicted Pod elsewhere.
  await ok(['rollout', 'status', 'deployment/web', '--timeout=180s']);
  const moved = await until('four Ready web Pods off the drained node', async () => {
    const pods = (await podsOf('web')).filter((p) => !p.metadata.deletionTimestamp);
    return pods.length === 4 && pods.every((p) => p.spec.nodeName && p.spec.nodeName !== target) ? pods : undefined;
  });
  assert.equal(moved.length, 4);

  // A single-replica Deployment whose budget needs its one Pod: draining its node blocks.
  await ok(['create', 'deployment', 'db', '--image=unyo/busybox', '--', 'sleep', '3600']);
  await ok(['create', 'pdb', 'db', '--selector=app=db', '--min-available=1']);
  await ok(['rollout', 'status', 'deployment/db', '--timeout=180s']);
  await until('the db budget is computed', async () => (await ok(['get', 'pdb', 'db', '-o', 'jsonpath={.status.currentHealthy}/{.status.disruptionsAllowed}'])).trim() === '1/0');
  const dbPod = (await podsOf('db'))[0];
  const blocked = await k(['drain', dbPod.spec.nodeName, '--ignore-daemonsets', '--delete-emptydir-data', '--pod-selector=app=db', '--timeout=15s']);
  assert.notEqual(blocked.code, 0);
  assert.match(blocked.stderr, new RegExp(`error when evicting pods/"${dbPod.metadata.name}" -n "default" \\(will retry after 5s\\): Cannot evict pod as it would violate the pod's disruption budget\\.`));
  assert.match(blocked.stderr, new RegExp(`unable to drain node "${dbPod.spec.nodeName}"`));
  assert.equal((await podsOf('db'))[0].metadata.uid, dbPod.metadata.uid, 'the Pod the budget protects was not evicted');
  await ok(['uncordon', dbPod.spec.nodeName]);

  // A Pod that can only go to the drained node waits while it is cordoned and runs there once uncordoned.
  await ok(['run', 'pinned', '--image=unyo/busybox', `--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"${target}"}}}`, '--', 'sleep', '3600']);
  await until('FailedScheduling', async () => /FailedScheduling/.test(await ok(['describe', 'pod', 'pinned'])));
  assert.equal((await ok(['get', 'pod', 'pinned', '-o', 'jsonpath={.spec.nodeName}'])).trim(), '');
  assert.match(await ok(['uncordon', target]), new RegExp(`node/${target} uncordoned`));
  await ok(['wait', '--for=condition=Ready', 'pod/pinned', '--timeout=120s']);
  assert.equal((await ok(['get', 'pod', 'pinned', '-o', 'jsonpath={.spec.nodeName}'])).trim(), target);
});

test('a ResourceQuota refuses the Pod beyond it; LimitRange defaults appear in the created Pod', async () => {
  await ok(['create', 'namespace', 'quota']);
  await ok(['-n', 'quota', 'create', 'quota', 'q', '--hard=pods=2']);
  await until('quota counted', async () => (await ok(['-n', 'quota', 'get', 'quota', 'q', '-o', 'jsonpath={.status.used.pods}'])).trim() === '0');
  await ok(['-n', 'quota', 'run', 'p1', '--image=unyo/busybox', '--', 'sleep', '3600']);
  await ok(['-n', 'quota', 'run', 'p2', '--image=unyo/busybox', '--', 'sleep', '3600']);
  const refused = await k(['-n', 'quota', 'run', 'p3', '--image=unyo/busybox', '--', 'sleep', '3600']);
  assert.notEqual(refused.code, 0);
  assert.equal(refused.stderr.trim(), 'Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  assert.match(await ok(['-n', 'quota', 'get', 'quota', 'q']), /pods: 2\/2/);
  await ok(['-n', 'quota', 'delete', 'pod', 'p1', '--wait=true']);
  await until('usage given back', async () => (await ok(['-n', 'quota', 'get', 'quota', 'q', '-o', 'jsonpath={.status.used.pods}'])).trim() === '1');
  await ok(['-n', 'quota', 'run', 'p3', '--image=unyo/busybox', '--', 'sleep', '3600']);

  await ok(['create', 'namespace', 'limits']);
  await ok(['-n', 'limits', 'apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'defaults' },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, min: { cpu: '100m' } }] },
  }));
  await ok(['-n', 'limits', 'run', 'lr', '--image=unyo/busybox', '--', 'sleep', '3600']);
  const pod = JSON.parse(await ok(['-n', 'limits', 'get', 'pod', 'lr', '-o', 'json']));
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
  assert.equal(pod.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container lr; cpu, memory limit for container lr');
  const small = await k(['-n', 'limits', 'run', 'small', '--image=unyo/busybox', '--overrides={"spec":{"containers":[{"name":"small","image":"unyo/busybox","args":["sleep","3600"],"resources":{"requests":{"cpu":"50m"}}}]}}']);
  assert.notEqual(small.code, 0);
  assert.equal(small.stderr.trim(), 'Error from server (Forbidden): pods "small" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
});
