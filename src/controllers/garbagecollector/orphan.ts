// Orphaning (upstream's attemptToOrphan): an owner deleted with the orphan finalizer keeps
// its dependents. Each dependent loses its reference to the owner, then the owner loses the
// finalizer and goes. A failure anywhere retries the whole item; what was done stays done.
import type { CollectorParts } from './attempttodelete.js';
import { orphanFinalizer } from './references.js';

export async function attemptToOrphan(parts: CollectorParts, uid: string): Promise<void> {
  const owner = parts.graph.locate(uid);
  if (!owner) return;
  const dependents = parts.graph.dependents(uid);
  const results = await Promise.allSettled(dependents.map((d) => parts.ops.updateOwnerReferences(d.identity, (refs) => refs.filter((r) => r.uid !== uid))));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${dependents[i].identity.kind} ${dependents[i].identity.name}: ${(r.reason as Error).message}`] : []));
  if (failed.length) throw new Error(`failed to orphan dependents of ${owner.identity.kind} ${owner.identity.name}: ${failed.join('; ')}`);
  await parts.ops.removeFinalizer(owner.identity, orphanFinalizer);
}
