// pods/eviction (policy/v1 Eviction, POST): delete a Pod only if its PodDisruptionBudget allows
// it, as upstream's eviction REST does. The budget is spent first, by writing the PDB's status
// (disruptionsAllowed - 1, and the Pod in disruptedPods so the disruption controller does not
// count it as healthy meanwhile) under optimistic concurrency; then the Pod gets the
// DisruptionTarget condition and is deleted with the Eviction's DeleteOptions.
import { ApiError, errors } from '../../api/errors.js';
import { fromLabelSelector, matches } from '../../api/labels.js';
import { isObject, type KubeObject } from '../../api/types.js';
import { ConflictError } from '../../store/store.js';
import { decodeObject as decodeBody, mediaType, objectMediaTypes, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { isDryRun } from '../context.js';
import { collectionPrefix, decodeObject, encodeObject, objectKey } from '../objects.js';
import { writeJson } from '../respond.js';
import { rfc3339, storeError } from './common.js';
import { checkDeleteOptions, deleteObject, type DeleteOptions } from './delete.js';

const tooManyMessage = "Cannot evict pod as it would violate the pod's disruption budget.";
/** Upstream MaxDisruptedPodSize: evictions the disruption controller has not yet confirmed. */
const maxDisruptedPods = 2000;
const retries = 20;

type Pod = KubeObject & { spec?: any; status?: any };
type PDB = KubeObject & { spec?: any; status?: any };

export async function eviction(ctx: RequestContext): Promise<void> {
  if (ctx.info.verb !== 'create') throw errors.methodNotAllowed(ctx.req.method ?? '', 'Eviction');
  const type = mediaType(ctx.req);
  if (!objectMediaTypes.has(type)) throw errors.unsupportedMediaType(type);
  const body = decodeBody(await readBody(ctx.req), type);
  if (body.kind !== undefined && body.kind !== 'Eviction') throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (Eviction)`);
  const name = ctx.info.name;
  if (isObject(body.metadata) && body.metadata.name && body.metadata.name !== name) throw errors.badRequest('name in URL does not match name in Eviction object');
  const options = checkDeleteOptions(ctx, body.deleteOptions);
  const dryRun = isDryRun(ctx);
  const podKey = objectKey(ctx.resource, ctx.info.namespace, name);
  const kv = await ctx.parts.store.get(podKey);
  if (!kv) throw errors.notFound('', 'pods', name);
  const pod = decodeObject(kv, ctx.resource) as Pod;

  if (!canIgnorePDB(pod)) {
    const pdbs = await budgetsFor(ctx, pod);
    if (pdbs.length > 1) {
      const err = new ApiError(500, '', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
      delete err.status.reason;
      throw err;
    }
    if (pdbs.length === 1) {
      const pdb = pdbs[0];
      const ready = isReady(pod);
      const healthyEnough = (pdb.status?.currentHealthy ?? 0) >= (pdb.status?.desiredHealthy ?? 0) && (pdb.status?.desiredHealthy ?? 0) > 0;
      if (!ready && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || healthyEnough)) {
        // An unhealthy Pod does not count towards the budget; evict it as it is now, or not at all.
        options.preconditions = { ...options.preconditions, resourceVersion: options.preconditions?.resourceVersion ?? pod.metadata.resourceVersion };
      } else {
        await checkAndDecrement(ctx, pod.metadata.name!, pdb, dryRun);
      }
    }
  }
  await addConditionAndDelete(ctx, name, options, dryRun);
  writeJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, ctx.warnings);
}

/** Finished, not yet running, or already being deleted: evicting it disrupts nothing. */
function canIgnorePDB(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

function pdbResource(ctx: RequestContext) {
  const r = ctx.parts.registry.lookup('policy', 'v1', 'poddisruptionbudgets');
  if (!r) throw errors.internal('PodDisruptionBudgets are not served');
  return r;
}

/** The PDBs selecting the Pod (policy/v1: an empty selector selects every Pod, a missing one none). */
async function budgetsFor(ctx: RequestContext, pod: Pod): Promise<PDB[]> {
  const r = pdbResource(ctx);
  const page = await ctx.parts.store.list(collectionPrefix(r, pod.metadata.namespace));
  return page.items
    .map((kv) => decodeObject(kv, r) as PDB)
    .filter((pdb) => isObject(pdb.spec?.selector) && matches(fromLabelSelector(pdb.spec.selector), pod.metadata.labels));
}

function tooManyRequests(cause: string, retryAfterSeconds?: number): ApiError {
  const err = errors.tooManyRequests(tooManyMessage, retryAfterSeconds);
  err.status.details = { ...(err.status.details ?? {}), causes: [{ reason: 'DisruptionBudget', message: cause }] };
  return err;
}

/** Spend one disruption of the budget, or refuse with 429; retried against fresh reads on conflicts. */
async function checkAndDecrement(ctx: RequestContext, podName: string, first: PDB, dryRun: boolean): Promise<void> {
  const r = pdbResource(ctx);
  const key = objectKey(r, first.metadata.namespace, first.metadata.name!);
  let pdb = first;
  for (let attempt = 0; ; attempt++) {
    const kv = await ctx.parts.store.get(key);
    if (!kv) throw errors.notFound('policy', 'poddisruptionbudgets', first.metadata.name!);
    pdb = decodeObject(kv, r) as PDB;
    const status = pdb.status ?? {};
    if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
      throw tooManyRequests(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`, 10);
    }
    const allowed: number = status.disruptionsAllowed ?? 0;
    if (allowed < 0) throw errors.forbidden('policy', 'poddisruptionbudget', pdb.metadata.name!, 'pdb disruptions allowed is negative');
    if (Object.keys(status.disruptedPods ?? {}).length > maxDisruptedPods) {
      throw errors.forbidden('policy', 'poddisruptionbudget', pdb.metadata.name!, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    }
    if (allowed === 0) {
      throw tooManyRequests(`The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
    }
    const next = structuredClone(pdb);
    next.status = { ...status, disruptionsAllowed: allowed - 1 };
    if (allowed - 1 === 0) next.status.conditions = insufficientPods(next.status, ctx.parts.now());
    if (dryRun) return;
    next.status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: rfc3339(ctx.parts.now()) };
    try {
      await ctx.parts.store.update(key, encodeObject(next, r), kv.modRevision);
      return;
    } catch (err) {
      if (err instanceof ConflictError && attempt < retries) continue;
      if (err instanceof ConflictError) throw errors.timeout(`couldn't update PodDisruptionBudget "${pdb.metadata.name}" due to conflicts`, 10);
      storeError(ctx, err, pdb.metadata.name!);
    }
  }
}

/** The DisruptionAllowed condition once no disruption is left (upstream UpdateDisruptionAllowedCondition). */
function insufficientPods(status: any, now: Date): any[] {
  const conditions: any[] = [...(status.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === 'DisruptionAllowed');
  const cond = { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: status.observedGeneration ?? 0, lastTransitionTime: rfc3339(now) };
  if (i < 0) conditions.push(cond);
  else conditions[i] = { ...cond, lastTransitionTime: conditions[i].status === 'False' ? conditions[i].lastTransitionTime : cond.lastTransitionTime };
  return conditions;
}

/** Mark the Pod with DisruptionTarget (honouring the preconditions), then delete it. */
async function addConditionAndDelete(ctx: RequestContext, name: string, options: DeleteOptions, dryRun: boolean): Promise<void> {
  if (!dryRun) {
    const key = objectKey(ctx.resource, ctx.info.namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await ctx.parts.store.get(key);
      if (!kv) throw errors.notFound('', 'pods', name);
      const pod = decodeObject(kv, ctx.resource) as Pod;
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== pod.metadata.uid) {
        throw errors.conflict('', 'pods', name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${pod.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
        throw errors.conflict('', 'pods', name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`);
      }
      const conditions: any[] = (pod.status?.conditions ?? []).filter((c: any) => c.type !== 'DisruptionTarget');
      const prior = (pod.status?.conditions ?? []).find((c: any) => c.type === 'DisruptionTarget');
      const now = rfc3339(ctx.parts.now());
      conditions.push({ type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: prior?.status === 'True' ? prior.lastTransitionTime : now, reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
      pod.status = { ...(pod.status ?? {}), conditions };
      try {
        const updated = await ctx.parts.store.update(key, encodeObject(pod, ctx.resource), kv.modRevision);
        // We changed the Pod ourselves: the precondition moves with it.
        if (pre?.resourceVersion) options.preconditions = { ...pre, resourceVersion: String(updated.modRevision) };
        break;
      } catch (err) {
        if (err instanceof ConflictError && attempt < retries && !pre?.resourceVersion) continue;
        storeError(ctx, err, name);
      }
    }
  }
  await deleteObject(ctx, name, options);
}
