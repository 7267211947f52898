// GET of one object.
import { errors } from '../../api/errors.js';
import type { RequestContext } from '../context.js';
import { objectKey, decodeObject } from '../objects.js';
import { writeJson, wantsTable } from '../respond.js';
import { toTable, parseIncludeObject, type IncludeObject } from '../table/table.js';
import { storeError } from './common.js';

export async function get(ctx: RequestContext): Promise<void> {
  const r = ctx.resource;
  const rv = ctx.query.get('resourceVersion');
  const revision = rv && rv !== '0' ? Number(rv) : undefined;
  if (revision !== undefined && !(Number.isInteger(revision) && revision > 0)) throw errors.badRequest(`invalid resource version: ${rv}`);
  let kv;
  try {
    kv = await ctx.parts.store.get(objectKey(r, ctx.info.namespace, ctx.info.name), revision);
  } catch (err) {
    storeError(ctx, err, ctx.info.name);
  }
  if (!kv) throw errors.notFound(r.group, r.plural, ctx.info.name);
  const obj = decodeObject(kv, r);
  if (wantsTable(ctx.req)) {
    writeJson(ctx.res, 200, toTable(r, [obj], { includeObject: includeObject(ctx), listMeta: { resourceVersion: obj.metadata.resourceVersion }, now: ctx.parts.now() }));
    return;
  }
  writeJson(ctx.res, 200, obj);
}

export function includeObject(ctx: RequestContext): IncludeObject {
  const v = parseIncludeObject(ctx.query.get('includeObject'));
  if (!v) throw errors.badRequest(`includeObject must be None, Metadata or Object`);
  return v;
}
