// Watch: a chunked stream of JSON events (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) for a
// collection or one object, served from the watch cache. Initial events for resourceVersion
// "" / "0" or sendInitialEvents, 410 Gone (as an ERROR event) for revisions out of the window,
// selector transitions (an object that stops matching is DELETED), bookmarks and timeouts.
import { errors, type ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { KeyValue, WatchEvent } from '../../store/store.js';
import type { ResourceType } from '../../api/resources.js';
import type { RequestContext } from '../context.js';
import { collectionPrefix, decodeObject, objectKey } from '../objects.js';
import { wantsTable } from '../respond.js';
import { toTable } from '../table/table.js';
import { requestFilter } from './filter.js';
import { includeObject } from './get.js';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

// Decoding is shared by every watcher of the same resource version: an event fanned out to a
// thousand watchers is parsed once and serialized once per event type.
const decoded = new WeakMap<KeyValue, Map<string, KubeObject>>();
const serialized = new WeakMap<KubeObject, Map<string, string>>();

function objectOf(kv: KeyValue, r: ResourceType, revision?: number): KubeObject {
  let byVersion = decoded.get(kv);
  if (!byVersion) decoded.set(kv, (byVersion = new Map()));
  const key = `${r.group}/${r.version}@${revision ?? kv.modRevision}`;
  let obj = byVersion.get(key);
  if (!obj) {
    obj = decodeObject({ value: kv.value, modRevision: revision ?? kv.modRevision }, r);
    byVersion.set(key, obj);
  }
  return obj;
}

function eventLine(type: EventType, obj: unknown): string {
  if (typeof obj === 'object' && obj !== null) {
    let byType = serialized.get(obj as KubeObject);
    if (!byType) serialized.set(obj as KubeObject, (byType = new Map()));
    let line = byType.get(type);
    if (!line) {
      line = `{"type":"${type}","object":${JSON.stringify(obj)}}\n`;
      byType.set(type, line);
    }
    return line;
  }
  return `{"type":"${type}","object":${JSON.stringify(obj)}}\n`;
}

export async function watch(ctx: RequestContext): Promise<void> {
  const r = ctx.resource;
  const { req, res, query } = ctx;
  const filter = requestFilter(ctx);
  const cache = ctx.parts.watchCache;
  const rvText = query.get('resourceVersion') ?? '';
  const sendInitialParam = query.get('sendInitialEvents');
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const timeoutText = query.get('timeoutSeconds');
  const timeoutSeconds = timeoutText ? Number(timeoutText) : 1800 + Math.floor(Math.random() * 1800);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw errors.badRequest(`invalid timeoutSeconds: ${timeoutText}`);
  if (sendInitialParam !== null && query.get('resourceVersionMatch') !== 'NotOlderThan') {
    throw errors.invalid('meta.k8s.io', 'ListOptions', '', [{ type: 'FieldValueForbidden', field: 'sendInitialEvents', detail: 'sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan' }]);
  }
  if (sendInitialParam === 'true' && !bookmarks) {
    throw errors.invalid('meta.k8s.io', 'ListOptions', '', [{ type: 'FieldValueForbidden', field: 'allowWatchBookmarks', detail: 'allowWatchBookmarks must be set to true when sendInitialEvents is true' }]);
  }
  const table = wantsTable(req);
  const include = table ? includeObject(ctx) : 'Object';
  // Watching one object is a watch on its key with a name selector.
  const prefix = ctx.info.name ? objectKey(r, ctx.info.namespace, ctx.info.name) : collectionPrefix(r, ctx.info.namespace);
  const exactKey = Boolean(ctx.info.name);
  const inScope = (key: string) => (exactKey ? key === prefix : key.startsWith(prefix));

  const sendInitial = sendInitialParam === 'true' || (sendInitialParam === null && (rvText === '' || rvText === '0'));
  let fromRevision: number;
  let initial: KubeObject[] = [];
  if (sendInitial) {
    const minRv = rvText ? Number(rvText) : 0;
    if (minRv > 0 && !(await cache.waitFor(minRv, 3000))) throw errors.timeout(`Too large resource version: ${minRv}, current: ${cache.revision}`, 1);
    const page = await ctx.parts.store.list(prefix, {});
    fromRevision = page.revision;
    initial = page.items.filter((kv) => inScope(kv.key)).map((kv) => decodeObject(kv, r)).filter((o) => filter.matches(o));
  } else {
    fromRevision = Number(rvText);
    if (!Number.isInteger(fromRevision) || fromRevision < 0) throw errors.badRequest(`invalid resource version: ${rvText}`);
    if (fromRevision > cache.revision && !(await cache.waitFor(fromRevision, 3000))) throw errors.timeout(`Too large resource version: ${fromRevision}, current: ${cache.revision}`, 1);
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let closed = false;
  let lastRevision = fromRevision;
  const write = (line: string) => {
    if (closed) return;
    res.write(line);
    // A client that stops reading is cut off rather than buffered without bound.
    if (res.writableLength > 16 * 1024 * 1024) finish();
  };
  // Table watches carry the column definitions in the first event only, as upstream does.
  let headersSent = false;
  const present = (obj: KubeObject): unknown => {
    const t = toTable(r, [obj], { includeObject: include, listMeta: { resourceVersion: obj.metadata.resourceVersion }, now: ctx.parts.now(), noHeaders: headersSent });
    headersSent = true;
    return t;
  };
  const send = (type: EventType, obj: KubeObject) => write(table ? `{"type":"${type}","object":${JSON.stringify(present(obj))}}\n` : eventLine(type, obj));
  const bookmark = (revision: number, initialEnd = false) => {
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    write(`{"type":"BOOKMARK","object":${JSON.stringify({ kind: r.kind, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, metadata })}}\n`);
  };
  const sendError = (e: ApiError) => write(`{"type":"ERROR","object":${JSON.stringify(e.status)}}\n`);

  const onEvents = (events: WatchEvent[]) => {
    for (const e of events) {
      if (e.revision <= lastRevision || !inScope(e.kv.key)) continue;
      lastRevision = e.revision;
      if (e.type === 'PUT') {
        const cur = objectOf(e.kv, r);
        const nowMatches = filter.matches(cur);
        const before = e.prevKv ? objectOf(e.prevKv, r) : undefined;
        const wasMatching = before ? filter.matches(before) : false;
        if (nowMatches && wasMatching) send('MODIFIED', cur);
        else if (nowMatches) send('ADDED', cur);
        else if (wasMatching) send('DELETED', objectOf(e.prevKv!, r, e.revision));
      } else {
        const last = objectOf(e.prevKv ?? e.kv, r, e.revision);
        if (filter.matches(last)) send('DELETED', last);
      }
    }
  };

  const sub = cache.subscribe(
    {
      prefix,
      deliver: onEvents,
      fail: (err) => {
        sendError(errors.gone(`watch ended: ${err.message}`));
        finish();
      },
    },
    fromRevision,
  );
  if (!sub) {
    sendError(errors.gone(`too old resource version: ${fromRevision} (${cache.oldest})`));
    res.end();
    return;
  }
  for (const obj of initial) send('ADDED', obj);
  if (sendInitialParam === 'true' && bookmarks) bookmark(fromRevision, true);
  onEvents(sub.replay);

  const timers: NodeJS.Timeout[] = [];
  function finish() {
    if (closed) return;
    closed = true;
    sub!.cancel();
    for (const t of timers) clearTimeout(t);
    res.end();
  }
  timers.push(setTimeout(finish, timeoutSeconds * 1000));
  if (bookmarks) {
    const tick = setInterval(() => {
      if (cache.revision > lastRevision) {
        lastRevision = cache.revision;
        bookmark(lastRevision);
      }
    }, 10_000);
    timers.push(tick);
  }
  req.on('close', finish);
  res.on('error', finish);
}
