// PUT to an object (or its status subresource): replace it, with optimistic concurrency.
import { decodeObject as decodeBody, mediaType, objectMediaTypes, readBody } from '../body.js';
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { writeJson } from '../respond.js';
import { checkTypeMeta, checkUnknownFields, fieldManager, guardedUpdate } from './common.js';

/** Kinds upstream lets PUT create when the object does not exist. */
const createOnUpdate = new Set(['Endpoints', 'Lease.coordination.k8s.io', 'Node', 'ConfigMap', 'Event', 'EndpointSlice.discovery.k8s.io']);

export async function update(ctx: RequestContext): Promise<void> {
  const type = mediaType(ctx.req);
  if (!objectMediaTypes.has(type)) throw errors.unsupportedMediaType(type);
  const body = decodeBody(await readBody(ctx.req), type);
  checkTypeMeta(ctx, body);
  const obj = body as KubeObject;
  checkUnknownFields(ctx, obj);
  const sub = ctx.info.subresource;
  const gk = ctx.resource.group ? `${ctx.resource.kind}.${ctx.resource.group}` : ctx.resource.kind;
  const outcome = await guardedUpdate(ctx, ctx.info.name, () => obj, {
    subresource: sub,
    manager: fieldManager(ctx),
    allowCreate: sub === '' && createOnUpdate.has(gk),
    retry: false,
  });
  writeJson(ctx.res, outcome.created ? 201 : 200, outcome.object, ctx.warnings);
}
