// Deployments and ReplicaSets on a real `unyo up --nodes 3 --profile fast`, driven by the real
// kubectl as the lab does: create, rollout status, set image and apply, rollout history (with
// change-cause and --revision), undo and --to-revision, pause/resume/restart,
// revisionHistoryLimit, a broken image that stalls and hits its progress deadline, scaling, a
// deleted Pod replaced, and invalid workloads refused. The rollouts run with one kubectl; the
// read-only and error checks run with every binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startCluster, removeCluster, kubectl, kubectlBinaries, waitFor, type Cluster, type RunResult } from './harness.js';

const binaries = kubectlBinaries();
const bin = binaries[0]?.path ?? 'kubectl';
let cluster: Cluster;
const k = (args: string[], input?: string) => kubectl(bin, cluster, args, input);
const show = (r: RunResult) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
/** Rollouts wait on real processes on a shared, busy machine: be generous. */
const rolloutTimeout = '--timeout=300s';

before(async () => {
  cluster = await startCluster({ extraArgs: ['--nodes', '3', '--profile', 'fast'], readyTimeoutMs: 180_000 });
});

after(async () => {
  const dataDir = cluster.dataDir;
  await removeCluster(cluster);
  const left = spawnSync('sh', ['-c', `ps -eo pid,args | grep -F ${JSON.stringify(dataDir)} | grep -v grep || true`], { encoding: 'utf8' }).stdout.trim();
  assert.equal(left, '', `processes left behind:\n${left}`);
});

async function json(args: string[]): Promise<any> {
  const r = await k([...args, '-o', 'json']);
  assert.equal(r.code, 0, show(r));
  return JSON.parse(r.stdout);
}

/** The Pods of an app that are not being deleted. */
async function livePods(app: string): Promise<any[]> {
  return (await json(['get', 'pods', '-l', `app=${app}`])).items.filter((p: any) => !p.metadata.deletionTimestamp);
}

async function rolloutStatus(name: string): Promise<void> {
  const r = await k(['rollout', 'status', `deployment/${name}`, rolloutTimeout]);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, new RegExp(`deployment "${name}" successfully rolled out`));
}

/** After a rollout: every live Pod runs `image`, and one of them answers with its tag. */
async function servesImage(app: string, image: string): Promise<void> {
  const pods = await waitFor(`${app} Pods all on ${image}`, async () => {
    const ps = await livePods(app);
    return ps.length > 0 && ps.every((p) => p.spec.containers[0].image === image) ? ps : undefined;
  }, 120_000, 500);
  const ready = pods.find((p) => p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
  assert.ok(ready, 'a Ready Pod');
  const res = await fetch(`http://${ready.status.podIP}:8080/`, { signal: AbortSignal.timeout(10_000) });
  assert.equal((await res.text()).split('\n')[0], image.split(':')[1]);
}

const replicaSets = async (app: string) => (await json(['get', 'rs', '-l', `app=${app}`])).items as any[];
const revisionOf = (rs: any) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'];

test('create deployment, then rollout status succeeds', async () => {
  const r = await k(['create', 'deployment', 'web', '--image=unyo/web:1', '--replicas=3']);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout.trim(), 'deployment.apps/web created');
  await rolloutStatus('web');
  const get = await k(['get', 'deployment', 'web']);
  assert.match(get.stdout, /^web\s+3\/3\s+3\s+3\s+/m, show(get));
  const [rs] = await replicaSets('web');
  assert.match(rs.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(revisionOf(rs), '1');
  const events = await k(['get', 'events', '--field-selector', 'involvedObject.kind=Deployment,involvedObject.name=web', '-o', 'jsonpath={.items[*].message}']);
  assert.match(events.stdout, new RegExp(`Scaled up replica set ${rs.metadata.name} from 0 to 3`));
  await servesImage('web', 'unyo/web:1');
});

test('set image and apply roll the Deployment, and history lists each revision with its change-cause', async () => {
  assert.equal((await k(['annotate', 'deployment/web', 'kubernetes.io/change-cause=create web:1'])).code, 0);
  const set = await k(['set', 'image', 'deployment/web', 'web=unyo/web:2']);
  assert.equal(set.code, 0, show(set));
  assert.equal(set.stdout.trim(), 'deployment.apps/web image updated');
  assert.equal((await k(['annotate', 'deployment/web', 'kubernetes.io/change-cause=set image web:2', '--overwrite'])).code, 0);
  await rolloutStatus('web');
  await servesImage('web', 'unyo/web:2');

  const manifest = await json(['get', 'deployment', 'web']);
  manifest.metadata = { name: 'web', annotations: { 'kubernetes.io/change-cause': 'apply web:3' } };
  delete manifest.status;
  manifest.spec.template.spec.containers[0].image = 'unyo/web:3';
  const apply = await k(['apply', '-f', '-'], JSON.stringify(manifest));
  assert.equal(apply.code, 0, show(apply));
  assert.match(apply.stdout, /deployment\.apps\/web configured/);
  await rolloutStatus('web');
  await servesImage('web', 'unyo/web:3');

  for (const { name, path } of binaries) {
    const history = await kubectl(path, cluster, ['rollout', 'history', 'deployment/web']);
    assert.equal(history.code, 0, `${name}: ${show(history)}`);
    assert.match(history.stdout, /^REVISION\s+CHANGE-CAUSE$/m, name);
    assert.match(history.stdout, /^1\s+create web:1$/m, `${name}: ${history.stdout}`);
    assert.match(history.stdout, /^2\s+set image web:2$/m, `${name}: ${history.stdout}`);
    assert.match(history.stdout, /^3\s+apply web:3$/m, `${name}: ${history.stdout}`);
    const rev2 = await kubectl(path, cluster, ['rollout', 'history', 'deployment/web', '--revision=2']);
    assert.equal(rev2.code, 0, `${name}: ${show(rev2)}`);
    assert.match(rev2.stdout, /with revision #2/, name);
    assert.match(rev2.stdout, /Image:\s+unyo\/web:2/, `${name}: ${rev2.stdout}`);
    assert.match(rev2.stdout, /pod-template-hash=/, name);
  }
});

test('rollout undo and undo --to-revision bring the old image back; an unknown revision is refused', async () => {
  const undo = await k(['rollout', 'undo', 'deployment/web']);
  assert.equal(undo.code, 0, show(undo));
  assert.equal(undo.stdout.trim(), 'deployment.apps/web rolled back');
  await rolloutStatus('web');
  await servesImage('web', 'unyo/web:2');
  // The ReplicaSet of revision 2 was reused and is now revision 4, remembering 2.
  const reused = (await replicaSets('web')).find((rs) => revisionOf(rs) === '4');
  assert.equal(reused?.spec.template.spec.containers[0].image, 'unyo/web:2');
  assert.equal(reused?.metadata.annotations['deployment.kubernetes.io/revision-history'], '2');
  assert.equal((await replicaSets('web')).length, 3, 'no new ReplicaSet for a rollback');

  const to1 = await k(['rollout', 'undo', 'deployment/web', '--to-revision=1']);
  assert.equal(to1.code, 0, show(to1));
  await rolloutStatus('web');
  await servesImage('web', 'unyo/web:1');
  const history = await k(['rollout', 'history', 'deployment/web']);
  assert.match(history.stdout, /^3\s+apply web:3$/m, history.stdout);
  assert.match(history.stdout, /^4\s+set image web:2$/m, history.stdout);
  assert.match(history.stdout, /^5\s+create web:1$/m, history.stdout);
  assert.doesNotMatch(history.stdout, /^[12]\s/m, history.stdout);

  for (const { name, path } of binaries) {
    const unknown = await kubectl(path, cluster, ['rollout', 'undo', 'deployment/web', '--to-revision=99']);
    assert.equal(unknown.code, 1, `${name}: ${show(unknown)}`);
    assert.equal(unknown.stderr.trim(), 'error: unable to find specified revision 99 in history', name);
  }
  assert.equal((await json(['get', 'deployment', 'web'])).spec.template.spec.containers[0].image, 'unyo/web:1');
});

test('rollout pause holds a new template back while scaling still works; resume rolls it out; restart rolls again', async () => {
  assert.equal((await k(['rollout', 'pause', 'deployment/web'])).stdout.trim(), 'deployment.apps/web paused');
  const before = (await replicaSets('web')).length;
  assert.equal((await k(['set', 'image', 'deployment/web', 'web=unyo/web:4'])).code, 0);
  const scale = await k(['scale', 'deployment/web', '--replicas=4']);
  assert.equal(scale.stdout.trim(), 'deployment.apps/web scaled', show(scale));
  const paused = await waitFor('the paused Deployment scaled to 4', async () => {
    const d = await json(['get', 'deployment', 'web']);
    return d.status.observedGeneration === d.metadata.generation && d.status.availableReplicas === 4 ? d : undefined;
  }, 180_000, 500);
  const progressing = paused.status.conditions.find((c: any) => c.type === 'Progressing');
  assert.equal(progressing.reason, 'DeploymentPaused');
  assert.equal(progressing.status, 'Unknown');
  assert.equal((await replicaSets('web')).length, before, 'no new ReplicaSet while paused');
  assert.ok((await livePods('web')).every((p) => p.spec.containers[0].image === 'unyo/web:1'));
  const refused = await k(['rollout', 'undo', 'deployment/web']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again/);

  assert.equal((await k(['rollout', 'resume', 'deployment/web'])).stdout.trim(), 'deployment.apps/web resumed');
  await rolloutStatus('web');
  await servesImage('web', 'unyo/web:4');
  assert.equal((await livePods('web')).length, 4);

  const restart = await k(['rollout', 'restart', 'deployment/web']);
  assert.equal(restart.stdout.trim(), 'deployment.apps/web restarted', show(restart));
  await rolloutStatus('web');
  const d = await json(['get', 'deployment', 'web']);
  assert.ok(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
  const newest = (await replicaSets('web')).find((rs) => revisionOf(rs) === d.metadata.annotations['deployment.kubernetes.io/revision']);
  assert.ok(newest.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
  assert.equal(newest.status.availableReplicas, 4);
});

test('revisionHistoryLimit: 2 keeps two old ReplicaSets', async () => {
  const patch = await k(['patch', 'deployment/web', '-p', JSON.stringify({ spec: { revisionHistoryLimit: 2 } })]);
  assert.equal(patch.code, 0, show(patch));
  const rss = await waitFor('old ReplicaSets pruned to 2', async () => {
    const list = await replicaSets('web');
    return list.length === 3 ? list : undefined;
  }, 60_000, 500);
  const d = await json(['get', 'deployment', 'web']);
  const current = Number(d.metadata.annotations['deployment.kubernetes.io/revision']);
  assert.deepEqual(rss.map((rs) => Number(revisionOf(rs))).sort((a, b) => a - b), [current - 2, current - 1, current]);
  const history = await k(['rollout', 'history', 'deployment/web']);
  assert.equal(history.stdout.trim().split('\n').filter((l) => /^\d+\s/.test(l)).length, 3, history.stdout);
});

test('a broken image stalls the rollout with every Ready Pod kept, exceeds its progress deadline, and undo recovers', async () => {
  const manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'fragile' },
    spec: {
      replicas: 3,
      progressDeadlineSeconds: 20,
      selector: { matchLabels: { app: 'fragile' } },
      template: {
        metadata: { labels: { app: 'fragile' } },
        spec: {
          containers: [{ name: 'web', image: 'unyo/web:1', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 1 } }],
        },
      },
    },
  };
  assert.equal((await k(['apply', '-f', '-'], JSON.stringify(manifest))).code, 0);
  await rolloutStatus('fragile');
  assert.equal((await k(['set', 'image', 'deployment/fragile', 'web=unyo/web:broken'])).code, 0);
  const status = await k(['rollout', 'status', 'deployment/fragile', rolloutTimeout]);
  assert.equal(status.code, 1, show(status));
  assert.equal(status.stderr.trim(), 'error: deployment "fragile" exceeded its progress deadline');
  const d = await json(['get', 'deployment', 'fragile']);
  const progressing = d.status.conditions.find((c: any) => c.type === 'Progressing');
  assert.equal(progressing.status, 'False');
  assert.equal(progressing.reason, 'ProgressDeadlineExceeded');
  assert.match(progressing.message, /^ReplicaSet "fragile-\w+" has timed out progressing\.$/);
  // 25% of 3 may be unavailable: none. The three old Pods still serve; one broken Pod is tried.
  assert.equal(d.status.availableReplicas, 3, JSON.stringify(d.status));
  assert.equal(d.status.updatedReplicas, 1, JSON.stringify(d.status));
  const pods = await livePods('fragile');
  assert.equal(pods.filter((p) => p.spec.containers[0].image === 'unyo/web:1').length, 3);

  const undo = await k(['rollout', 'undo', 'deployment/fragile']);
  assert.equal(undo.code, 0, show(undo));
  await rolloutStatus('fragile');
  await servesImage('fragile', 'unyo/web:1');
  const after = await json(['get', 'deployment', 'fragile']);
  assert.equal(after.status.conditions.find((c: any) => c.type === 'Progressing').reason, 'NewReplicaSetAvailable');
});

test('kubectl scale of a Deployment and of a ReplicaSet; a deleted Pod is replaced', async () => {
  assert.equal((await k(['scale', 'deployment/web', '--replicas=5'])).code, 0);
  await rolloutStatus('web');
  await waitFor('5 available', async () => (await json(['get', 'deployment', 'web'])).status.availableReplicas === 5, 180_000, 500);

  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'solo' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'solo' } }, template: { metadata: { labels: { app: 'solo' } }, spec: { containers: [{ name: 'web', image: 'unyo/web:1' }] } } },
  };
  assert.equal((await k(['apply', '-f', '-'], JSON.stringify(rs))).code, 0);
  for (const { name, path } of binaries) {
    const scaled = await kubectl(path, cluster, ['scale', 'rs/solo', `--replicas=${name === binaries[0].name ? 3 : 4}`]);
    assert.equal(scaled.stdout.trim(), 'replicaset.apps/solo scaled', `${name}: ${show(scaled)}`);
  }
  const want = binaries.length > 1 ? 4 : 3;
  const pods = await waitFor(`${want} solo Pods ready`, async () => {
    const r = await json(['get', 'rs', 'solo']);
    return r.status.readyReplicas === want ? livePods('solo') : undefined;
  }, 180_000, 500);
  assert.equal(pods.length, want);
  const victim = pods[0].metadata.name;
  const del = await k(['delete', 'pod', victim, '--wait=false']);
  assert.equal(del.code, 0, show(del));
  const replaced = await waitFor('a replacement Pod', async () => {
    const ps = await livePods('solo');
    return ps.length === want && !ps.some((p) => p.metadata.name === victim) ? ps : undefined;
  }, 120_000, 500);
  assert.equal(replaced.length, want);
  assert.equal((await k(['scale', 'rs/solo', '--replicas=1'])).code, 0);
  await waitFor('solo scaled down to 1', async () => (await livePods('solo')).length === 1, 120_000, 500);
  const events = await waitFor('create and delete events', async () => {
    const r = await k(['get', 'events', '--field-selector', 'involvedObject.kind=ReplicaSet,involvedObject.name=solo', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    return /SuccessfulDelete/.test(r.stdout) ? r.stdout : undefined;
  }, 30_000, 500);
  assert.match(events, /^SuccessfulCreate: Created pod: solo-\w+$/m);
  assert.match(events, /^SuccessfulDelete: Deleted pod: solo-\w+$/m);
});

const invalid: Array<{ name: string; spec: (s: any) => void; errors: RegExp[] }> = [
  { name: 'mismatch', spec: (s) => (s.template.metadata.labels = { app: 'other' }), errors: [/spec\.template\.metadata\.labels: Invalid value: .*"app":"other".*: `selector` does not match template `labels`/] },
  { name: 'negative', spec: (s) => (s.replicas = -1), errors: [/spec\.replicas: Invalid value: -1: must be greater than or equal to 0/] },
  { name: 'duplicate', spec: (s) => s.template.spec.containers.push({ name: 'web', image: 'unyo/web:2' }), errors: [/spec\.template\.spec\.containers\[1\]\.name: Duplicate value: "web"/] },
  {
    name: 'no-progress',
    spec: (s) => (s.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }),
    errors: [/spec\.strategy\.rollingUpdate\.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0/],
  },
  { name: 'too-much', spec: (s) => (s.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '120%' } }), errors: [/spec\.strategy\.rollingUpdate\.maxUnavailable: Invalid value: "120%": must not be greater than 100%/] },
];

test('invalid Deployments are refused as Invalid with their field causes, and nothing is stored', async () => {
  for (const { name: kubectlName, path } of binaries) {
    for (const c of invalid) {
      const spec: any = { replicas: 1, selector: { matchLabels: { app: c.name } }, template: { metadata: { labels: { app: c.name } }, spec: { containers: [{ name: 'web', image: 'unyo/web:1' }] } } };
      c.spec(spec);
      const r = await kubectl(path, cluster, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: c.name }, spec }));
      assert.equal(r.code, 1, `${kubectlName} ${c.name}: ${show(r)}`);
      assert.match(r.stderr, new RegExp(`The Deployment "${c.name}" is invalid`), `${kubectlName} ${c.name}: ${r.stderr}`);
      for (const e of c.errors) assert.match(r.stderr, e, `${kubectlName} ${c.name}: ${r.stderr}`);
      const get = await kubectl(path, cluster, ['get', 'deployment', c.name]);
      assert.match(get.stderr, /NotFound/, `${kubectlName} ${c.name} was stored`);
    }
  }
  // An invalid change to a live Deployment changes nothing either.
  const before = await json(['get', 'deployment', 'web']);
  const r = await k(['patch', 'deployment/web', '-p', JSON.stringify({ spec: { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } } })]);
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /The Deployment "web" is invalid: spec\.strategy\.rollingUpdate\.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0/);
  const after = await json(['get', 'deployment', 'web']);
  assert.equal(after.metadata.generation, before.metadata.generation);
  assert.deepEqual(after.spec, before.spec);
});
