// LimitRanger admission: a new Pod gets the default requests and limits of its namespace's
// LimitRanges, then must satisfy their min, max and ratio rules, as must a new or resized
// PersistentVolumeClaim; a violation is 403 Forbidden with upstream's wording
// (`pods "x" is forbidden: minimum cpu usage per Container is 100m, but request is 50m`).
import { errors } from '../../api/errors.js';
import { builtinResources } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { podQOSClass } from '../../api/defaults/index.js';
import { aggregate, applyLimitRangeDefaults, claimLimitViolations, podLimitViolations } from '../../api/quota/limitrange.js';
import type { Store } from '../../store/store.js';
import type { AdmissionPlugin, AdmissionRequest } from '../admission.js';
import { collectionPrefix, decodeObject } from '../objects.js';
import type { WatchCache } from '../watchcache.js';
import { NamespacePresence } from './presence.js';

const limitRanges = builtinResources.find((r) => r.group === '' && r.plural === 'limitranges')!;


/** Pods on create (their containers cannot change later); claims on create and update. */
function applies(req: AdmissionRequest): 'Pod' | 'PersistentVolumeClaim' | undefined {
  if (req.subresource || !req.object || req.resource.group !== '') return undefined;
  if (req.resource.kind === 'Pod' && req.operation === 'CREATE') return 'Pod';
  if (req.resource.kind === 'PersistentVolumeClaim' && (req.operation === 'CREATE' || req.operation === 'UPDATE')) return 'PersistentVolumeClaim';
  return undefined;
}

export function limitRanger(store: Store, watchCache: WatchCache): AdmissionPlugin {
  const presence = new NamespacePresence(store, watchCache, collectionPrefix(limitRanges));
  const rangesIn = async (namespace: string): Promise<KubeObject[]> => {
    if (!(await presence.maybeIn(namespace))) return [];
    const page = await store.list(collectionPrefix(limitRanges, namespace));
    return page.items.map((kv) => decodeObject(kv, limitRanges));
  };
  return {
    name: 'LimitRanger',
    async admit(req) {
      if (req.operation === 'CREATE' && req.resource.group === '' && req.resource.plural === 'limitranges') presence.noteCreate(req.namespace);
      if (applies(req) !== 'Pod') return;
      let changed = false;
      for (const lr of await rangesIn(req.namespace)) changed = applyLimitRangeDefaults(lr, req.object!) || changed;
      // The QoS class follows the resources the Pod ends up with.
      if (changed && req.object!.status) (req.object!.status as any).qosClass = podQOSClass(req.object!.spec as any);
    },
    async validate(req) {
      const kind = applies(req);
      if (!kind) return;
      for (const lr of await rangesIn(req.namespace)) {
        const violations = kind === 'Pod' ? podLimitViolations(lr, req.object!) : claimLimitViolations(lr, req.object!);
        if (violations.length) throw errors.forbidden(req.resource.group, req.resource.plural, req.name, aggregate(violations));
      }
    },
  };
}
