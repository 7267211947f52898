import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { ResourceRef } from '../../client/client.js';
import { volumeHost } from './host.js';
import { expandSubPathExpr, resolveMount } from './subpath.js';
import { VolumeError, type Volume, type VolumeOptions } from './types.js';
import { cleanupVolumes, prepareVolumes, updateVolumes } from './volumes.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** An API client holding ConfigMaps and Secrets of one namespace, counting GETs. */
function fakeClient(objects: { configmaps?: Record<string, KubeObject>; secrets?: Record<string, KubeObject> }) {
  const gets: string[] = [];
  const client = {
    objects,
    gets,
    async get(ref: ResourceRef, name: string): Promise<KubeObject> {
      gets.push(`${ref.plural}/${ref.namespace}/${name}`);
      assert.equal(ref.namespace, 'shop');
      const obj = objects[ref.plural as 'configmaps' | 'secrets']?.[name];
      if (!obj) throw errors.notFound('', ref.plural, name);
      return structuredClone(obj);
    },
  };
  return client;
}

const configMap = (name: string, data: Record<string, string>, binaryData?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data, ...(binaryData ? { binaryData } : {}) });
const secret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'shop' },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

function pod(volumes: Volume[], extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-123', labels: extra.labels ?? { app: 'web', tier: 'front' }, annotations: extra.annotations ?? {} },
    spec: {
      volumes,
      containers: [{ name: 'app', resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m', memory: '32Mi' } } }, { name: 'sidecar' }],
    },
  };
}

function setup(objects: Parameters<typeof fakeClient>[0] = {}) {
  const client = fakeClient(objects);
  const podDir = mkdtempSync(join(tmpdir(), 'unyo-pod-'));
  const opts: VolumeOptions = { podDir, client, nodeName: 'node-1', nodeAllocatable: { cpu: 8, memory: '16Gi', 'ephemeral-storage': '100Gi' } };
  return { client, podDir, opts };
}

const read = (path: string) => readFileSync(path, 'utf8');
const mode = (path: string) => statSync(path).mode & 0o777;

async function failure(promise: Promise<unknown>): Promise<VolumeError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof VolumeError, `expected a VolumeError, got ${err}`);
    return err;
  }
  assert.fail('expected a failure');
}

test('emptyDir: a world-writable directory under the pod, kept across prepares', async () => {
  const { podDir, opts } = setup();
  const p = pod([{ name: 'scratch', emptyDir: {} }]);
  const got = await prepareVolumes(p, opts);
  const dir = join(podDir, 'volumes/kubernetes.io~empty-dir/scratch');
  assert.deepEqual(got.get('scratch'), { hostPath: dir, readOnly: false });
  assert.equal(mode(dir), 0o777);
  writeFileSync(join(dir, 'data'), 'kept');
  await prepareVolumes(p, opts);
  assert.equal(read(join(dir, 'data')), 'kept');
});

test('emptyDir: medium Memory and sizeLimit are noted, HugePages rejected', async () => {
  const { opts } = setup();
  const got = await prepareVolumes(pod([{ name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }]), opts);
  assert.deepEqual(got.get('m')!.notes, ['medium Memory: an ordinary directory on disk, not tmpfs (containers are host processes)', 'sizeLimit 64Mi is not enforced']);
  const err = await failure(prepareVolumes(pod([{ name: 'h', emptyDir: { medium: 'HugePages' } }]), opts));
  assert.equal(err.message, 'emptyDir medium HugePages is not supported by unyo');
});

test('configMap: every key (data and binaryData) as a read-only file with mode 0644', async () => {
  const { podDir, opts } = setup({ configmaps: { app: configMap('app', { 'app.conf': 'port=80\n', 'log.level': 'info' }, { 'logo.bin': b64('\x00\x01') }) } });
  const got = await prepareVolumes(pod([{ name: 'cfg', configMap: { name: 'app' } }]), opts);
  const dir = join(podDir, 'volumes/kubernetes.io~configmap/cfg');
  assert.deepEqual(got.get('cfg'), { hostPath: dir, readOnly: true });
  assert.equal(read(join(dir, 'app.conf')), 'port=80\n');
  assert.equal(read(join(dir, 'log.level')), 'info');
  assert.deepEqual(readFileSync(join(dir, 'logo.bin')), Buffer.from([0, 1]));
  assert.equal(mode(join(dir, 'app.conf')), 0o644);
  assert.equal(readlinkSync(join(dir, 'app.conf')), '..data/app.conf');
});

test('configMap: items choose keys, paths and modes; defaultMode covers the rest', async () => {
  const { podDir, opts } = setup({ configmaps: { app: configMap('app', { a: 'A', b: 'B', c: 'C' }) } });
  await prepareVolumes(
    pod([{ name: 'cfg', configMap: { name: 'app', defaultMode: 0o600, items: [{ key: 'a', path: 'conf/a.txt' }, { key: 'b', path: 'run.sh', mode: 0o755 }] } }]),
    opts,
  );
  const dir = join(podDir, 'volumes/kubernetes.io~configmap/cfg');
  assert.equal(read(join(dir, 'conf/a.txt')), 'A');
  assert.equal(mode(join(dir, 'conf/a.txt')), 0o600);
  assert.equal(mode(join(dir, 'run.sh')), 0o755);
  assert.equal(existsSync(join(dir, 'c')), false);
});

test('configMap: a missing ConfigMap fails with upstream message; optional gives an empty volume', async () => {
  const { podDir, opts } = setup();
  const err = await failure(prepareVolumes(pod([{ name: 'cfg', configMap: { name: 'app' } }]), opts));
  assert.equal(err.message, 'configmap "app" not found');
  assert.equal(err.volume, 'cfg');
  assert.equal(err.event, 'MountVolume.SetUp failed for volume "cfg" : configmap "app" not found');
  await prepareVolumes(pod([{ name: 'cfg', configMap: { name: 'app', optional: true } }]), opts);
  assert.equal(existsSync(join(podDir, 'volumes/kubernetes.io~configmap/cfg/..data')), true);
});

test('configMap: an item naming a missing key fails unless optional', async () => {
  const { podDir, opts } = setup({ configmaps: { app: configMap('app', { a: 'A' }) } });
  const items = [{ key: 'a', path: 'a' }, { key: 'nope', path: 'nope' }];
  const err = await failure(prepareVolumes(pod([{ name: 'cfg', configMap: { name: 'app', items } }]), opts));
  assert.equal(err.message, 'configmap references non-existent config key: nope');
  await prepareVolumes(pod([{ name: 'cfg', configMap: { name: 'app', items, optional: true } }]), opts);
  assert.equal(read(join(podDir, 'volumes/kubernetes.io~configmap/cfg/a')), 'A');
});

test('secret: keys decoded from base64; missing Secret and key fail with upstream messages', async () => {
  const { podDir, opts } = setup({ secrets: { db: secret('db', { password: 's3cret', user: 'app' }) } });
  const got = await prepareVolumes(pod([{ name: 'creds', secret: { secretName: 'db', defaultMode: 0o400 } }]), opts);
  const dir = join(podDir, 'volumes/kubernetes.io~secret/creds');
  assert.deepEqual(got.get('creds'), { hostPath: dir, readOnly: true });
  assert.equal(read(join(dir, 'password')), 's3cret');
  assert.equal(mode(join(dir, 'password')), 0o400);
  assert.equal((await failure(prepareVolumes(pod([{ name: 'x', secret: { secretName: 'other' } }]), opts))).message, 'secret "other" not found');
  assert.equal((await failure(prepareVolumes(pod([{ name: 'x', secret: { secretName: 'db', items: [{ key: 'token', path: 't' }] } }]), opts))).message, 'references non-existent secret key: token');
  await prepareVolumes(pod([{ name: 'opt', secret: { secretName: 'other', optional: true } }]), opts);
});

test('downwardAPI: metadata fields in upstream formats', async () => {
  const { podDir, opts } = setup();
  const items = [
    { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
    { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
    { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
    { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
    { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
    { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" } },
    { path: 'note', fieldRef: { fieldPath: "metadata.annotations['note']" } },
  ];
  const p = pod([{ name: 'info', downwardAPI: { items } }], { labels: { tier: 'front', app: 'web' }, annotations: { note: 'say "hi"\nbye', 'b/x': 'é' } });
  const got = await prepareVolumes(p, opts);
  const dir = join(podDir, 'volumes/kubernetes.io~downward-api/info');
  assert.deepEqual(got.get('info'), { hostPath: dir, readOnly: true });
  assert.equal(read(join(dir, 'name')), 'web-1');
  assert.equal(read(join(dir, 'namespace')), 'shop');
  assert.equal(read(join(dir, 'uid')), 'uid-123');
  assert.equal(read(join(dir, 'labels')), 'app="web"\ntier="front"');
  assert.equal(read(join(dir, 'annotations')), 'b/x="é"\nnote="say \\"hi\\"\\nbye"');
  assert.equal(read(join(dir, 'app')), 'web');
  assert.equal(read(join(dir, 'note')), 'say "hi"\nbye');
});

const resources: Array<[resource: string, container: string, divisor: string | undefined, want: string]> = [
  ['limits.cpu', 'app', undefined, '1'],
  ['limits.cpu', 'app', '1m', '250'],
  ['requests.cpu', 'app', '1m', '100'],
  ['limits.memory', 'app', undefined, '67108864'],
  ['limits.memory', 'app', '1Mi', '64'],
  ['requests.memory', 'app', '1Mi', '32'],
  ['limits.cpu', 'sidecar', undefined, '8'],
  ['limits.memory', 'sidecar', '1Gi', '16'],
  ['limits.ephemeral-storage', 'sidecar', '1Gi', '100'],
  ['requests.memory', 'sidecar', undefined, '0'],
];

for (const [resource, container, divisor, want] of resources) {
  test(`downwardAPI: ${resource} of ${container}${divisor ? ` in ${divisor}` : ''} is ${want}`, async () => {
    const { podDir, opts } = setup();
    await prepareVolumes(pod([{ name: 'res', downwardAPI: { items: [{ path: 'v', resourceFieldRef: { containerName: container, resource, ...(divisor ? { divisor } : {}) } }] } }]), opts);
    assert.equal(read(join(podDir, 'volumes/kubernetes.io~downward-api/res/v')), want);
  });
}

test('downwardAPI: unsupported fields and resources are rejected', async () => {
  const { opts } = setup();
  const field = await failure(prepareVolumes(pod([{ name: 'd', downwardAPI: { items: [{ path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }] } }]), opts));
  assert.equal(field.message, 'unsupported fieldPath: status.podIP');
  const res = await failure(prepareVolumes(pod([{ name: 'd', downwardAPI: { items: [{ path: 'g', resourceFieldRef: { containerName: 'app', resource: 'limits.nvidia.com/gpu' } }] } }]), opts));
  assert.equal(res.message, 'unsupported container resource : limits.nvidia.com/gpu');
});

test('projected: configMap, secret and downwardAPI in one directory; the token is noted, not written', async () => {
  const { podDir, opts } = setup({ configmaps: { 'kube-root-ca.crt': configMap('kube-root-ca.crt', { 'ca.crt': 'PEM' }) }, secrets: { db: secret('db', { password: 'pw' }) } });
  const sources = [
    { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { secret: { name: 'db', items: [{ key: 'password', path: 'db/password', mode: 0o400 }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ];
  const got = await prepareVolumes(pod([{ name: 'kube-api-access-x1', projected: { sources, defaultMode: 0o640 } }]), opts);
  const dir = join(podDir, 'volumes/kubernetes.io~projected/kube-api-access-x1');
  assert.deepEqual(got.get('kube-api-access-x1'), {
    hostPath: dir,
    readOnly: true,
    notes: ['serviceAccountToken "token" not written: unyo\'s node agent does not issue bound service account tokens yet'],
  });
  assert.equal(read(join(dir, 'ca.crt')), 'PEM');
  assert.equal(mode(join(dir, 'ca.crt')), 0o640);
  assert.equal(read(join(dir, 'db/password')), 'pw');
  assert.equal(mode(join(dir, 'db/password')), 0o400);
  assert.equal(read(join(dir, 'namespace')), 'shop');
  assert.equal(existsSync(join(dir, 'token')), false);
});

test('projected: a missing ConfigMap fails like a configMap volume', async () => {
  const { opts } = setup();
  const err = await failure(prepareVolumes(pod([{ name: 'p', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }] } }]), opts));
  assert.equal(err.message, 'configmap "kube-root-ca.crt" not found');
});

test('hostPath: types are checked and created as upstream', async () => {
  const { opts } = setup();
  const host = mkdtempSync(join(tmpdir(), 'unyo-host-'));
  writeFileSync(join(host, 'file'), 'f');
  const sock = join(host, 'sock');
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(sock, r));
  try {
    const ok = async (path: string, type?: string) => (await prepareVolumes(pod([{ name: 'h', hostPath: { path, ...(type === undefined ? {} : { type }) } }]), opts)).get('h');
    const bad = async (path: string, type: string) => (await failure(prepareVolumes(pod([{ name: 'h', hostPath: { path, type } }]), opts))).message;

    assert.deepEqual(await ok(join(host, 'anything')), { hostPath: join(host, 'anything'), readOnly: false });
    await ok(join(host, 'made/deep'), 'DirectoryOrCreate');
    assert.ok(statSync(join(host, 'made/deep')).isDirectory());
    await ok(join(host, 'made'), 'Directory');
    await ok(join(host, 'new.log'), 'FileOrCreate');
    assert.ok(statSync(join(host, 'new.log')).isFile());
    await ok(join(host, 'file'), 'File');
    await ok(sock, 'Socket');

    assert.equal(await bad(join(host, 'file'), 'Directory'), `hostPath type check failed: ${host}/file is not a directory`);
    assert.equal(await bad(join(host, 'file'), 'DirectoryOrCreate'), `hostPath type check failed: ${host}/file is not a directory`);
    assert.equal(await bad(join(host, 'missing'), 'Directory'), `hostPath type check failed: ${host}/missing is not a directory`);
    assert.equal(await bad(join(host, 'made'), 'File'), `hostPath type check failed: ${host}/made is not a file`);
    assert.equal(await bad(join(host, 'file'), 'Socket'), `hostPath type check failed: ${host}/file is not a socket file`);
    assert.equal(await bad(join(host, 'file'), 'CharDevice'), `hostPath type check failed: ${host}/file is not a character device`);
    assert.equal(await bad(join(host, 'no/parent.log'), 'FileOrCreate'), `open ${host}/no/parent.log: no such file or directory`);
    assert.equal(await bad(host, 'Folder'), 'Folder is an invalid volume type');
  } finally {
    server.close();
  }
});

test('unknown volume types are rejected by name', async () => {
  const { opts } = setup();
  const nfs = await failure(prepareVolumes(pod([{ name: 'share', nfs: { server: 'x', path: '/' } }]), opts));
  assert.equal(nfs.event, 'MountVolume.SetUp failed for volume "share" : volume type nfs is not supported by unyo');
});

test('prepare: one GET per ConfigMap however many volumes use it', async () => {
  const { client, opts } = setup({ configmaps: { app: configMap('app', { a: 'A' }) } });
  await prepareVolumes(pod([{ name: 'one', configMap: { name: 'app' } }, { name: 'two', projected: { sources: [{ configMap: { name: 'app' } }] } }]), opts);
  assert.deepEqual(client.gets, ['configmaps/shop/app']);
});

test('update: changed ConfigMaps and labels are rewritten, unchanged ones left, errors keep old content', async () => {
  const { client, podDir, opts } = setup({ configmaps: { app: configMap('app', { a: 'A' }), other: configMap('other', { o: 'O' }) }, secrets: { db: secret('db', { p: '1' }) } });
  const volumes: Volume[] = [
    { name: 'cfg', configMap: { name: 'app' } },
    { name: 'keep', configMap: { name: 'other' } },
    { name: 'creds', secret: { secretName: 'db' } },
    { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    { name: 'scratch', emptyDir: {} },
  ];
  await prepareVolumes(pod(volumes), opts);
  const cfg = join(podDir, 'volumes/kubernetes.io~configmap/cfg');
  const before = readlinkSync(join(cfg, '..data'));
  assert.deepEqual(await updateVolumes(pod(volumes), opts), { updated: [], errors: [] });
  assert.equal(readlinkSync(join(cfg, '..data')), before);

  client.objects.configmaps!.app = configMap('app', { a: 'A2', b: 'B' });
  delete client.objects.secrets!.db;
  const result = await updateVolumes(pod(volumes, { labels: { app: 'web', version: '2' } }), opts);
  assert.deepEqual(result.updated, ['cfg', 'info']);
  assert.deepEqual(
    result.errors.map((e) => e.event),
    ['MountVolume.SetUp failed for volume "creds" : secret "db" not found'],
  );
  assert.equal(read(join(cfg, 'a')), 'A2');
  assert.equal(read(join(cfg, 'b')), 'B');
  assert.equal(read(join(podDir, 'volumes/kubernetes.io~secret/creds/p')), '1');
  assert.equal(read(join(podDir, 'volumes/kubernetes.io~downward-api/info/labels')), 'app="web"\nversion="2"');
});

test('cleanup: removes the pod volumes, never what hostPath volumes point at', async () => {
  const { podDir, opts } = setup({ configmaps: { app: configMap('app', { a: 'A' }) } });
  const host = mkdtempSync(join(tmpdir(), 'unyo-host-'));
  writeFileSync(join(host, 'precious'), 'x');
  const got = await prepareVolumes(pod([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'app' } }, { name: 'h', hostPath: { path: host } }]), opts);
  // A link inside an emptyDir to the host directory must not be followed either.
  symlinkSync(host, join(got.get('scratch')!.hostPath, 'link'));
  await cleanupVolumes(podDir);
  assert.equal(existsSync(join(podDir, 'volumes')), false);
  assert.equal(read(join(host, 'precious')), 'x');
  await cleanupVolumes(podDir);
});

test('subPath: created inside the volume with its mode; escapes rejected', async () => {
  const vol = mkdtempSync(join(tmpdir(), 'unyo-vol-'));
  assert.equal(await resolveMount(vol), vol);
  assert.equal(await resolveMount(vol, 'data/db'), join(vol, 'data/db'));
  assert.ok(statSync(join(vol, 'data/db')).isDirectory());
  writeFileSync(join(vol, 'app.conf'), 'x');
  assert.equal(await resolveMount(vol, 'app.conf'), join(vol, 'app.conf'));
  await assert.rejects(resolveMount(vol, '/etc'), { message: 'error SubPath `/etc` must not be an absolute path' });
  await assert.rejects(resolveMount(vol, 'a/../../etc'), { message: "unable to provision SubPath `a/../../etc`: must not contain '..'" });
  symlinkSync(tmpdir(), join(vol, 'out'));
  await assert.rejects(resolveMount(vol, 'out'), /not within volume path/);
});

test('subPath: a configMap key resolves through the volume links (updates stay visible)', async () => {
  const { podDir, opts } = setup({ configmaps: { app: configMap('app', { 'app.conf': 'v1' }) } });
  const host = volumeHost(opts.client, opts.nodeName, { nodeAllocatable: opts.nodeAllocatable });
  const p = pod([{ name: 'cfg', configMap: { name: 'app' } }]);
  const got = await host.prepare(p, podDir);
  const path = await host.resolveMount(got.get('cfg')!.hostPath, 'app.conf');
  assert.equal(path, join(podDir, 'volumes/kubernetes.io~configmap/cfg/app.conf'));
  (opts.client as ReturnType<typeof fakeClient>).objects.configmaps!.app = configMap('app', { 'app.conf': 'v2' });
  assert.deepEqual((await host.update(p, podDir)).updated, ['cfg']);
  assert.equal(read(path), 'v2');
});

test('subPathExpr: $(VAR) from the environment, $$ escapes, missing values fail', () => {
  assert.equal(expandSubPathExpr('logs/$(POD_NAME)', { POD_NAME: 'web-1' }), 'logs/web-1');
  assert.equal(expandSubPathExpr('$$(POD_NAME)', {}), '$(POD_NAME)');
  assert.throws(() => expandSubPathExpr('$(B)/$(A)/$(C)', { C: 'c', A: '' }), { message: 'missing value for A, B' });
});

test('prepare: creates the pod directory when it does not exist yet', async () => {
  const { podDir, opts } = setup();
  const got = await prepareVolumes(pod([{ name: 's', emptyDir: {} }]), { ...opts, podDir: join(podDir, 'fresh') });
  assert.ok(statSync(got.get('s')!.hostPath).isDirectory());
});
