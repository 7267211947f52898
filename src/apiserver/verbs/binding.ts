// pods/binding: the scheduler's way of assigning a Pod to a node. Sets spec.nodeName once
// (409 if the Pod is already bound or being deleted) and marks the PodScheduled condition.
import { errors } from '../../api/errors.js';
import { isObject, type KubeObject } from '../../api/types.js';
import { decodeObject as decodeBody, mediaType, objectMediaTypes, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { isDryRun } from '../context.js';
import { decodeObject, encodeObject, objectKey } from '../objects.js';
import { successStatus, writeJson } from '../respond.js';
import { rfc3339, storeError } from './common.js';

export async function binding(ctx: RequestContext): Promise<void> {
  if (ctx.info.verb !== 'create') throw errors.methodNotAllowed(ctx.req.method ?? '', 'Binding');
  const type = mediaType(ctx.req);
  if (!objectMediaTypes.has(type)) throw errors.unsupportedMediaType(type);
  const body = decodeBody(await readBody(ctx.req), type);
  const name = ctx.info.name;
  const target = body.target;
  if (!isObject(target) || typeof target.name !== 'string' || target.name === '') {
    throw errors.invalid('', 'Binding', name, [{ type: 'FieldValueRequired', field: 'target.name', detail: '' }]);
  }
  if (target.kind !== undefined && target.kind !== 'Node' && target.kind !== '') {
    throw errors.invalid('', 'Binding', name, [{ type: 'FieldValueNotSupported', field: 'target.kind', value: target.kind, supported: ['Node'] }]);
  }
  if (isObject(body.metadata) && body.metadata.name && body.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  }
  const r = ctx.resource;
  const key = objectKey(r, ctx.info.namespace, name);
  for (let attempt = 0; ; attempt++) {
    const kv = await ctx.parts.store.get(key);
    if (!kv) throw errors.notFound('', 'pods', name);
    const pod = decodeObject(kv, r) as KubeObject & { spec: any; status: any };
    if (pod.metadata.deletionTimestamp) throw errors.conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec?.nodeName) throw errors.conflict('', 'pods', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    const uid = isObject(body.metadata) ? body.metadata.uid : undefined;
    if (uid && uid !== pod.metadata.uid) throw errors.conflict('', 'pods', name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
    pod.spec.nodeName = target.name;
    const conditions: any[] = (pod.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(ctx.parts.now()) });
    pod.status = { ...(pod.status ?? {}), conditions };
    if (isDryRun(ctx)) break;
    try {
      await ctx.parts.store.update(key, encodeObject(pod, r), kv.modRevision);
      break;
    } catch (err) {
      if ((err as Error).name === 'ConflictError' && attempt < 5) continue;
      storeError(ctx, err, name);
    }
  }
  writeJson(ctx.res, 201, { ...successStatus(undefined), code: 201 });
}
