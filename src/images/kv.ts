// unyo/kv: the lab's stand-in for a replicated database run as a StatefulSet. Ordinal 0
// (from HOSTNAME `kv-0`) is the primary; followers forward writes to PRIMARY_URL and serve
// reads from their own copy, kept current by the primary's best-effort pushes to PEERS and
// by pulling every change after the last revision they synced (SYNC_INTERVAL_MS).
//
//   PUT|POST /kv/<key>   body = value; 200 once fsynced on the primary
//   GET /kv/<key>        the value (404 if none); ?consistent=true reads from the primary
//   DELETE /kv/<key>     200, or 404 if none
//   GET /kv[?prefix=p]   {"keys":[...]}
//   GET /role            {"role":"primary"|"follower"|"standalone", ...}
//   /healthz, /readyz
//   POST /replication/push, GET /replication/sync?after=<revision>   between replicas
import http from 'node:http';
import { hostname as osHostname, tmpdir } from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Settings, fail, hostPath, httpRequest, listenAddress, log, readBody, serveGracefully, volumeMounts } from './common.js';
import { KvStore, type Entry } from './kvstore.js';

const maxValueBytes = 16 * 1024 * 1024;

/** An entry on the wire between replicas: the value in base64, null for a tombstone. */
interface WireEntry {
  key: string;
  value: string | null;
  revision: number;
}

interface SyncResponse {
  epoch: string;
  revision: number;
  entries: WireEntry[];
}

const toWire = (e: Entry): WireEntry => ({ key: e.key, value: e.value === null ? null : e.value.toString('base64'), revision: e.revision });
const fromWire = (e: WireEntry): Entry => ({ key: e.key, value: e.value === null ? null : Buffer.from(e.value, 'base64'), revision: e.revision });

function baseUrl(name: string, raw: string): string {
  const url = new URL(raw);
  if (url.protocol !== 'http:') throw new Error(`${name} must be an http:// URL, got ${JSON.stringify(raw)}`);
  return url.href.replace(/\/+$/, '');
}

/**
 * The data directory: DATA_DIR, else the first volume mount, else ./data — as a host path.
 * Without a volume, ./data is in the container's writable layer; where the working directory
 * is not writable (an unprivileged runtime runs containers in the host's /), a fresh temp
 * directory stands in for that layer, lost with the container just as the layer would be.
 */
async function openStore(settings: Settings): Promise<KvStore> {
  const explicit = settings.string('DATA_DIR') ?? volumeMounts()[0];
  if (explicit !== undefined) return KvStore.open(resolve(hostPath(explicit)));
  try {
    return await KvStore.open(resolve(hostPath('data')));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw err;
    const dir = await mkdtemp(join(tmpdir(), 'unyo-kv-'));
    log('kv', `./data is not writable (${code}) and no volume is mounted: keeping data in ${dir} for this container only`);
    return KvStore.open(dir);
  }
}

async function main(): Promise<void> {
  const settings = new Settings(['PORT', 'DATA_DIR', 'PRIMARY_URL', 'PEERS', 'SYNC_INTERVAL_MS']);
  if (settings.positional.length > 0) throw new Error(`unexpected arguments: ${settings.positional.join(' ')}`);
  const address = listenAddress(settings, 7000)!;
  const host = process.env.HOSTNAME || osHostname();
  const ordinalMatch = /-(\d+)$/.exec(host);
  const ordinal = ordinalMatch ? Number(ordinalMatch[1]) : undefined;
  const primaryUrlSetting = settings.string('PRIMARY_URL');
  const primaryUrl = primaryUrlSetting === undefined ? undefined : baseUrl('PRIMARY_URL', primaryUrlSetting);
  const peers = (settings.string('PEERS') ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '').map((p) => baseUrl('PEERS', p));
  const syncIntervalMs = settings.number('SYNC_INTERVAL_MS', 5000);
  const follower = ordinal !== undefined && ordinal > 0 && primaryUrl !== undefined;
  const role = follower ? 'follower' : ordinal !== undefined && ordinal > 0 ? 'standalone' : 'primary';

  const store = await openStore(settings);
  log('kv', `${role}${ordinal === undefined ? '' : ` (ordinal ${ordinal})`}, data in ${store.dir}, revision ${store.currentRevision}`);

  const peerDown = new Set<string>();
  const push = (entry: Entry) => {
    const body = JSON.stringify({ epoch: store.epoch, entries: [toWire(entry)] });
    for (const peer of peers) {
      httpRequest(`${peer}/replication/push`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' }, timeoutMs: 2000 })
        .then((res) => {
          if (res.status >= 500) throw new Error(`status ${res.status}`);
          if (peerDown.delete(peer)) log('kv', `peer ${peer} reachable again`);
        })
        .catch((err: Error) => {
          if (!peerDown.has(peer)) log('kv', `peer ${peer} missed a push (it catches up by syncing): ${err.message}`);
          peerDown.add(peer);
        });
    }
  };

  // The primary revision this follower's copy is complete up to.
  let synced = 0;
  let lastSyncError = '';
  let syncing: Promise<void> | undefined;
  const fetchChanges = async (after: number): Promise<SyncResponse> => {
    const res = await httpRequest(`${primaryUrl}/replication/sync?after=${after}`, { timeoutMs: 5000 });
    if (res.status !== 200) throw new Error(`primary answered ${res.status}: ${res.body.toString().trim()}`);
    return JSON.parse(res.body.toString()) as SyncResponse;
  };
  const syncOnce = async () => {
    let changes = await fetchChanges(synced);
    if (store.primaryEpoch === undefined) {
      await store.apply(changes.entries.map(fromWire));
      await store.setPrimaryEpoch(changes.epoch);
    } else if (store.primaryEpoch !== changes.epoch) {
      if (synced > 0) changes = await fetchChanges(0);
      log('kv', `primary's data has a new history (epoch ${changes.epoch}): replacing this copy`);
      await store.replaceAll(changes.entries.map(fromWire), changes.epoch);
    } else {
      await store.apply(changes.entries.map(fromWire));
    }
    synced = changes.revision;
    if (lastSyncError) log('kv', `synced with primary again at revision ${synced}`);
    lastSyncError = '';
  };
  const sync = () => {
    syncing ??= syncOnce()
      .catch((err: Error) => {
        if (err.message !== lastSyncError) log('kv', `sync with primary failed: ${err.message}`);
        lastSyncError = err.message;
      })
      .finally(() => (syncing = undefined));
    return syncing;
  };
  if (follower) {
    void sync();
    setInterval(sync, syncIntervalMs).unref();
  }

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Kv-Role': role });
    res.end(JSON.stringify(body) + '\n');
  };
  const relay = (res: http.ServerResponse, upstream: { status: number; headers: http.IncomingHttpHeaders; body: Buffer }) => {
    const headers: http.OutgoingHttpHeaders = { 'X-Kv-Role': role };
    for (const name of ['content-type', 'x-kv-revision']) if (upstream.headers[name] !== undefined) headers[name] = upstream.headers[name];
    res.writeHead(upstream.status, headers);
    res.end(upstream.body);
  };
  /** Sends a request on to the primary; a follower applies the primary's acknowledged write to its own copy at once. */
  const forward = async (req: http.IncomingMessage, res: http.ServerResponse, body?: Buffer) => {
    let upstream;
    try {
      upstream = await httpRequest(`${primaryUrl}${req.url}`, { method: req.method, body, headers: { 'Content-Type': req.headers['content-type'] ?? 'application/octet-stream' } });
    } catch (err) {
      return json(res, 503, { error: `primary ${primaryUrl} unavailable: ${(err as Error).message}` });
    }
    if (req.method !== 'GET' && upstream.status === 200) {
      const ack = JSON.parse(upstream.body.toString()) as { key: string; revision: number; epoch: string; deleted?: boolean };
      if (ack.epoch === store.primaryEpoch) await store.apply([{ key: ack.key, value: ack.deleted ? null : (body ?? Buffer.alloc(0)), revision: ack.revision }]);
      else void sync();
    }
    relay(res, upstream);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://kv');
    const path = url.pathname;
    if (path === '/healthz') return json(res, 200, { ok: true });
    if (path === '/readyz') return server.stopping ? json(res, 503, { ready: false }) : json(res, 200, { ready: true });
    if (path === '/role') {
      return json(res, 200, { role, ordinal: ordinal ?? null, hostname: host, primary: follower ? primaryUrl : null, peers: follower ? [] : peers, revision: store.currentRevision, epoch: store.epoch, ...(follower ? { syncedRevision: synced, primaryEpoch: store.primaryEpoch ?? null, syncError: lastSyncError || null } : {}) });
    }
    if (path === '/replication/sync' && req.method === 'GET') {
      if (follower) return json(res, 409, { error: 'not the primary' });
      const after = Number(url.searchParams.get('after') ?? '0');
      const revision = store.currentRevision;
      return json(res, 200, { epoch: store.epoch, revision, entries: store.changedSince(after).filter((e) => e.revision <= revision).map(toWire) });
    }
    if (path === '/replication/push' && req.method === 'POST') {
      if (!follower) return json(res, 409, { error: 'not a follower' });
      const push = JSON.parse((await readBody(req, 4 * maxValueBytes))?.toString() ?? '{}') as { epoch: string; entries: WireEntry[] };
      if (push.epoch !== store.primaryEpoch) {
        void sync();
        return json(res, 202, { applied: false, reason: 'syncing' });
      }
      await store.apply(push.entries.map(fromWire));
      return json(res, 200, { applied: true });
    }
    if (path === '/kv' || path === '/kv/') {
      if (req.method !== 'GET') return json(res, 405, { error: `${req.method} not allowed on /kv` });
      if (follower && url.searchParams.get('consistent') === 'true') return forward(req, res);
      return json(res, 200, { keys: store.keys(url.searchParams.get('prefix') ?? '') });
    }
    if (!path.startsWith('/kv/')) return json(res, 404, { error: `no route ${path}` });
    let key: string;
    try {
      key = decodeURIComponent(path.slice('/kv/'.length));
    } catch {
      return json(res, 400, { error: 'key is not valid percent-encoding' });
    }
    switch (req.method) {
      case 'GET':
      case 'HEAD': {
        if (follower && url.searchParams.get('consistent') === 'true') return forward(req, res);
        const entry = store.get(key);
        if (!entry) return json(res, 404, { error: `key ${JSON.stringify(key)} not found` });
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'X-Kv-Revision': String(entry.revision), 'X-Kv-Role': role });
        return void res.end(entry.value);
      }
      case 'PUT':
      case 'POST': {
        const value = await readBody(req, maxValueBytes);
        if (value === undefined) return json(res, 413, { error: `value larger than ${maxValueBytes} bytes` });
        if (follower) return forward(req, res, value);
        const entry = await store.put(key, value);
        push(entry);
        return json(res, 200, { key, revision: entry.revision, epoch: store.epoch });
      }
      case 'DELETE': {
        if (follower) return forward(req, res);
        const entry = await store.delete(key);
        if (!entry) return json(res, 404, { error: `key ${JSON.stringify(key)} not found` });
        push(entry);
        return json(res, 200, { key, revision: entry.revision, epoch: store.epoch, deleted: true });
      }
      default:
        return json(res, 405, { error: `${req.method} not allowed` });
    }
  };
  const server = serveGracefully('kv', handle, address, { onStop: () => store.close() });
}

main().catch((err) => fail('kv', err));
