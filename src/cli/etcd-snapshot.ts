// `unyo etcd snapshot save|restore`: one file that brings a whole cluster back.
//
// save: a running cluster's store is copied through the API (GET /unyo/v1/snapshot, cluster
// admins only): sqlite's online backup or etcd's snapshot, consistent at one revision, taken
// while the cluster serves. A stopped sqlite cluster is copied from its state.db. Next to FILE
// goes FILE.sha256 (sha256sum's format, so `sha256sum -c FILE.sha256` checks it too).
//
// restore (the cluster stopped): the hash is checked first; then a sqlite cluster's state.db,
// or every etcd member's data directory of an `--ha` cluster (`etcdctl snapshot restore`, which
// also checks etcd's own hash), is replaced; what was there is kept beside it with a
// `.before-restore-<time>` suffix. `unyo up` on the directory then serves the restored state.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, openSync, readSync, closeSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import https from 'node:https';
import { basename, dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadKubeconfig } from '../client/client.js';
import { openStore } from '../store/index.js';
import { peerUrl, type EtcdLayout } from '../cluster/etcd.js';

export interface SaveOptions {
  dataDir: string;
  kubeconfig?: string;
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** Whether the cluster of DIR is running: its cluster.json names a live process. */
function runningCluster(dir: string): number | undefined {
  const file = join(dir, 'cluster.json');
  if (!existsSync(file)) return undefined;
  try {
    const pids = (JSON.parse(readFileSync(file, 'utf8')).components as Array<{ pid: number }>).map((c) => c.pid);
    return pids.find((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const hash = createHash('sha256');
    createReadStream(file).on('data', (d) => hash.update(d)).on('end', () => resolveHash(hash.digest('hex'))).on('error', reject);
  });
}

export async function snapshotSave(file: string, opts: SaveOptions): Promise<void> {
  const dir = resolve(opts.dataDir);
  const target = resolve(file);
  const part = `${target}.part`;
  let revision = 0;
  let format = '';
  if (opts.kubeconfig || runningCluster(dir)) {
    const kubeconfig = opts.kubeconfig ?? join(dir, 'kubeconfig');
    const config = loadKubeconfig(kubeconfig, 'unyo-snapshot');
    const url = new URL('/unyo/v1/snapshot', config.server);
    console.error(`unyo: copying the store of ${config.server}`);
    ({ revision, format } = await new Promise<{ revision: number; format: string }>((done, reject) => {
      const req = https.get(url, { ca: config.caPem, cert: config.certPem, key: config.keyPem, headers: config.token ? { Authorization: `Bearer ${config.token}` } : {} }, (res) => {
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => {
            let message = body;
            try {
              message = JSON.parse(body).message ?? body;
            } catch {
              // not a Status
            }
            reject(new Error(`the API server refused the snapshot (${res.statusCode}): ${message}`));
          });
          return;
        }
        const total = Number(res.headers['content-length'] ?? 0);
        let got = 0;
        let shown = Date.now();
        res.on('data', (d: Buffer) => {
          got += d.length;
          if (Date.now() - shown > 1000) {
            shown = Date.now();
            console.error(`unyo: ${mib(got)} of ${mib(total)}`);
          }
        });
        const out = createWriteStream(part);
        res.pipe(out);
        out.on('finish', () => done({ revision: Number(res.headers['x-unyo-snapshot-revision']), format: String(res.headers['x-unyo-snapshot-format']) }));
        out.on('error', reject);
        res.on('error', reject);
      });
      req.on('error', (err) => reject(new Error(`cannot reach the API server at ${config.server}: ${err.message}`)));
    }));
  } else {
    if (existsSync(join(dir, 'etcd', 'members.json'))) throw new Error(`the cluster in ${dir} is stopped and keeps its state in etcd: start it (unyo up --ha --data-dir ${dir}) and save again`);
    if (!existsSync(join(dir, 'state.db'))) throw new Error(`no cluster in ${dir} (no cluster.json, no state.db)`);
    const store = await openStore({ driver: 'sqlite', dataDir: dir });
    try {
      ({ revision, format } = await store.snapshot!(part));
    } finally {
      await store.close();
    }
  }
  const hash = await sha256File(part);
  renameSync(part, target);
  writeFileSync(`${target}.sha256`, `${hash}  ${basename(target)}\n`);
  const size = statSync(target).size;
  console.log(`unyo: saved ${target} (${format} snapshot at revision ${revision}, ${mib(size)}, sha256 ${hash}; checksum in ${basename(target)}.sha256)`);
}

export interface RestoreOptions {
  dataDir: string;
  skipHashCheck: boolean;
}

/** sqlite files begin with this; anything else is taken as an etcd snapshot. */
const SQLITE_MAGIC = 'SQLite format 3\0';

export async function snapshotRestore(file: string, opts: RestoreOptions): Promise<void> {
  const dir = resolve(opts.dataDir);
  const source = resolve(file);
  if (!existsSync(source)) throw new Error(`${source}: no such file`);
  const pid = runningCluster(dir);
  if (pid) throw new Error(`the cluster in ${dir} is running (pid ${pid}): stop it before restoring`);

  if (!opts.skipHashCheck) {
    const sidecar = `${source}.sha256`;
    if (!existsSync(sidecar)) throw new Error(`${sidecar} is missing: cannot check the snapshot's integrity (--skip-hash-check to restore anyway)`);
    const want = readFileSync(sidecar, 'utf8').trim().split(/\s+/)[0];
    const got = await sha256File(source);
    if (want !== got) throw new Error(`${source} is damaged: its sha256 is ${got}, ${basename(sidecar)} says ${want}`);
    console.error(`unyo: checksum ok (sha256 ${got})`);
  }

  const head = Buffer.alloc(16);
  const fd = openSync(source, 'r');
  readSync(fd, head, 0, 16, 0);
  closeSync(fd);
  const isSqlite = head.toString('latin1') === SQLITE_MAGIC;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const layoutFile = join(dir, 'etcd', 'members.json');

  if (isSqlite) {
    if (existsSync(layoutFile)) throw new Error(`${source} is a sqlite snapshot but ${dir} holds an etcd (--ha) cluster`);
    const db = join(dir, 'state.db');
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(db + suffix)) renameSync(db + suffix, `${db}${suffix}.before-restore-${stamp}`);
    copyFileSync(source, `${db}.tmp`);
    renameSync(`${db}.tmp`, db);
    console.log(`unyo: restored ${db} from ${source} (the previous state.db is kept as state.db.before-restore-${stamp}); start the cluster with: unyo up --data-dir ${dir}`);
    return;
  }

  if (!existsSync(layoutFile)) throw new Error(`${source} is an etcd snapshot; ${dir} has no etcd members (restore it into the data directory of an --ha cluster, or with etcdctl into your own etcd)`);
  const etcdctl = spawnSync('sh', ['-c', 'command -v etcdctl'], { encoding: 'utf8' }).stdout.trim();
  if (!etcdctl) throw new Error('restoring an etcd snapshot needs etcdctl: run `sudo apt-get install etcd-client` (or scripts/install-deps)');
  const layout = JSON.parse(readFileSync(layoutFile, 'utf8')) as EtcdLayout;
  const initial = layout.members.map((m) => `${m.name}=${peerUrl(layout, m)}`).join(',');
  // Each member's new data directory is made next to the old before anything is moved.
  const work = mkdtempSync(join(dirname(layoutFile), '.restore-'));
  try {
    for (const m of layout.members) {
      const run = spawnSync(etcdctl, ['snapshot', 'restore', source, '--name', m.name, '--data-dir', join(work, m.name), '--initial-cluster', initial, '--initial-cluster-token', layout.token, '--initial-advertise-peer-urls', peerUrl(layout, m)], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } });
      if (run.status !== 0) throw new Error(`etcdctl snapshot restore for ${m.name} failed: ${(run.stderr || run.stdout).trim().split('\n').pop()}`);
      console.error(`unyo: ${m.name} restored`);
    }
    for (const m of layout.members) {
      const live = join(dir, 'etcd', m.name);
      if (existsSync(live)) renameSync(live, `${live}.before-restore-${stamp}`);
      renameSync(join(work, m.name), live);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`unyo: restored ${layout.members.length} etcd members in ${join(dir, 'etcd')} from ${source} (the previous data is kept with the suffix .before-restore-${stamp}); start the cluster with: unyo up --ha --data-dir ${dir}`);
}
