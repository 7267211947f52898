// GET of a collection: list with label/field selectors, limit/continue paging and the
// resourceVersion / resourceVersionMatch semantics of upstream.
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { apiVersionOf } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { collectionPrefix, decodeObject, storedJsonWithResourceVersion } from '../objects.js';
import { writeJson, wantsTable } from '../respond.js';
import { toTable } from '../table/table.js';
import { requestFilter } from './filter.js';
import { storeError } from './common.js';
import { includeObject } from './get.js';

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start } satisfies ContinueToken)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || !Number.isInteger(t.rv) || typeof t.start !== 'string') throw new Error('bad');
    return t;
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export async function list(ctx: RequestContext): Promise<void> {
  const r = ctx.resource;
  const filter = requestFilter(ctx);
  const limitText = ctx.query.get('limit');
  const limit = limitText ? Number(limitText) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`invalid limit: ${limitText}`);
  const rvText = ctx.query.get('resourceVersion') ?? '';
  const match = ctx.query.get('resourceVersionMatch') ?? '';
  const cont = ctx.query.get('continue') ?? '';
  const prefix = collectionPrefix(r, ctx.info.namespace);

  let revision = 0;
  let startKey = prefix;
  if (cont) {
    if (rvText) throw errors.badRequest('specifying resource version is not allowed when using continue');
    const t = decodeContinue(cont);
    revision = t.rv;
    startKey = prefix + t.start;
  } else if (rvText) {
    const n = Number(rvText);
    if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid resource version: ${rvText}`);
    if (match === 'Exact') {
      if (n === 0) throw errors.badRequest('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"');
      revision = n;
    } else if (match === '' || match === 'NotOlderThan') {
      if (n > 0 && !(await ctx.parts.watchCache.waitFor(n, 3000))) throw errors.timeout(`Too large resource version: ${n}, current: ${ctx.parts.watchCache.revision}`, 1);
    } else {
      throw errors.badRequest(`resourceVersionMatch must be one of Exact, NotOlderThan, got "${match}"`);
    }
  } else if (match) {
    throw errors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  }

  const table = wantsTable(ctx.req);
  // Without selectors, a Table or a conversion, items go out as stored: no decode and re-encode.
  const raw = filter.everything && !table && r.version === r.storageVersion && r.group === r.storageGroup;
  const items: KubeObject[] = [];
  const rawItems: string[] = [];
  let more = false;
  let nextStart = '';
  let remaining: number | undefined;
  try {
    for (;;) {
      const chunk = limit ? Math.max(limit - items.length - rawItems.length, filter.everything ? 0 : 500) : undefined;
      const page = await ctx.parts.store.list(prefix, { revision: revision || undefined, limit: chunk, startKey });
      revision = page.revision;
      let lastKey = '';
      let taken = 0;
      for (const kv of page.items) {
        lastKey = kv.key;
        taken++;
        if (raw) rawItems.push(storedJsonWithResourceVersion(kv, r));
        else {
          const obj = decodeObject(kv, r);
          if (filter.matches(obj)) items.push(obj);
        }
        if (limit && items.length + rawItems.length >= limit) break;
      }
      const cutShort = taken < page.items.length || page.more;
      if (limit && items.length + rawItems.length >= limit) {
        more = cutShort;
        nextStart = lastKey.slice(prefix.length) + '\x00';
        if (more && filter.everything) remaining = page.count - taken;
        break;
      }
      if (!page.more) break;
      startKey = lastKey + '\x00';
    }
  } catch (err) {
    if (cont && (err as Error).name === 'CompactedError') {
      throw errors.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    storeError(ctx, err, '');
  }
  const listMeta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(revision) };
  if (more) {
    listMeta.continue = encodeContinue(revision, nextStart);
    if (remaining !== undefined) listMeta.remainingItemCount = remaining;
  }
  if (table) {
    writeJson(ctx.res, 200, toTable(r, items, { includeObject: includeObject(ctx), listMeta, now: ctx.parts.now() }));
    return;
  }
  if (raw) {
    const head = JSON.stringify({ kind: r.listKind, apiVersion: apiVersionOf(r.group, r.version), metadata: listMeta });
    writeJson(ctx.res, 200, `${head.slice(0, -1)},"items":[${rawItems.join(',')}]}`);
    return;
  }
  writeJson(ctx.res, 200, { kind: r.listKind, apiVersion: apiVersionOf(r.group, r.version), metadata: listMeta, items });
}
