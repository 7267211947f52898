// The registry strategy of certificates.k8s.io CertificateSigningRequests (upstream's
// csrStrategy, csrStatusStrategy and csrApprovalStrategy): a new request records who made it
// and starts with no status; an update of the object changes neither spec nor status; the
// `status` subresource (the signer) changes status; the `approval` subresource (approvers)
// changes only the conditions. Condition timestamps the client left out are filled in.
import type { KubeObject } from '../api/types.js';
import type { KindHooks } from './hooks.js';

type Condition = { type?: string; status?: string; lastUpdateTime?: string; lastTransitionTime?: string };

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function certificateSigningRequestHooks(now: () => Date): KindHooks {
  return {
    prepareCreate(obj, user) {
      const spec = (obj.spec ?? {}) as Record<string, unknown>;
      for (const f of ['username', 'uid', 'groups', 'extra']) delete spec[f];
      spec.username = user.name;
      if (user.uid) spec.uid = user.uid;
      if (user.groups.length) spec.groups = [...user.groups];
      obj.spec = spec;
      // Nobody creates a request that is already approved or issued.
      delete obj.status;
    },
    prepareUpdate(next, old, subresource) {
      next.spec = old.spec;
      if (subresource === '') {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
        return;
      }
      const sent = (next.status ?? {}) as Record<string, unknown>;
      if (subresource === 'approval') next.status = { ...((old.status as object) ?? {}), conditions: sent.conditions };
      fillConditionTimestamps(next, old, now());
      const status = next.status as Record<string, unknown> | undefined;
      if (status && Array.isArray(status.conditions) && status.conditions.length === 0) delete status.conditions;
      if (status && Object.keys(status).length === 0) delete next.status;
    },
  };
}

/** A condition without times gets now; one whose status did not change keeps its transition time. */
function fillConditionTimestamps(next: KubeObject, old: KubeObject, now: Date): void {
  const conditions = (next.status as { conditions?: Condition[] } | undefined)?.conditions;
  if (!Array.isArray(conditions)) return;
  const before = ((old.status as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];
  for (const c of conditions) {
    if (!c || typeof c !== 'object') continue;
    if (!c.lastUpdateTime) c.lastUpdateTime = rfc3339(now);
    if (!c.lastTransitionTime) {
      const prior = before.find((o) => o.type === c.type);
      c.lastTransitionTime = prior && prior.status === c.status && prior.lastTransitionTime ? prior.lastTransitionTime : rfc3339(now);
    }
  }
}
