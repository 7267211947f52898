// ResourceQuota admission: a create (or an update that grows usage) is charged against every
// quota of its namespace that tracks what it uses. Charging means writing the quota's
// status.used before the object is stored, under optimistic concurrency, so two concurrent
// creates cannot both take the last unit; the resource quota controller later recounts from
// the objects themselves (and gives back what deleted objects used). Refusals are 403
// Forbidden with upstream's wording:
//   pods "x" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2
import { errors } from '../../api/errors.js';
import { builtinResources } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { evaluatorFor } from '../../api/quota/evaluators.js';
import { add, fromStrings, lessThanOrEqual, mask, negatives, prettyPrint, removeZeros, subtractNonNegative, toStrings, type ResourceList } from '../../api/quota/resourcelist.js';
import { ConflictError, type KeyValue, type Store } from '../../store/store.js';
import type { AdmissionPlugin } from '../admission.js';
import { collectionPrefix, decodeObject, encodeObject, objectKey } from '../objects.js';
import type { WatchCache } from '../watchcache.js';
import { NamespacePresence } from './presence.js';

const quotas = builtinResources.find((r) => r.group === '' && r.plural === 'resourcequotas')!;
const attempts = 10;

/** Every tracked resource the quota limits has a usage figure (the controller has counted it). */
function hasUsageStats(quota: KubeObject, restricted: string[]): boolean {
  const used = (quota.status as any)?.used ?? {};
  return Object.keys((quota.status as any)?.hard ?? {}).every((name) => !restricted.includes(name) || name in used);
}

export function resourceQuota(store: Store, watchCache: WatchCache, now: () => Date): AdmissionPlugin {
  const presence = new NamespacePresence(store, watchCache, collectionPrefix(quotas));
  return {
    name: 'ResourceQuota',
    async validate(req) {
      if (req.subresource || !req.resource.namespaced || !req.object) return;
      if (req.operation === 'CREATE' && req.resource.group === '' && req.resource.plural === 'resourcequotas') presence.noteCreate(req.namespace);
      if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return;
      const evaluator = evaluatorFor({ group: req.resource.group, resource: req.resource.plural });
      if (!evaluator.handles(req.operation)) return;
      if (!(await presence.maybeIn(req.namespace))) return;
      const refuse = (why: string) => errors.forbidden(req.resource.group, req.resource.plural, req.name, why);
      for (let attempt = 0; attempt < attempts; attempt++) {
        const page = await store.list(collectionPrefix(quotas, req.namespace));
        const interesting: Array<{ kv: KeyValue; quota: KubeObject; hard: ResourceList }> = [];
        for (const kv of page.items) {
          const quota = decodeObject(kv, quotas);
          const hard = fromStrings((quota.status as any)?.hard);
          const restricted = evaluator.matchingResources(Object.keys(hard));
          if (restricted.length === 0 || !evaluator.matchesScopes(quota, req.object)) continue;
          const missing = evaluator.constraints(restricted, req.object);
          if (missing) throw refuse(`failed quota: ${quota.metadata.name}: ${missing}`);
          if (!hasUsageStats(quota, restricted)) throw refuse(`status unknown for quota: ${quota.metadata.name}, resources: ${[...restricted].sort().join(',')}`);
          interesting.push({ kv, quota, hard });
        }
        if (interesting.length === 0) return;
        const at = now().getTime();
        let delta = evaluator.usage(req.object, at);
        const negative = negatives(delta);
        if (negative.length) throw refuse(`quota usage is negative for resource(s): ${negative.join(',')}`);
        // An update is charged only for what it adds.
        if (req.operation === 'UPDATE' && req.oldObject?.metadata.resourceVersion) delta = subtractNonNegative(delta, evaluator.usage(req.oldObject, at));
        delta = removeZeros(delta);
        if (Object.keys(delta).length === 0) return;
        const writes: Array<{ kv: KeyValue; quota: KubeObject; used: ResourceList }> = [];
        for (const { kv, quota, hard } of interesting) {
          const requested = mask(delta, Object.keys(hard));
          const used = fromStrings((quota.status as any)?.used);
          const next = add(used, requested);
          const { allowed, exceeded } = lessThanOrEqual(mask(next, Object.keys(requested)), hard);
          if (!allowed) {
            throw refuse(`exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`);
          }
          if (Object.keys(requested).length) writes.push({ kv, quota, used: next });
        }
        if (req.dryRun) return;
        try {
          for (const w of writes) {
            const updated = structuredClone(w.quota);
            updated.status = { ...(updated.status as any), used: toStrings(w.used) };
            await store.update(objectKey(quotas, req.namespace, w.quota.metadata.name!), encodeObject(updated, quotas), w.kv.modRevision);
          }
          return;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
      throw errors.conflict('', 'resourcequotas', '', 'too many concurrent changes to the namespace quotas; please try again');
    },
  };
}
