// Claiming dependents by selector (upstream's ControllerRefManager): a controller owns the
// objects whose controller reference names it; it adopts orphans its selector matches and
// releases objects it owns that its selector no longer matches. Objects controlled by someone
// else are never touched. Adoption first re-reads the owner from the API server, so an owner
// that was deleted (or replaced under the same name) while the cache lagged adopts nothing.
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { ApiClient, ResourceRef } from '../../client/client.js';
import { controllerOf, controllerRef } from './owners.js';

export interface ControllerRefManagerOptions {
  client: ApiClient;
  /** The controller claiming objects, as read from the cache. */
  owner: KubeObject;
  ownerApiVersion: string;
  ownerKind: string;
  /** Where the owner itself lives, to re-read it before adopting. */
  ownerResource: ResourceRef;
  /** Where the dependents live. */
  resource: ResourceRef;
  /** Whether the owner's selector matches a dependent. */
  matches(obj: KubeObject): boolean;
  /** Finalizers an adopted dependent gets (the Job controller's tracking finalizer). */
  finalizers?: string[];
}

export class ControllerRefManager {
  private canAdoptChecked?: Promise<void>;

  constructor(private readonly opts: ControllerRefManagerOptions) {}

  /**
   * The objects this owner controls after adopting and releasing: the adopted ones as the API
   * server returned them. An adoption or release of an object that is gone is skipped.
   */
  async claim<T extends KubeObject>(objs: T[]): Promise<T[]> {
    const claimed: T[] = [];
    const errs: Error[] = [];
    const owner = this.opts.owner;
    for (const obj of objs) {
      const ref = controllerOf(obj);
      try {
        if (ref) {
          if (ref.uid !== owner.metadata.uid) continue;
          if (this.opts.matches(obj)) claimed.push(obj);
          else if (!owner.metadata.deletionTimestamp) await this.release(obj);
          continue;
        }
        if (owner.metadata.deletionTimestamp || !this.opts.matches(obj) || obj.metadata.deletionTimestamp) continue;
        if (owner.metadata.namespace && owner.metadata.namespace !== obj.metadata.namespace) continue;
        const adopted = await this.adopt(obj);
        if (adopted) claimed.push(adopted);
      } catch (err) {
        errs.push(err as Error);
      }
    }
    if (errs.length) throw errs[0];
    return claimed;
  }

  /** Re-read the owner once: it must still be the same object and not being deleted. */
  private canAdopt(): Promise<void> {
    this.canAdoptChecked ??= (async () => {
      const { owner, ownerKind, ownerResource, client } = this.opts;
      const fresh = await client.get(ownerResource, owner.metadata.name!);
      if (fresh.metadata.uid !== owner.metadata.uid) {
        throw new Error(`original ${ownerKind} ${owner.metadata.namespace}/${owner.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${owner.metadata.uid}`);
      }
      if (fresh.metadata.deletionTimestamp) {
        throw new Error(`${ownerKind} ${owner.metadata.namespace}/${owner.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      }
    })();
    return this.canAdoptChecked;
  }

  private async adopt<T extends KubeObject>(obj: T): Promise<T | undefined> {
    await this.canAdopt();
    const ref = controllerRef(this.opts.owner, this.opts.ownerApiVersion, this.opts.ownerKind);
    // The same patch upstream sends: the reference merges into the list by uid.
    const patch = { metadata: { ownerReferences: [ref], uid: obj.metadata.uid, ...(this.opts.finalizers?.length ? { finalizers: this.opts.finalizers } : {}) } };
    try {
      return await this.opts.client.patch<T>(this.opts.resource, obj.metadata.name!, patch, 'strategic');
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  private async release(obj: KubeObject): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: this.opts.owner.metadata.uid }], uid: obj.metadata.uid } };
    try {
      await this.opts.client.patch(this.opts.resource, obj.metadata.name!, patch, 'strategic');
    } catch (err) {
      // Gone, or no longer ours to release (upstream treats 422 the same way).
      if (err instanceof ApiError && (err.code === 404 || err.code === 422)) return;
      throw err;
    }
  }
}
