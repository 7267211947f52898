// Emptying a terminating namespace (upstream's namespacedResourcesDeleter), through the API
// only: discover every namespaced resource that can be deleted, delete its collection in the
// namespace (or each item, where deletecollection is not served), count what is left and the
// finalizers holding it, record that in the namespace's conditions, and once nothing is left
// remove the `kubernetes` finalizer through namespaces/{name}/finalize. Objects that wait on
// finalizers or on a graceful Pod termination make the pass report an estimate instead.
import type { KubeObject } from '../../api/types.js';
import { ApiClient, core, type ResourceRef } from '../../client/client.js';
import { discoverResources, type DiscoveredResource, type DiscoveryResult } from '../../client/discovery.js';
import { NamespaceConditionUpdater, type ContentTotals, type NamespaceCondition } from './conditions.js';
import { ApiError } from '../../api/errors.js';

/** Seconds assumed for finalizers to finish when objects wait on them (upstream 15). */
export const finalizerEstimateSeconds = 15;

/** Content remains: the caller should look again in about `estimate` seconds. */
export class ResourcesRemainingError extends Error {
  constructor(readonly estimate: number) {
    super(`some content remains in the namespace, estimate ${estimate} seconds before it is removed`);
  }
}

const isNotFound = (err: unknown) => err instanceof ApiError && err.code === 404;
const isConflict = (err: unknown) => err instanceof ApiError && err.code === 409;
const notSupported = (err: unknown) => err instanceof ApiError && (err.code === 404 || err.code === 405);
const background = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' };
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Remaining {
  estimate: number;
  count: number;
  finalizers: Map<string, number>;
}

export class NamespacedResourcesDeleter {
  constructor(
    private readonly client: ApiClient,
    private readonly now: () => number,
    private readonly finalizerToken = 'kubernetes',
  ) {}

  /** One pass; throws ResourcesRemainingError while content remains, resolves once finalized (or gone). */
  async delete(name: string): Promise<void> {
    let ns: KubeObject;
    try {
      ns = await this.client.get(core('namespaces'), name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    try {
      ns = await this.retryOnConflict(ns, (n) => this.markTerminating(n));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp || this.finalizers(ns).length === 0) return;
    const estimate = await this.deleteAllContent(ns);
    if (estimate > 0) throw new ResourcesRemainingError(estimate);
    try {
      await this.retryOnConflict(ns, (n) => this.finalize(n));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private finalizers(ns: KubeObject): string[] {
    return (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  }

  private async markTerminating(ns: KubeObject): Promise<KubeObject> {
    const status = (ns.status ?? {}) as { phase?: string };
    if (!ns.metadata.deletionTimestamp || status.phase === 'Terminating') return ns;
    return this.client.update(core('namespaces'), { ...ns, status: { ...status, phase: 'Terminating' } }, 'status');
  }

  private finalize(ns: KubeObject): Promise<KubeObject> {
    const remaining = [...new Set(this.finalizers(ns).filter((f) => f !== this.finalizerToken))].sort();
    return this.client.update(core('namespaces'), { ...ns, spec: { ...(ns.spec as object), finalizers: remaining } }, 'finalize');
  }

  /** Apply `fn` to the namespace, reading it again after each conflict (the uid must not change). */
  private async retryOnConflict(ns: KubeObject, fn: (ns: KubeObject) => Promise<KubeObject>): Promise<KubeObject> {
    let latest = ns;
    for (;;) {
      try {
        return await fn(latest);
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      const prev = latest;
      latest = await this.client.get(core('namespaces'), ns.metadata.name!);
      if (prev.metadata.uid !== latest.metadata.uid) throw new Error('namespace uid has changed across retries');
    }
  }

  /** Delete everything in the namespace; the estimate in seconds until what remains is gone (0: nothing remains). */
  private async deleteAllContent(ns: KubeObject): Promise<number> {
    const name = ns.metadata.name!;
    const conditions = new NamespaceConditionUpdater(rfc3339(this.now()));
    const errs: Error[] = [];
    let found: DiscoveryResult = { resources: [], failed: new Map() };
    try {
      found = await discoverResources(this.client);
      if (found.failed.size > 0) {
        conditions.discoveryFailed(found.failed);
        errs.push(new Error(`unable to retrieve the complete list of server APIs: ${[...found.failed.keys()].join(', ')}`));
      }
    } catch (err) {
      // Discovery errors are not fatal: whatever was found is still deleted.
      conditions.discoveryError(err as Error);
      errs.push(err as Error);
    }
    const deletable = found.resources.filter((r) => r.preferred && r.namespaced && r.verbs.includes('delete'));
    const deletedAt = Date.parse(ns.metadata.deletionTimestamp!);
    const totals: ContentTotals = { remainingByResource: new Map(), remainingByFinalizer: new Map() };
    let estimate = 0;
    const results = await Promise.allSettled(deletable.map((r) => this.deleteResource(r, name, deletedAt)));
    results.forEach((result, i) => {
      const r = deletable[i];
      let remaining: Remaining | undefined;
      if (result.status === 'rejected') {
        const err = result.reason as Error & { remaining?: Remaining };
        errs.push(err);
        conditions.deleteContentFailed(err);
        remaining = err.remaining;
      } else remaining = result.value;
      if (!remaining) return;
      estimate = Math.max(estimate, remaining.estimate);
      if (remaining.count > 0) {
        totals.remainingByResource.set(`${r.plural}.${r.group}`, remaining.count);
        for (const [f, n] of remaining.finalizers) totals.remainingByFinalizer.set(f, (totals.remainingByFinalizer.get(f) ?? 0) + n);
      }
    });
    conditions.contentTotals(totals);
    // Conditions are written every pass: one that cleared must say so.
    const status = (ns.status ?? {}) as { conditions?: NamespaceCondition[] };
    const next = structuredClone(status.conditions ?? []);
    if (conditions.update(next)) {
      try {
        const updated = await this.client.update(core('namespaces'), { ...ns, status: { ...status, conditions: next } }, 'status');
        ns.metadata.resourceVersion = updated.metadata.resourceVersion;
        ns.status = updated.status;
      } catch (err) {
        console.error(`namespace ${name}: couldn't update status conditions: ${(err as Error).message}`);
      }
    }
    if (errs.length > 0) throw new Error(errs.map((e) => e.message).join('; '));
    return estimate;
  }

  /** Delete one resource's objects in the namespace and say what remains. */
  private async deleteResource(r: DiscoveredResource, namespace: string, deletedAt: number): Promise<Remaining> {
    const ref: ResourceRef = { group: r.group, version: r.version, plural: r.plural, namespace };
    const estimate = await this.estimateGracefulTermination(r, namespace, deletedAt);
    const remainingAfter = (extra: Partial<Remaining> = {}): Remaining => ({ estimate, count: 0, finalizers: new Map(), ...extra });
    let collectionDeleted = false;
    if (r.verbs.includes('deletecollection')) {
      try {
        await this.client.request('DELETE', ApiClient.path(ref), background);
        collectionDeleted = true;
      } catch (err) {
        if (!notSupported(err)) throw withRemaining(err as Error, remainingAfter());
      }
    }
    if (!r.verbs.includes('list')) return remainingAfter();
    if (!collectionDeleted) {
      const items = await this.list(ref);
      if (!items) return remainingAfter();
      for (const item of items) {
        try {
          await this.client.request('DELETE', ApiClient.path(ref, item.metadata.name), background);
        } catch (err) {
          if (!notSupported(err)) throw withRemaining(err as Error, remainingAfter());
        }
      }
    }
    const left = await this.list(ref);
    if (!left || left.length === 0) return remainingAfter();
    const finalizers = new Map<string, number>();
    for (const item of left) for (const f of item.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (estimate !== 0) return { estimate, count: left.length, finalizers };
    // Objects waiting on finalizers are normal: give the finalizers time.
    if (finalizers.size > 0) return { estimate: finalizerEstimateSeconds, count: left.length, finalizers };
    throw withRemaining(new Error(`unexpected items still remain in namespace: ${namespace} for gvr: {${r.group} ${r.version} ${r.plural}}`), { estimate, count: left.length, finalizers });
  }

  private async list(ref: ResourceRef): Promise<KubeObject[] | undefined> {
    try {
      return (await this.client.list(ref)).items;
    } catch (err) {
      if (notSupported(err)) return undefined;
      throw err;
    }
  }

  /** Pods get their grace period: the longest one among those still running, if it has not passed since the namespace's deletion. */
  private async estimateGracefulTermination(r: DiscoveredResource, namespace: string, deletedAt: number): Promise<number> {
    if (!(r.group === '' && r.plural === 'pods')) return 0;
    let estimate = 0;
    for (const pod of (await this.client.list(core('pods', namespace))).items as any[]) {
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const grace = pod.spec?.terminationGracePeriodSeconds;
      if (typeof grace === 'number' && grace > estimate) estimate = grace;
    }
    return this.now() - deletedAt >= estimate * 1000 ? 0 : estimate;
  }
}

function withRemaining(err: Error, remaining: Remaining): Error & { remaining: Remaining } {
  return Object.assign(err, { remaining });
}
