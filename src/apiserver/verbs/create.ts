// POST to a collection: create an object.
import { decodeObject as decodeBody, mediaType, objectMediaTypes, readBody } from '../body.js';
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { writeJson } from '../respond.js';
import { checkNamespace, checkTypeMeta, checkUnknownFields, createObject, fieldManager } from './common.js';

export async function create(ctx: RequestContext): Promise<void> {
  if (ctx.info.name) throw errors.methodNotAllowed('POST', ctx.resource.kind);
  const type = mediaType(ctx.req);
  if (!objectMediaTypes.has(type)) throw errors.unsupportedMediaType(type);
  const body = decodeBody(await readBody(ctx.req), type);
  checkTypeMeta(ctx, body);
  const obj = body as KubeObject;
  checkNamespace(ctx, obj);
  if (!obj.metadata.name && !obj.metadata.generateName) {
    throw errors.invalid(ctx.resource.group, ctx.resource.kind, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
  }
  checkUnknownFields(ctx, obj);
  const created = await createObject(ctx, obj, fieldManager(ctx));
  writeJson(ctx.res, 201, created, ctx.warnings);
}
