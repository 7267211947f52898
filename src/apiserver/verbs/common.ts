// Pieces the write verbs share: field managers, strict field validation, metadata that only
// the server sets, and the guarded read-modify-write loop every update goes through.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { errors, ApiError, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { apiVersionOf, isObject } from '../../api/types.js';
import { ConflictError, NotFoundError, UnavailableError, CompactedError, KeyExistsError } from '../../store/store.js';
import { pruneUnknownFields, validateAndPrune } from '../../api/schema/structural.js';
import { updateManagedFields } from '../../api/patch/index.js';
import type { RequestContext } from '../context.js';
import { isDryRun } from '../context.js';
import { objectKey, decodeObject, encodeObject } from '../objects.js';
import { defaultObject, validateObject, prepareForCreate, specChanged, dropEmptyCollections, gk } from '../kinds.js';

export function fieldManager(ctx: RequestContext, required = false): string {
  const explicit = ctx.query.get('fieldManager');
  if (explicit !== null) {
    if (explicit.length > 128) throw errors.badRequest('fieldManager may not be longer than 128 characters');
    if (/[^\x20-\x7e]/.test(explicit)) throw errors.badRequest('fieldManager must consist of printable characters');
    return explicit;
  }
  if (required) throw errors.badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  const agent = String(ctx.req.headers['user-agent'] ?? 'unknown');
  return agent.split('/')[0].slice(0, 128) || 'unknown';
}

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export function fieldValidation(ctx: RequestContext): FieldValidation {
  const v = ctx.query.get('fieldValidation') ?? 'Warn';
  if (v !== 'Ignore' && v !== 'Warn' && v !== 'Strict') throw errors.badRequest(`fieldValidation must be one of "Ignore", "Warn", "Strict", got "${v}"`);
  return v;
}

/** Drop fields the schema does not know; per fieldValidation refuse them, warn about them, or say nothing. */
export function checkUnknownFields(ctx: RequestContext, obj: KubeObject): void {
  const mode = fieldValidation(ctx);
  if (!ctx.resource.crd && ctx.resource.model) dropEmptyCollections(ctx.resource.model, obj);
  let unknown: string[];
  const crd = ctx.resource.crd;
  if (crd) {
    // Custom resources are pruned by their structural schema when defaulted; here we only learn what goes.
    if (!crd.schema || crd.preserveUnknownFields) return;
    unknown = validateAndPrune(crd.schema, structuredClone(obj), {}).unknownFields;
  } else {
    if (!ctx.resource.model) return;
    unknown = pruneUnknownFields(ctx.resource.model, obj);
  }
  if (unknown.length === 0 || mode === 'Ignore') return;
  const msgs = unknown.map((p: string) => `unknown field "${p.replace(/^\./, '')}"`);
  if (mode === 'Strict') {
    const r = ctx.resource;
    throw errors.badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${msgs.join(', ')}`);
  }
  ctx.warnings.push(...msgs);
}

/** Check apiVersion/kind of a body against the endpoint, filling them when absent. */
export function checkTypeMeta(ctx: RequestContext, obj: Record<string, any>): void {
  const r = ctx.resource;
  const expected = apiVersionOf(r.group, r.version);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
    throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (obj.kind !== undefined && obj.kind !== r.kind) {
    throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${r.kind})`);
  }
  obj.apiVersion = expected;
  obj.kind = r.kind;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (!isObject(obj.metadata)) throw errors.badRequest('metadata must be an object');
}

/** Namespace of the body against the URL's, filling it when absent. */
export function checkNamespace(ctx: RequestContext, obj: KubeObject): void {
  const r = ctx.resource;
  if (!r.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const ns = ctx.info.namespace;
  if (!ns) throw errors.badRequest('the namespace of the object must be set in the request path');
  if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = ns;
}

const nameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += nameAlphabet[Math.floor(Math.random() * nameAlphabet.length)];
  return prefix.slice(0, 63 - 5) + suffix;
}

export function throwIfInvalid(ctx: RequestContext, obj: KubeObject, errs: FieldError[]): void {
  if (errs.length) throw errors.invalid(ctx.resource.group, ctx.resource.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
}

/** Map store failures to API errors. */
export function storeError(ctx: RequestContext, err: unknown, name: string): never {
  const r = ctx.resource;
  if (err instanceof ApiError) throw err;
  if (err instanceof KeyExistsError) throw errors.alreadyExists(r.group, r.plural, name);
  if (err instanceof NotFoundError) throw errors.notFound(r.group, r.plural, name);
  if (err instanceof ConflictError) throw errors.conflict(r.group, r.plural, name, 'the object has been modified; please apply your changes to the latest version and try again');
  if (err instanceof CompactedError) throw errors.gone(err.message);
  if (err instanceof UnavailableError) throw errors.serviceUnavailable(`storage is unavailable: ${err.message}`);
  throw err;
}

/** Create path shared by POST and by apply/update-that-creates. Returns the stored object. */
export async function createObject(ctx: RequestContext, obj: KubeObject, manager: string, managedAlready = false): Promise<KubeObject> {
  const r = ctx.resource;
  const meta = obj.metadata;
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  if (meta.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
  const errs = defaultObject(r, obj);
  const now = ctx.parts.now();
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(now);
  prepareForCreate(r, obj);
  const hooks = r.crd ? undefined : ctx.parts.hooks.get(gk(r));
  hooks?.prepareCreate?.(obj, ctx.user);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (r.subresources.includes('status') || r.crd || hasSpec(obj)) meta.generation = 1;
  else delete meta.generation;
  throwIfInvalid(ctx, obj, [...errs, ...validateObject(r, obj)]);
  if (!managedAlready) {
    delete meta.managedFields;
    Object.assign(obj, updateManagedFields({ oldObj: undefined, newObj: obj, manager, operation: 'Update', apiVersion: obj.apiVersion!, now, subresource: ctx.info.subresource || undefined }));
  }
  const dryRun = isDryRun(ctx);
  await ctx.parts.admission.run({ operation: 'CREATE', resource: r, subresource: '', namespace: meta.namespace ?? '', name: meta.name ?? '', object: obj, user: ctx.user, dryRun });
  const txn = await hooks?.beginCreate?.(obj, dryRun);
  if (dryRun) {
    await txn?.revert();
    return obj;
  }
  const key = objectKey(r, meta.namespace, meta.name!);
  try {
    const kv = await ctx.parts.store.create(key, encodeObject(obj, r));
    await txn?.commit();
    return decodeObject(kv, r);
  } catch (err) {
    await txn?.revert();
    storeError(ctx, err, meta.name!);
  }
}

function hasSpec(obj: KubeObject): boolean {
  return obj.spec !== undefined;
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Whether an update ends a deletion (upstream's ShouldDeleteDuringUpdate): the object is being
 * deleted with no grace period pending and has no finalizers left; a namespace also needs its
 * spec.finalizers (the namespace controller's) gone.
 */
function shouldDeleteDuringUpdate(isNamespace: boolean, current: KubeObject, next: KubeObject): boolean {
  if ((next.metadata.finalizers?.length ?? 0) > 0 || !current.metadata.deletionTimestamp) return false;
  if ((current.metadata.deletionGracePeriodSeconds ?? 0) !== 0) return false;
  return !isNamespace || (((next.spec as { finalizers?: unknown[] } | undefined)?.finalizers ?? []).length === 0);
}

export interface UpdateOutcome {
  object: KubeObject;
  created: boolean;
  /** The object was deleted because its last finalizer went away during deletion. */
  deleted?: boolean;
}

/**
 * Read-modify-write with optimistic concurrency: `mutate` gets the current object and
 * returns the desired one. A conflict with a concurrent writer retries when the caller
 * did not pin a resourceVersion (patches), else answers 409.
 */
export async function guardedUpdate(
  ctx: RequestContext,
  name: string,
  mutate: (current: KubeObject | undefined) => Promise<KubeObject> | KubeObject,
  opts: { subresource: string; manager: string; allowCreate?: boolean; retry: boolean; skipManagedFields?: boolean },
): Promise<UpdateOutcome> {
  const r = ctx.resource;
  const ns = ctx.info.namespace;
  const key = objectKey(r, ns, name);
  for (let attempt = 0; ; attempt++) {
    const kv = await ctx.parts.store.get(key);
    const current = kv ? decodeObject(kv, r) : undefined;
    if (!current && !opts.allowCreate) throw errors.notFound(r.group, r.plural, name);
    const desired = await mutate(current ? structuredClone(current) : undefined);
    if (!current) {
      checkNamespace(ctx, desired);
      return { object: await createObject(ctx, desired, opts.manager, opts.skipManagedFields), created: true };
    }
    const rv = desired.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) {
      if (opts.retry && attempt < 5 && !ctx.query.has('resourceVersion')) continue;
      throw errors.conflict(r.group, r.plural, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    try {
      return await writeUpdate(ctx, current, desired, kv!.modRevision, opts);
    } catch (err) {
      if (err instanceof ConflictError && opts.retry && attempt < 5) continue;
      storeError(ctx, err, name);
    }
  }
}

async function writeUpdate(ctx: RequestContext, current: KubeObject, desired: KubeObject, modRevision: number, opts: { subresource: string; manager: string; skipManagedFields?: boolean }): Promise<UpdateOutcome> {
  const r = ctx.resource;
  const name = current.metadata.name!;
  checkTypeMeta(ctx, desired);
  if (desired.metadata.name && desired.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
  }
  desired.metadata.name = name;
  checkNamespace(ctx, desired);
  const isNamespace = r.kind === 'Namespace' && r.group === '';
  let next: KubeObject;
  if (opts.subresource === 'status' || opts.subresource === 'approval') {
    // A status write changes status only (and may not touch spec or most metadata); a
    // CertificateSigningRequest's approval is a write of its conditions, narrowed by its hooks.
    next = structuredClone(current);
    next.status = desired.status;
    if (desired.metadata.managedFields) next.metadata.managedFields = desired.metadata.managedFields;
  } else if (opts.subresource === 'finalize') {
    // namespaces/{name}/finalize changes the namespace's spec.finalizers and nothing else.
    next = structuredClone(current);
    const finalizers = (desired.spec as { finalizers?: unknown } | undefined)?.finalizers;
    next.spec = { ...((current.spec as object) ?? {}), finalizers };
    if (finalizers === undefined || (Array.isArray(finalizers) && finalizers.length === 0)) delete (next.spec as { finalizers?: unknown }).finalizers;
    if (desired.metadata.managedFields) next.metadata.managedFields = desired.metadata.managedFields;
  } else {
    next = desired;
    if (r.subresources.includes('status')) {
      if (current.status === undefined) delete next.status;
      else next.status = current.status;
    }
    // Only /finalize changes which finalizers a namespace waits for (upstream's PrepareForUpdate).
    if (isNamespace) {
      const kept = (current.spec as { finalizers?: unknown } | undefined)?.finalizers;
      const spec: { finalizers?: unknown } = { ...((next.spec as object) ?? {}) };
      delete spec.finalizers;
      if (kept !== undefined) spec.finalizers = kept;
      if (Object.keys(spec).length) next.spec = spec;
      else delete next.spec;
    }
  }
  const meta = next.metadata;
  const old = current.metadata;
  // A uid in the body must be the stored one (validation refuses a change, as upstream); none means this object.
  if (!meta.uid) meta.uid = old.uid;
  // Fields only the server sets come from the stored object.
  meta.creationTimestamp = old.creationTimestamp;
  meta.deletionTimestamp = old.deletionTimestamp;
  meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
  if (meta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (!r.crd && r.model) dropEmptyCollections(r.model, next);
  const hooks = r.crd ? undefined : ctx.parts.hooks.get(gk(r));
  hooks?.prepareUpdate?.(next, current, opts.subresource);
  const errs = opts.subresource === 'status' ? [] : defaultObject(r, next);
  if (old.generation !== undefined) meta.generation = old.generation + (specChanged(current, next) ? 1 : 0);
  else delete meta.generation;
  if (old.deletionTimestamp && (meta.finalizers?.length ?? 0) > (old.finalizers?.length ?? 0)) {
    const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
    if (added.length) errs.push({ type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` });
  }
  next.metadata.resourceVersion = current.metadata.resourceVersion;
  throwIfInvalid(ctx, next, [...errs, ...validateObject(r, next, current, opts.subresource)]);
  const now = ctx.parts.now();
  if (!opts.skipManagedFields) {
    // A body without managedFields keeps the stored ones; a body with different ones resets them.
    const sent = desired.metadata.managedFields;
    next.metadata.managedFields = sent === undefined ? current.metadata.managedFields : sent;
    next = updateManagedFields({ oldObj: current, newObj: next, manager: opts.manager, operation: 'Update', apiVersion: next.apiVersion!, now, subresource: opts.subresource || undefined });
  }
  const dryRun = isDryRun(ctx);
  await ctx.parts.admission.run({ operation: 'UPDATE', resource: r, subresource: opts.subresource, namespace: meta.namespace ?? '', name, object: next, oldObject: current, user: ctx.user, dryRun });
  const txn = opts.subresource === 'status' ? undefined : await hooks?.beginUpdate?.(next, current, dryRun);
  // Skip writes that change nothing: the resourceVersion stays, no watch event fires.
  const comparable = (o: KubeObject) => JSON.parse(JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } }));
  if (isDeepStrictEqual(comparable(current), comparable(next))) {
    await txn?.revert();
    return { object: current, created: false };
  }
  next.metadata.resourceVersion = current.metadata.resourceVersion;
  if (dryRun) {
    await txn?.revert();
    return { object: next, created: false };
  }
  const key = objectKey(r, meta.namespace, name);
  try {
    if (shouldDeleteDuringUpdate(isNamespace, current, next)) {
      // The last finalizer is gone from an object being deleted: it goes now.
      const kv = await ctx.parts.store.delete(key, modRevision);
      await txn?.revert();
      await hooks?.afterDelete?.(current);
      const gone = decodeObject({ value: encodeObject(next, r), modRevision: kv.modRevision }, r);
      return { object: gone, created: false, deleted: true };
    }
    const kv = await ctx.parts.store.update(key, encodeObject(next, r), modRevision);
    await txn?.commit();
    return { object: decodeObject(kv, r), created: false };
  } catch (err) {
    await txn?.revert();
    throw err;
  }
}
