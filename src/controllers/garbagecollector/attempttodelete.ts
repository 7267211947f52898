// Deciding about one object (upstream's attemptToDeleteItem): read it live, classify each of
// its owner references against the API server (the caches may lag) as solid, dangling, or
// waiting for its dependents (an owner being deleted in the foreground), then act:
//  - some owner solid: drop the dangling and waiting references, keep the object;
//  - owners waiting and the object has dependents of its own: delete it in the foreground
//    too, so the chain goes bottom-up;
//  - otherwise no owner is left: delete it, with the propagation its own finalizers ask for.
// An object deleting in the foreground loses its foregroundDeletion finalizer once no
// dependent blocks it any more.
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { DependencyGraph, Located } from './graph.js';
import { isNotFound, type Operations, type RestMapper } from './operations.js';
import {
  beingDeleted,
  deletingDependents,
  foregroundFinalizer,
  ownerReferencesOf,
  propagationFor,
  referencedIdentity,
  type AbsentOwnerCache,
  type ObjectIdentity,
} from './references.js';

export interface CollectorParts {
  graph: DependencyGraph;
  ops: Operations;
  mapper: RestMapper;
  absentOwners: AbsentOwnerCache;
  /** Queue another object for attemptToDelete. */
  enqueue(uid: string): void;
}

export interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

export async function attemptToDelete(parts: CollectorParts, uid: string): Promise<void> {
  const item = parts.graph.locate(uid);
  // Only objects the caches hold are candidates; one that went is done.
  if (!item) return;
  // A deletion under way (without foreground) is a one-way trip: wait for its delete event.
  if (beingDeleted(item.obj) && !deletingDependents(item.obj)) return;
  let latest: KubeObject;
  try {
    latest = await parts.ops.get(item.identity);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  if (latest.metadata.uid !== uid) return;
  if (deletingDependents(latest)) return processDeletingDependents(parts, item);

  const refs = ownerReferencesOf(latest);
  if (refs.length === 0) return;
  const { solid, dangling, waiting } = await classifyReferences(parts, item.identity, refs);

  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return;
    // Waiting references must go too, or their owners would wait for this object forever.
    const gone = new Set([...dangling, ...waiting].map((r) => r.uid));
    await parts.ops.updateOwnerReferences(item.identity, (current) => current.filter((r) => !gone.has(r.uid)));
    return;
  }
  const dependents = parts.graph.dependents(uid);
  if (waiting.length > 0 && dependents.length > 0) {
    if (dependents.some((d) => deletingDependents(d.obj))) {
      // An owner and a dependent both delete in the foreground: a cycle would wait forever,
      // so this object stops blocking its owners before it goes.
      await parts.ops.updateOwnerReferences(item.identity, (current) => current.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)));
    }
    return deleteItem(parts, item, latest, 'Foreground');
  }
  return deleteItem(parts, item, latest, propagationFor(latest));
}

async function deleteItem(parts: CollectorParts, item: Located, latest: KubeObject, policy: string): Promise<void> {
  try {
    await parts.ops.delete(item.identity, latest.metadata.resourceVersion, ownerReferencesOf(latest), policy);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** An object deleting in the foreground: done once no dependent blocks it; until then its blockers are pushed along. */
async function processDeletingDependents(parts: CollectorParts, item: Located): Promise<void> {
  const blocking = parts.graph.blockingDependents(item.identity.uid);
  if (blocking.length === 0) {
    await parts.ops.removeFinalizer(item.identity, foregroundFinalizer);
    return;
  }
  for (const dep of blocking) if (!deletingDependents(dep.obj)) parts.enqueue(dep.identity.uid);
}

/** A cluster-scoped object names a namespaced owner: that can never resolve, so it is not retried. */
export class NamespacedOwnerOfClusterScopedObject extends Error {}

export async function classifyReferences(parts: CollectorParts, item: ObjectIdentity, refs: OwnerReference[]): Promise<Classified> {
  const out: Classified = { solid: [], dangling: [], waiting: [] };
  for (const ref of refs) {
    const owner = await ownerOf(parts, ref, item);
    if (!owner) out.dangling.push(ref);
    else if (deletingDependents(owner)) out.waiting.push(ref);
    else out.solid.push(ref);
  }
  return out;
}

/**
 * The live owner a reference names, or undefined when it is gone (upstream's isDangling): not
 * found, or found under that name with another uid. Answers are remembered in the absent
 * owner cache so a hundred dependents of one deleted owner cost one request.
 */
async function ownerOf(parts: CollectorParts, ref: OwnerReference, item: ObjectIdentity): Promise<KubeObject | undefined> {
  const clusterScoped = referencedIdentity(ref, '');
  if (parts.absentOwners.has(clusterScoped)) return undefined;
  const inNamespace = referencedIdentity(ref, item.namespace);
  if (parts.absentOwners.has(inNamespace)) return undefined;
  const mapping = parts.mapper.map(ref.apiVersion, ref.kind);
  if (!item.namespace && mapping.namespaced) throw new NamespacedOwnerOfClusterScopedObject(`cluster-scoped ${item.kind} ${item.name} names a namespaced owner ${ref.kind} ${ref.name}`);
  const identity = mapping.namespaced ? inNamespace : clusterScoped;
  let owner: KubeObject;
  try {
    owner = await parts.ops.get(identity);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    parts.absentOwners.add(identity);
    return undefined;
  }
  if (owner.metadata.uid !== ref.uid) {
    parts.absentOwners.add(identity);
    return undefined;
  }
  return owner;
}
