// Adoption and release (upstream ControllerRefManager): a controller owns the objects that
// carry its controller reference and still match its selector. Orphans that match are adopted
// (a controller reference is patched in), owned objects that stop matching are released (the
// reference is patched out), and objects another controller owns are left alone.
import { ApiError } from '../../api/errors.js';
import { matches, type Selector } from '../../api/labels.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { ApiClient, ResourceRef } from '../../client/client.js';
import { controllerOf } from './owners.js';

export interface ClaimOptions {
  client: ApiClient;
  /** Where the objects live, e.g. core('pods', namespace). */
  ref: ResourceRef;
  owner: KubeObject;
  /** The controller reference an adopted object gets. */
  controllerRef: OwnerReference;
  selector: Selector;
  /** A further condition on top of the selector (a StatefulSet also wants its own Pod names). */
  filter?: (obj: KubeObject) => boolean;
  /**
   * Checked once before the first adoption, against a fresh read of the owner (upstream
   * RecheckDeletionTimestamp): throws if the owner is being deleted or was replaced.
   */
  canAdopt: () => Promise<void>;
}

/** The objects the owner controls after adopting and releasing; throws the first failure after trying every object. */
export async function claimObjects<T extends KubeObject>(objects: T[], opts: ClaimOptions): Promise<T[]> {
  const { owner } = opts;
  const match = (o: KubeObject) => matches(opts.selector, o.metadata.labels) && (opts.filter?.(o) ?? true);
  const claimed: T[] = [];
  let adoptionChecked: Promise<void> | undefined;
  let firstError: unknown;
  for (const obj of objects) {
    const ref = controllerOf(obj);
    try {
      if (ref) {
        if (ref.uid !== owner.metadata.uid) continue;
        if (match(obj)) claimed.push(obj);
        else if (!owner.metadata.deletionTimestamp) await release(obj, opts);
        continue;
      }
      if (owner.metadata.deletionTimestamp || !match(obj) || obj.metadata.deletionTimestamp) continue;
      if (owner.metadata.namespace && owner.metadata.namespace !== obj.metadata.namespace) continue;
      adoptionChecked ??= opts.canAdopt();
      await adoptionChecked;
      await adopt(obj, opts);
      claimed.push(obj);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) continue;
      firstError ??= err;
    }
  }
  if (firstError) throw firstError;
  return claimed;
}

async function adopt(obj: KubeObject, opts: ClaimOptions): Promise<void> {
  const patch = { metadata: { ownerReferences: [opts.controllerRef], uid: obj.metadata.uid } };
  await opts.client.patch(opts.ref, obj.metadata.name!, patch, 'strategic');
}

async function release(obj: KubeObject, opts: ClaimOptions): Promise<void> {
  const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: opts.owner.metadata.uid }], uid: obj.metadata.uid } };
  try {
    await opts.client.patch(opts.ref, obj.metadata.name!, patch, 'strategic');
  } catch (err) {
    // Invalid: the reference is already gone, or this is a new object under the same name.
    if (err instanceof ApiError && (err.code === 404 || err.code === 422)) return;
    throw err;
  }
}

/** canAdopt for owners: a fresh GET must find the same, undeleted object (upstream RecheckDeletionTimestamp). */
export function recheckOwner(client: ApiClient, ref: ResourceRef, owner: KubeObject): () => Promise<void> {
  return async () => {
    const fresh = await client.get(ref, owner.metadata.name!);
    if (fresh.metadata.uid !== owner.metadata.uid) {
      throw new Error(`original ${owner.kind} ${owner.metadata.namespace}/${owner.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${owner.metadata.uid}`);
    }
    if (fresh.metadata.deletionTimestamp) {
      throw new Error(`${owner.metadata.namespace}/${owner.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  };
}
