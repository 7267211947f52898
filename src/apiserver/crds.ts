// CustomResourceDefinitions inside the API server: accept a new CRD's names and mark it
// Established so its resources are served at once, keep the registry in step with the
// stored CRDs, and on CRD deletion remove every custom object before the CRD itself
// (upstream's customresourcecleanup finalizer).
import type { Store, WatchEvent } from '../store/store.js';
import type { KubeObject } from '../api/types.js';
import { storagePrefix } from '../api/resources.js';
import type { ResourceRegistry } from './registry.js';
import type { WatchCache } from './watchcache.js';

const prefix = storagePrefix('apiextensions.k8s.io', 'customresourcedefinitions');
const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

export class CrdController {
  private cancel?: () => void;
  private queue = Promise.resolve();

  constructor(private readonly store: Store, private readonly registry: ResourceRegistry, private readonly cache: WatchCache, private readonly now: () => Date) {}

  async start(): Promise<void> {
    const page = await this.store.list(prefix);
    await this.refresh();
    for (const kv of page.items) await this.reconcile(kv.key);
    const sub = this.cache.subscribe(
      {
        prefix,
        deliver: (events: WatchEvent[]) => {
          for (const e of events) this.enqueue(e.kv.key);
        },
        fail: () => setTimeout(() => void this.start(), 1000).unref(),
      },
      page.revision,
    );
    this.cancel = sub?.cancel;
    for (const e of sub?.replay ?? []) this.enqueue(e.kv.key);
  }

  stop(): void {
    this.cancel?.();
  }

  private enqueue(key: string): void {
    this.queue = this.queue.then(() => this.reconcile(key)).catch((err) => console.error(`crd ${key}: ${(err as Error).message}`));
  }

  private async refresh(): Promise<void> {
    const page = await this.store.list(prefix);
    this.registry.setCustomResourceDefinitions(page.items.map((kv) => JSON.parse(kv.value) as KubeObject));
  }

  /** One level-based pass over one CRD; conflicts are retried by the next event. */
  private async reconcile(key: string): Promise<void> {
    const kv = await this.store.get(key);
    if (!kv) return this.refresh();
    const crd = JSON.parse(kv.value) as KubeObject;
    const spec = crd.spec as any;
    const now = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (crd.metadata.deletionTimestamp) {
      await this.refresh();
      if ((crd.metadata.finalizers ?? []).includes(cleanupFinalizer)) {
        const crPrefix = storagePrefix(spec.group, spec.names.plural);
        const objects = await this.store.list(crPrefix);
        for (const o of objects.items) await this.store.delete(o.key).catch(() => undefined);
        crd.metadata.finalizers = crd.metadata.finalizers!.filter((f) => f !== cleanupFinalizer);
        if (crd.metadata.finalizers.length === 0) await this.store.delete(key, kv.modRevision).catch(() => undefined);
        else await this.store.update(key, JSON.stringify(crd), kv.modRevision).catch(() => undefined);
      }
      return;
    }
    const status = (crd.status ?? {}) as any;
    const conditions: any[] = status.conditions ?? [];
    const storage = (spec.versions ?? []).find((v: any) => v.storage)?.name;
    const established = conditions.some((c) => c.type === 'Established' && c.status === 'True');
    const needsFinalizer = !(crd.metadata.finalizers ?? []).includes(cleanupFinalizer);
    const stored: string[] = status.storedVersions ?? [];
    const namesChanged = JSON.stringify(status.acceptedNames ?? {}) !== JSON.stringify(acceptedNames(spec.names));
    if (established && !needsFinalizer && !namesChanged && (!storage || stored.includes(storage))) {
      await this.refresh();
      return;
    }
    const cond = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: now, reason, message });
    crd.status = {
      ...status,
      acceptedNames: acceptedNames(spec.names),
      conditions: [cond('NamesAccepted', 'NoConflicts', 'no conflicts found'), cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
      storedVersions: storage && !stored.includes(storage) ? [...stored, storage] : stored,
    };
    if (needsFinalizer) crd.metadata.finalizers = [...(crd.metadata.finalizers ?? []), cleanupFinalizer];
    await this.store.update(key, JSON.stringify(crd), kv.modRevision).catch(() => undefined);
    await this.refresh();
  }
}

function acceptedNames(names: any) {
  const out: Record<string, unknown> = { plural: names.plural, singular: names.singular ?? String(names.kind).toLowerCase(), kind: names.kind, listKind: names.listKind ?? `${names.kind}List` };
  if (names.shortNames) out.shortNames = names.shortNames;
  if (names.categories) out.categories = names.categories;
  return out;
}
