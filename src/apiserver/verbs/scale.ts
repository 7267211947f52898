// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas, read and
// written by kubectl scale and the HorizontalPodAutoscaler.
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { isObject } from '../../api/types.js';
import { decode, mediaType, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { decodeObject, objectKey } from '../objects.js';
import { writeJson } from '../respond.js';
import { mergePatch, jsonPatch } from '../../api/patch/index.js';
import { fieldManager, guardedUpdate } from './common.js';
import { selectorString, fromLabelSelector } from '../../api/labels.js';

function getPath(obj: unknown, path: string): unknown {
  let cur: any = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function setPath(obj: any, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObject(cur[p])) cur[p] = {};
    cur = cur[p];
  }
  cur[parts[parts.length - 1]] = value;
}

function toScale(ctx: RequestContext, obj: KubeObject): KubeObject {
  const s = ctx.resource.scale!;
  const status: Record<string, unknown> = { replicas: Number(getPath(obj, s.statusReplicasPath) ?? 0) };
  if (ctx.resource.crd) {
    if (s.labelSelectorPath) {
      const sel = getPath(obj, s.labelSelectorPath);
      if (typeof sel === 'string' && sel) status.selector = sel;
    }
  } else {
    const sel = (obj.spec as any)?.selector;
    const text = sel && isObject(sel) && ('matchLabels' in sel || 'matchExpressions' in sel) ? selectorString(fromLabelSelector(sel)) : isObject(sel) ? selectorString(fromLabelSelector({ matchLabels: sel as Record<string, string> })) : '';
    if (text) status.selector = text;
  }
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: Number(getPath(obj, s.specReplicasPath) ?? 0) },
    status,
  };
}

export async function scale(ctx: RequestContext): Promise<void> {
  const r = ctx.resource;
  if (!r.scale) throw errors.pathNotFound();
  const name = ctx.info.name;
  if (ctx.info.verb === 'get') {
    const kv = await ctx.parts.store.get(objectKey(r, ctx.info.namespace, name));
    if (!kv) throw errors.notFound(r.group, r.plural, name);
    writeJson(ctx.res, 200, toScale(ctx, decodeObject(kv, r)));
    return;
  }
  if (ctx.info.verb !== 'update' && ctx.info.verb !== 'patch') throw errors.methodNotAllowed(ctx.req.method ?? '', 'Scale');
  const type = mediaType(ctx.req);
  const body = decode(await readBody(ctx.req), type === 'application/apply-patch+yaml' ? type : 'application/json');
  const outcome = await guardedUpdate(
    ctx,
    name,
    (current) => {
      const currentScale = toScale(ctx, current!);
      let wanted: any;
      if (ctx.info.verb === 'update') wanted = body;
      else if (type === 'application/json-patch+json') wanted = jsonPatch(currentScale, body as any[]);
      else wanted = mergePatch(currentScale, body);
      if (!isObject(wanted) || !isObject(wanted.spec)) throw errors.badRequest('the Scale must have a spec');
      const replicas = wanted.spec.replicas;
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw errors.invalid('autoscaling', 'Scale', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
      }
      const rv = wanted.metadata?.resourceVersion;
      if (ctx.info.verb === 'update' && rv && rv !== current!.metadata.resourceVersion) {
        throw errors.conflict(r.group, r.plural, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      setPath(current, r.scale!.specReplicasPath, replicas);
      return current!;
    },
    { subresource: 'scale', manager: fieldManager(ctx), retry: ctx.info.verb === 'patch' },
  );
  writeJson(ctx.res, 200, toScale(ctx, outcome.object));
}
