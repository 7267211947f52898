// PATCH of an object or its status: JSON patch, JSON merge patch, strategic merge patch
// (built-in kinds only, as upstream) and server-side apply (which may create the object).
import { decode, mediaType, readBody } from '../body.js';
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { apiVersionOf, isObject } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { writeJson } from '../respond.js';
import { jsonPatch, mergePatch, strategicMergePatch, serverSideApply, ApplyConflictError, PatchError } from '../../api/patch/index.js';
import { checkUnknownFields, fieldManager, guardedUpdate } from './common.js';

const patchTypes = new Set(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/apply-patch+json']);

export async function patch(ctx: RequestContext): Promise<void> {
  const r = ctx.resource;
  const type = mediaType(ctx.req);
  if (!patchTypes.has(type)) throw errors.unsupportedMediaType(type);
  if (type === 'application/strategic-merge-patch+json' && r.crd) {
    throw errors.unsupportedMediaType(`${type}: strategic merge patch is not supported for custom resources; use a JSON merge patch`);
  }
  const isApply = type.startsWith('application/apply-patch');
  const manager = fieldManager(ctx, isApply);
  const body = decode(await readBody(ctx.req), isApply ? 'application/apply-patch+yaml' : type);
  const force = ctx.query.get('force') === 'true';
  if (ctx.query.has('force') && !isApply) throw errors.badRequest('force is only allowed for apply patches');
  const sub = ctx.info.subresource;
  const name = ctx.info.name;
  const model = r.crd ? undefined : r.model;

  const outcome = await guardedUpdate(
    ctx,
    name,
    (current) => {
      try {
        if (isApply) {
          if (!isObject(body)) throw errors.badRequest('an apply patch must be an object');
          const applied = body as KubeObject;
          const expected = apiVersionOf(r.group, r.version);
          if (applied.apiVersion !== expected || applied.kind !== r.kind) {
            throw errors.badRequest(`the apply configuration must have apiVersion "${expected}" and kind "${r.kind}" (got "${applied.apiVersion}" and "${applied.kind}")`);
          }
          if (!isObject(applied.metadata) || (applied.metadata.name !== undefined && applied.metadata.name !== name)) {
            throw errors.badRequest(`the name of the object (${applied.metadata?.name}) does not match the name on the URL (${name})`);
          }
          checkUnknownFields(ctx, applied);
          const live = current ?? ({ apiVersion: expected, kind: r.kind, metadata: { name, ...(r.namespaced ? { namespace: ctx.info.namespace } : {}) } } as KubeObject);
          const result = serverSideApply({ live, applied, manager, force, model, apiVersion: expected, now: ctx.parts.now(), subresource: sub || undefined });
          if (!current) delete result.metadata.resourceVersion;
          return result;
        }
        if (!current) throw errors.notFound(r.group, r.plural, name);
        let next: unknown;
        if (type === 'application/json-patch+json') {
          if (!Array.isArray(body)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
          next = jsonPatch(current, body);
        } else if (type === 'application/merge-patch+json') {
          next = mergePatch(current, body);
        } else {
          if (!isObject(body)) throw errors.badRequest('a strategic merge patch must be an object');
          next = strategicMergePatch(current, body, model);
        }
        if (!isObject(next) || !isObject((next as KubeObject).metadata)) throw errors.badRequest('the patch produced an object without metadata');
        const obj = next as KubeObject;
        // A patch carries the precondition only if it set resourceVersion itself.
        const patchRv = isObject(body) && isObject((body as any).metadata) ? (body as any).metadata.resourceVersion : undefined;
        obj.metadata.resourceVersion = patchRv ?? current.metadata.resourceVersion;
        checkUnknownFields(ctx, obj);
        return obj;
      } catch (err) {
        if (err instanceof ApplyConflictError) {
          throw errors.applyConflict(
            err.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"${c.operation === 'Update' && c.apiVersion ? ` using ${c.apiVersion}` : ''}`, field: c.field })),
            err.message,
          );
        }
        if (err instanceof PatchError) {
          if (err.code === 400) throw errors.badRequest(err.message);
          throw errors.invalid(r.group, r.kind, name, [{ type: 'FieldValueInvalid', field: 'patch', detail: err.message }]);
        }
        throw err;
      }
    },
    { subresource: sub, manager, allowCreate: isApply && sub === '', retry: true, skipManagedFields: isApply },
  );
  writeJson(ctx.res, outcome.created ? 201 : 200, outcome.object, ctx.warnings);
}
