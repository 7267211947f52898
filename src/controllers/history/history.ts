// A workload's ControllerRevisions through the API (upstream history.Interface): listing the
// ones it owns, creating one under a hash-derived name that survives collisions, renumbering
// one that becomes current again after a rollback, and deleting pruned ones.
import { ApiError } from '../../api/errors.js';
import { matches, type Selector } from '../../api/labels.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { ApiClient, ResourceRef } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { ControllerRefManager } from '../runtime/controllerref.js';
import { encodeData, hashRevision, revisionHashLabel, revisionName, type ControllerRevision } from './revision.js';

export const revisionsRef = (namespace?: string): ResourceRef => ({ group: 'apps', version: 'v1', plural: 'controllerrevisions', namespace });

/** The kind of workload that owns revisions, and where its objects live. */
export interface ParentKind {
  apiVersion: string;
  kind: string;
  resource: ResourceRef;
}

export interface NewRevision {
  parent: KubeObject;
  controllerRef: OwnerReference;
  templateLabels: Record<string, string> | undefined;
  data: unknown;
  revision: number;
  annotations?: Record<string, string>;
}

export class ControllerHistory {
  constructor(private readonly client: ApiClient, private readonly informer: Informer<ControllerRevision>) {}

  /** The parent's revisions after adopting matching orphans and releasing owned ones that stopped matching. */
  claim(parent: KubeObject, owner: ParentKind, selector: Selector): Promise<ControllerRevision[]> {
    const refs = new ControllerRefManager({
      client: this.client,
      owner: parent,
      ownerApiVersion: owner.apiVersion,
      ownerKind: owner.kind,
      ownerResource: owner.resource,
      resource: revisionsRef(parent.metadata.namespace),
      matches: (r) => matches(selector, r.metadata.labels),
    });
    return refs.claim(this.informer.list(parent.metadata.namespace));
  }

  /**
   * Create a revision named `<parent>-<hash>`. When the name is taken by a revision with other
   * data, the collision count moves on and the next name is tried (upstream
   * CreateControllerRevision); `collision.count` tells the caller what to store in status.
   */
  async create(rev: NewRevision, collision: { count: number }): Promise<ControllerRevision> {
    const ns = rev.parent.metadata.namespace;
    for (;;) {
      const hash = hashRevision(rev.data, collision.count);
      const name = revisionName(rev.parent.metadata.name!, hash);
      const obj: ControllerRevision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: ns,
          labels: { ...(rev.templateLabels ?? {}), [revisionHashLabel]: hash },
          ownerReferences: [rev.controllerRef],
        },
        data: rev.data,
        revision: rev.revision,
      };
      if (rev.annotations && Object.keys(rev.annotations).length) obj.metadata.annotations = { ...rev.annotations };
      try {
        return await this.client.create<ControllerRevision>(revisionsRef(ns), obj);
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
        const existing = await this.client.get<ControllerRevision>(revisionsRef(ns), name);
        if (encodeData(existing.data) === encodeData(rev.data)) return existing;
        collision.count++;
      }
    }
  }

  /** Give a revision a new number (a rollback makes an old snapshot the newest). */
  async renumber(rev: ControllerRevision, revision: number): Promise<ControllerRevision> {
    if (rev.revision === revision) return rev;
    return this.client.patch<ControllerRevision>(revisionsRef(rev.metadata.namespace), rev.metadata.name!, { revision }, 'merge');
  }

  async delete(rev: ControllerRevision): Promise<void> {
    try {
      await this.client.delete(revisionsRef(rev.metadata.namespace), rev.metadata.name!);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}
