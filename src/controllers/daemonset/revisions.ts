// A DaemonSet's history (upstream constructHistory, snapshot, dedupCurHistories and
// cleanupHistory): the ControllerRevision holding the current template is found or created and
// numbered newest; an older one that matches again after a rollback is renumbered instead of
// copied; revisions no Pod runs are pruned down to revisionHistoryLimit, oldest first.
import { ApiError } from '../../api/errors.js';
import type { Selector } from '../../api/labels.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { core, type ApiClient, type ResourceRef } from '../../client/client.js';
import type { ControllerHistory } from '../history/history.js';
import { revisionsRef } from '../history/history.js';
import { encodeData, hashRevision, maxRevision, podRevisionLabel, revisionName, templatePatch, type ControllerRevision } from '../history/revision.js';

export const daemonSetsRef = (namespace?: string): ResourceRef => ({ group: 'apps', version: 'v1', plural: 'daemonsets', namespace });

export interface DaemonSetHistory {
  current: ControllerRevision;
  old: ControllerRevision[];
}

/** Whether a revision holds the DaemonSet's current template (upstream Match). */
export function matchesRevision(ds: KubeObject, rev: ControllerRevision): boolean {
  return encodeData(templatePatch(ds)) === encodeData(rev.data);
}

export class DaemonSetRevisions {
  constructor(private readonly client: ApiClient, private readonly history: ControllerHistory) {}

  async construct(ds: KubeObject, selector: Selector, controllerRef: OwnerReference, pods: () => KubeObject[]): Promise<DaemonSetHistory> {
    const revisions = await this.history.claim(ds, { apiVersion: 'apps/v1', kind: 'DaemonSet', resource: daemonSetsRef(ds.metadata.namespace) }, selector);
    const current: ControllerRevision[] = [];
    const old: ControllerRevision[] = [];
    for (let rev of revisions) {
      if (!rev.metadata.labels?.[podRevisionLabel]) {
        // Revisions made before the label existed: the name stands in for the hash.
        rev = await this.client.patch<ControllerRevision>(revisionsRef(ds.metadata.namespace), rev.metadata.name!, { metadata: { labels: { [podRevisionLabel]: rev.metadata.name } } }, 'merge');
      }
      (matchesRevision(ds, rev) ? current : old).push(rev);
    }
    const next = maxRevision(old) + 1;
    if (current.length === 0) return { current: await this.snapshot(ds, next, controllerRef), old };
    let cur = await this.dedup(ds, current, pods);
    if (cur.revision < next) cur = await this.history.renumber(cur, next);
    return { current: cur, old };
  }

  /** Record the current template; a name taken by other data bumps status.collisionCount and retries. */
  private async snapshot(ds: KubeObject, revision: number, controllerRef: OwnerReference): Promise<ControllerRevision> {
    const ns = ds.metadata.namespace;
    const data = templatePatch(ds);
    const collisionCount = (ds.status as any)?.collisionCount as number | undefined;
    const hash = hashRevision(data, collisionCount);
    const name = revisionName(ds.metadata.name!, hash);
    const rev: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name, namespace: ns, labels: { ...((ds.spec as any)?.template?.metadata?.labels ?? {}), [podRevisionLabel]: hash }, ownerReferences: [controllerRef] },
      data,
      revision,
    };
    if (ds.metadata.annotations && Object.keys(ds.metadata.annotations).length) rev.metadata.annotations = { ...ds.metadata.annotations };
    try {
      return await this.client.create<ControllerRevision>(revisionsRef(ns), rev);
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
      const existing = await this.client.get<ControllerRevision>(revisionsRef(ns), name);
      if (matchesRevision(ds, existing)) return existing;
      const fresh = await this.client.get(daemonSetsRef(ns), ds.metadata.name!);
      const freshCount = (fresh.status as any)?.collisionCount as number | undefined;
      if (freshCount !== collisionCount) throw new Error(`found a stale collision count (${collisionCount}, expected ${freshCount}) of DaemonSet ${ds.metadata.name}; will retry until it is updated`);
      await this.client.patch(daemonSetsRef(ns), ds.metadata.name!, { status: { collisionCount: (collisionCount ?? 0) + 1 } }, 'merge', { subresource: 'status' });
      throw err;
    }
  }

  /** Several revisions hold the current template: keep the newest, move Pods' labels to it, delete the rest. */
  private async dedup(ds: KubeObject, current: ControllerRevision[], pods: () => KubeObject[]): Promise<ControllerRevision> {
    if (current.length === 1) return current[0];
    const keep = current.reduce((a, b) => (b.revision >= a.revision ? b : a));
    const hash = keep.metadata.labels![podRevisionLabel];
    for (const pod of pods()) {
      if (pod.metadata.labels?.[podRevisionLabel] === hash) continue;
      await this.client.patch(core('pods', pod.metadata.namespace), pod.metadata.name!, { metadata: { labels: { [podRevisionLabel]: hash } } }, 'merge');
    }
    for (const rev of current) if (rev !== keep) await this.history.delete(rev);
    return keep;
  }

  /** Delete old revisions beyond revisionHistoryLimit, oldest first, sparing those some Pod still runs. */
  async cleanup(ds: KubeObject, old: ControllerRevision[], pods: KubeObject[]): Promise<void> {
    const limit = Number((ds.spec as any)?.revisionHistoryLimit ?? 10);
    let toKill = old.length - limit;
    if (toKill <= 0) return;
    const live = new Set(pods.map((p) => p.metadata.labels?.[podRevisionLabel]).filter(Boolean));
    for (const rev of [...old].sort((a, b) => a.revision - b.revision)) {
      if (toKill <= 0) break;
      if (live.has(rev.metadata.labels?.[podRevisionLabel])) continue;
      await this.history.delete(rev);
      toKill--;
    }
  }
}
