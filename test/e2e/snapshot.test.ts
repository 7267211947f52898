// `unyo etcd snapshot save` of a running sqlite cluster, then stop, wipe, `restore`, start:
// every object saved is back, nothing written after the save is; a damaged file, a missing
// checksum and a running cluster are refused with one clear line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, removeCluster, kubectl, kubectlBinaries, repoRoot, type Cluster } from './harness.js';

const bin = kubectlBinaries()[0]?.path ?? 'kubectl';
const unyo = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'unyo.js'), ...args], { encoding: 'utf8' });

test('save while running, wipe, restore: every saved object is back', { timeout: 240_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'unyo-snap-'));
  const file = join(work, 'cluster.snap');
  let cluster: Cluster | undefined = await startCluster();
  const dataDir = cluster.dataDir;
  try {
    const k = (args: string[]) => kubectl(bin, cluster!, args);
    assert.equal((await k(['create', 'namespace', 'shop'])).code, 0);
    for (let i = 0; i < 50; i++) assert.equal((await k(['create', 'configmap', `cm-${i}`, '-n', 'shop', `--from-literal=i=${i}`])).code, 0);
    assert.equal((await k(['create', 'secret', 'generic', 'db', '-n', 'shop', '--from-literal=password=s3cret'])).code, 0);

    const saved = unyo(['etcd', 'snapshot', 'save', file, '--data-dir', dataDir]);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /saved .*cluster\.snap \(sqlite snapshot at revision \d+, .* sha256 [0-9a-f]{64}/);
    assert.ok(existsSync(`${file}.sha256`));
    assert.equal(spawnSync('sha256sum', ['-c', `${file}.sha256`], { cwd: work }).status, 0, 'sha256sum -c accepts the checksum file');

    // Written after the save: not in the snapshot.
    assert.equal((await k(['create', 'configmap', 'later', '-n', 'shop'])).code, 0);
    const refused = unyo(['etcd', 'snapshot', 'restore', file, '--data-dir', dataDir]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr.trim(), /^unyo: the cluster in .* is running \(pid \d+\): stop it before restoring$/);

    await cluster.stop();
    cluster = undefined;
    rmSync(join(dataDir, 'state.db'));
    rmSync(join(dataDir, 'state.db-wal'), { force: true });

    // A damaged copy and a missing checksum are refused; nothing is changed.
    const damaged = join(work, 'damaged.snap');
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(damaged, bytes);
    writeFileSync(`${damaged}.sha256`, readFileSync(`${file}.sha256`));
    const bad = unyo(['etcd', 'snapshot', 'restore', damaged, '--data-dir', dataDir]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr.trim(), /^unyo: .*damaged\.snap is damaged: its sha256 is [0-9a-f]{64}, damaged\.snap\.sha256 says [0-9a-f]{64}$/);
    rmSync(`${damaged}.sha256`);
    const unchecked = unyo(['etcd', 'snapshot', 'restore', damaged, '--data-dir', dataDir]);
    assert.match(unchecked.stderr.trim(), /damaged\.snap\.sha256 is missing/);
    assert.equal(existsSync(join(dataDir, 'state.db')), false);

    const restored = unyo(['etcd', 'snapshot', 'restore', file, '--data-dir', dataDir]);
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(restored.stdout, /restored .*state\.db/);

    cluster = await startCluster({ dataDir });
    const names = (await k(['get', 'configmaps', '-n', 'shop', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.trim().split(/\s+/).filter((n) => n.startsWith('cm-'));
    assert.equal(names.length, 50);
    assert.equal((await k(['get', 'configmap', 'cm-7', '-n', 'shop', '-o', 'jsonpath={.data.i}'])).stdout, '7');
    assert.equal(Buffer.from((await k(['get', 'secret', 'db', '-n', 'shop', '-o', 'jsonpath={.data.password}'])).stdout, 'base64').toString(), 's3cret');
    const later = await k(['get', 'configmap', 'later', '-n', 'shop']);
    assert.notEqual(later.code, 0, 'what was written after the save is not restored');
    assert.match(later.stderr, /NotFound/);
    // The restored cluster takes writes.
    assert.equal((await k(['create', 'configmap', 'after-restore', '-n', 'shop'])).code, 0);
  } finally {
    if (cluster) await removeCluster(cluster);
    else rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
