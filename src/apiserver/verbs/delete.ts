// DELETE of an object or a collection: DeleteOptions (preconditions, gracePeriodSeconds,
// propagationPolicy, dryRun), finalizers and deletionTimestamp, graceful deletion of Pods
// that run on a node, and the orphan/foreground finalizers the garbage collector acts on.
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { isObject } from '../../api/types.js';
import { decode, mediaType, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { isDryRun } from '../context.js';
import { collectionPrefix, decodeObject, encodeObject, objectKey } from '../objects.js';
import { successStatus, writeJson } from '../respond.js';
import { requestFilter } from './filter.js';
import { rfc3339, storeError } from './common.js';
import { gk } from '../kinds.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  dryRun?: string[];
}

async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const buf = await readBody(ctx.req);
  return checkDeleteOptions(ctx, buf.length && buf.toString().trim() ? decode(buf, mediaType(ctx.req)) : undefined);
}

/** DeleteOptions from a body (or an Eviction's deleteOptions) and the query, checked and normalized. */
export function checkDeleteOptions(ctx: RequestContext, body: unknown): DeleteOptions {
  const opts: DeleteOptions = {};
  if (body !== undefined && body !== null) {
    if (!isObject(body)) throw errors.badRequest('DeleteOptions must be an object');
    Object.assign(opts, body);
  }
  const q = ctx.query;
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
  if (q.has('orphanDependents')) opts.orphanDependents = q.get('orphanDependents') === 'true';
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', value: opts.propagationPolicy, supported: ['Foreground', 'Background', 'Orphan'] }]);
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    throw errors.badRequest(`invalid gracePeriodSeconds: ${opts.gracePeriodSeconds}`);
  }
  if (opts.orphanDependents !== undefined && opts.propagationPolicy) throw errors.badRequest('orphanDependents and propagationPolicy may not both be set');
  if (opts.orphanDependents !== undefined) opts.propagationPolicy = opts.orphanDependents ? 'Orphan' : 'Background';
  if (opts.dryRun !== undefined) {
    if (!Array.isArray(opts.dryRun) || opts.dryRun.some((d) => d !== 'All')) throw errors.badRequest(`dryRun must be ["All"], got ${JSON.stringify(opts.dryRun)}`);
    // The body's dryRun counts as the query's: the rest of the request path reads the query.
    if (opts.dryRun.includes('All') && !ctx.query.getAll('dryRun').includes('All')) ctx.query.append('dryRun', 'All');
  }
  return opts;
}

export async function deleteOne(ctx: RequestContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  const result = await deleteObject(ctx, ctx.info.name, opts);
  // Upstream answers 202 only for a pending delete that explicitly asked not to orphan.
  writeJson(ctx.res, result.pending && opts.orphanDependents === false ? 202 : 200, result.body, ctx.warnings);
}

export async function deleteCollection(ctx: RequestContext): Promise<void> {
  const opts = await deleteOptions(ctx);
  const r = ctx.resource;
  const filter = requestFilter(ctx);
  const page = await ctx.parts.store.list(collectionPrefix(r, ctx.info.namespace));
  const deleted: KubeObject[] = [];
  for (const kv of page.items) {
    const obj = decodeObject(kv, r);
    if (!filter.matches(obj)) continue;
    try {
      await deleteObject({ ...ctx, info: { ...ctx.info, namespace: obj.metadata.namespace ?? '' } }, obj.metadata.name!, opts);
      deleted.push(obj);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
  writeJson(ctx.res, 200, { kind: r.listKind, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, metadata: { resourceVersion: String(page.revision) }, items: deleted });
}

/** Kinds whose delete returns the object (upstream's ReturnDeletedObject) rather than a Status. */
const returnsObject = new Set(['Pod', 'Namespace', 'CustomResourceDefinition']);

export async function deleteObject(ctx: RequestContext, name: string, opts: DeleteOptions): Promise<{ body: unknown; pending: boolean }> {
  const r = ctx.resource;
  const key = objectKey(r, ctx.info.namespace, name);
  const dryRun = isDryRun(ctx);
  for (let attempt = 0; ; attempt++) {
    const kv = await ctx.parts.store.get(key);
    if (!kv) throw errors.notFound(r.group, r.plural, name);
    const obj = decodeObject(kv, r);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw errors.conflict(r.group, r.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw errors.conflict(r.group, r.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
    }
    await ctx.parts.admission.run({ operation: 'DELETE', resource: r, subresource: '', namespace: obj.metadata.namespace ?? '', name, oldObject: obj, user: ctx.user, dryRun });

    const next = structuredClone(obj);
    const meta = next.metadata;
    const finalizers = new Set(meta.finalizers ?? []);
    // Without a policy the object keeps whatever dependents finalizers it has: Background.
    const policy = opts.propagationPolicy;
    if (policy === 'Orphan') finalizers.add('orphan');
    if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    if (policy === 'Background') {
      finalizers.delete('orphan');
      finalizers.delete('foregroundDeletion');
    }
    const hasDependentsFinalizers = (policy === 'Orphan' || policy === 'Foreground');
    const grace = gracePeriod(r, obj, opts);
    const namespaceFinalize = r.kind === 'Namespace' && r.group === '' && ((obj.spec as any)?.finalizers ?? []).length > 0;
    const graceful = grace > 0;
    const keepFinalizers = (meta.finalizers ?? []).length > 0 || hasDependentsFinalizers;
    if (!keepFinalizers && !graceful && !namespaceFinalize) {
      if (dryRun) return { body: returnsObject.has(r.kind) ? obj : successStatus({ name, group: r.group || undefined, kind: r.plural, uid: obj.metadata.uid }), pending: false };
      try {
        const gone = await ctx.parts.store.delete(key, kv.modRevision);
        if (!r.crd) await ctx.parts.hooks.get(gk(r))?.afterDelete?.(obj);
        const body = returnsObject.has(r.kind) ? decodeObject({ value: encodeObject(obj, r), modRevision: gone.modRevision }, r) : successStatus({ name, group: r.group || undefined, kind: r.plural, uid: obj.metadata.uid });
        return { body, pending: false };
      } catch (err) {
        if ((err as Error).name === 'ConflictError' && attempt < 5) continue;
        storeError(ctx, err, name);
      }
    }
    // Deletion that has to wait: finalizers, a graceful Pod, a namespace being emptied.
    if (!meta.deletionTimestamp) {
      meta.deletionTimestamp = rfc3339(new Date(ctx.parts.now().getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
    } else if (grace < (meta.deletionGracePeriodSeconds ?? Infinity)) {
      // A shorter grace period may replace a longer one (kubectl delete --grace-period=0 --force).
      meta.deletionTimestamp = rfc3339(new Date(ctx.parts.now().getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
    }
    meta.finalizers = [...finalizers];
    if (meta.finalizers.length === 0) delete meta.finalizers;
    if (namespaceFinalize) (next as any).status = { ...((next as any).status ?? {}), phase: 'Terminating' };
    if (r.kind === 'Pod' && r.group === '' && grace === 0 && !keepFinalizers) {
      // A forced Pod delete goes at once, whatever the node still does.
      if (dryRun) return { body: obj, pending: false };
      const gone = await ctx.parts.store.delete(key, kv.modRevision);
      return { body: decodeObject({ value: encodeObject(obj, r), modRevision: gone.modRevision }, r), pending: false };
    }
    if (dryRun) return { body: next, pending: true };
    try {
      const updated = await ctx.parts.store.update(key, encodeObject(next, r), kv.modRevision);
      return { body: decodeObject(updated, r), pending: true };
    } catch (err) {
      if ((err as Error).name === 'ConflictError' && attempt < 5) continue;
      storeError(ctx, err, name);
    }
  }
}

/** Pods that a node runs get their grace period; everything else goes at once. */
function gracePeriod(r: { kind: string; group: string }, obj: KubeObject, opts: DeleteOptions): number {
  if (!(r.kind === 'Pod' && r.group === '')) return 0;
  const spec = (obj.spec ?? {}) as any;
  if (!spec.nodeName) return 0;
  const phase = (obj.status as any)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  return opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
}
