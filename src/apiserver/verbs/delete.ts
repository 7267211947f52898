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
import { defaultGarbageCollectionPolicy, deletionFinalizers, namespaceDeletionFinalizers } from '../gcpolicy.js';

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
  const isNamespace = r.kind === 'Namespace' && r.group === '';
  const gone = (obj: KubeObject) => (returnsObject.has(r.kind) ? obj : successStatus({ name, group: r.group || undefined, kind: r.plural, uid: obj.metadata.uid }));
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
    const now = ctx.parts.now();
    const write = async (): Promise<{ body: unknown; pending: boolean } | undefined> => {
      if (meta.finalizers?.length === 0) delete meta.finalizers;
      if (dryRun) return { body: next, pending: true };
      try {
        const updated = await ctx.parts.store.update(key, encodeObject(next, r), kv.modRevision);
        return { body: decodeObject(updated, r), pending: true };
      } catch (err) {
        if ((err as Error).name === 'ConflictError' && attempt < 5) return undefined;
        storeError(ctx, err, name);
      }
    };
    const remove = async (): Promise<{ body: unknown; pending: boolean } | undefined> => {
      if (dryRun) return { body: gone(obj), pending: false };
      try {
        const deleted = await ctx.parts.store.delete(key, kv.modRevision);
        if (!r.crd) await ctx.parts.hooks.get(gk(r))?.afterDelete?.(obj);
        return { body: gone(decodeObject({ value: encodeObject(obj, r), modRevision: deleted.modRevision }, r)), pending: false };
      } catch (err) {
        if ((err as Error).name === 'ConflictError' && attempt < 5) return undefined;
        storeError(ctx, err, name);
      }
    };

    if (isNamespace && !meta.deletionTimestamp) {
      // A namespace's first DELETE only starts its termination: the namespace controller
      // empties it and removes the `kubernetes` finalizer through /finalize.
      meta.deletionTimestamp = rfc3339(now);
      (next as any).status = { ...((next as any).status ?? {}), phase: 'Terminating' };
      meta.finalizers = namespaceDeletionFinalizers(opts.propagationPolicy, meta.finalizers ?? []);
      const result = await write();
      if (result) return result;
      continue;
    }
    // Its content is still being removed: the namespace stays as it is.
    if (isNamespace && ((obj.spec as any)?.finalizers ?? []).length > 0) return { body: obj, pending: true };

    // Graceful deletion (Pods a node runs): a deletion already pending may only be shortened,
    // and while it is pending the request changes nothing else (upstream's BeforeDelete).
    let grace = gracePeriod(r, obj, opts);
    let graceful = grace > 0;
    const pendingGrace = obj.metadata.deletionTimestamp ? obj.metadata.deletionGracePeriodSeconds ?? 0 : undefined;
    if (pendingGrace !== undefined) {
      if (pendingGrace === 0) {
        grace = 0;
        graceful = false;
      } else if (grace >= pendingGrace) {
        return { body: gone(obj), pending: true };
      } else graceful = true;
    }

    const { changed, finalizers } = deletionFinalizers(defaultGarbageCollectionPolicy(r), opts.propagationPolicy, obj.metadata.finalizers ?? []);
    const pendingFinalizers = (obj.metadata.finalizers ?? []).length > 0;
    if (!graceful && !pendingFinalizers && !changed) {
      const result = await remove();
      if (result) return result;
      continue;
    }
    meta.finalizers = [...finalizers];
    if (!graceful) {
      if (meta.finalizers.length === 0) {
        const result = await remove();
        if (result) return result;
        continue;
      }
      // Finalizers hold the object: it is marked as being deleted, with no grace period.
      if (!meta.deletionTimestamp) {
        meta.deletionTimestamp = rfc3339(now);
        if ((meta.generation ?? 0) > 0) meta.generation! += 1;
      }
      meta.deletionGracePeriodSeconds = 0;
    } else {
      if (pendingGrace !== undefined && obj.metadata.deletionTimestamp) {
        // A shorter grace period counts from when the deletion was first asked for.
        meta.deletionTimestamp = rfc3339(new Date(Date.parse(obj.metadata.deletionTimestamp) - pendingGrace * 1000 + grace * 1000));
      } else {
        meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
        if ((meta.generation ?? 0) > 0) meta.generation! += 1;
      }
      meta.deletionGracePeriodSeconds = grace;
      if (grace === 0 && meta.finalizers.length === 0) {
        // A forced delete goes at once, whatever the node still does.
        const result = await remove();
        if (result) return result;
        continue;
      }
    }
    const result = await write();
    if (result) return result;
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
