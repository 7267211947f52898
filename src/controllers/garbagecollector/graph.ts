// The dependency graph (upstream's GraphBuilder): one shared informer per resource that can
// be listed, watched and deleted, each indexed by the uids its objects name as owners, plus a
// uid → object map across all of them. Who depends on an object is an index lookup per
// resource, never a list. Informer events are turned into work for the collector: an owner
// that goes makes its dependents candidates for deletion, a deletion that starts with the
// orphan or foregroundDeletion finalizer is acted on, a reference to an owner the caches do
// not hold (or hold in another namespace) is checked against the API.
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { objectKeyOf } from '../../client/informer.js';
import { resourceKey, type DiscoveredResource } from '../../client/discovery.js';
import type { SharedInformers } from '../runtime/informers.js';
import {
  deletingDependents,
  deletionStartsWithFinalizer,
  foregroundFinalizer,
  identityOf,
  orphanFinalizer,
  ownerReferencesOf,
  referenceMatches,
  referencesDiff,
  unblockedOwners,
  type AbsentOwnerCache,
  type ObjectIdentity,
} from './references.js';

/** The informer index of dependents by the uids of their owners. */
export const ownerIndex = 'garbagecollector/owner-uid';

/** Resources the collector leaves alone (upstream's DefaultIgnoredResources). */
const ignored = new Set(['/events', 'events.k8s.io/events']);

export interface Monitor {
  resource: DiscoveredResource;
  apiVersion: string;
  informer: Informer;
}

/** An object found in the caches, with the monitor that holds it. */
export interface Located {
  monitor: Monitor;
  obj: KubeObject;
  identity: ObjectIdentity;
}

/** What the graph asks of the collector. */
export interface GraphActions {
  attemptToDelete(uid: string): void;
  attemptToOrphan(uid: string): void;
  /** A dependent names an owner that lives in another namespace (upstream event OwnerRefInvalidNamespace). */
  invalidOwnerNamespace(dependent: Located, ref: OwnerReference): void;
}

/** Which discovered resources the collector watches: preferred versions that support list, watch and delete. */
export function deletableResources(resources: DiscoveredResource[]): DiscoveredResource[] {
  return resources.filter((r) => r.preferred && !ignored.has(`${r.group}/${r.plural}`) && ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)));
}

export class DependencyGraph {
  private readonly monitors = new Map<string, Monitor>();
  private readonly byUid = new Map<string, { monitor: Monitor; key: string }>();
  /** Set once every monitor has synced and the caches were checked: from then on, unknown owners are looked up at once. */
  private synced = false;

  constructor(
    private readonly informers: SharedInformers,
    private readonly actions: GraphActions,
    private readonly absentOwners: AbsentOwnerCache,
  ) {}

  /** Watch exactly these resources: start monitors for new ones, stop those no longer served. */
  syncMonitors(resources: DiscoveredResource[]): { added: number; removed: number } {
    const wanted = new Map(resources.map((r) => [resourceKey(r), r]));
    let added = 0;
    let removed = 0;
    for (const [key, monitor] of this.monitors) {
      if (wanted.has(key)) continue;
      this.monitors.delete(key);
      for (const obj of monitor.informer.list()) this.forget(obj);
      this.informers.remove(monitor.resource);
      removed++;
    }
    for (const [key, resource] of wanted) {
      if (this.monitors.has(key)) continue;
      this.monitors.set(key, this.monitor(resource));
      added++;
    }
    return { added, removed };
  }

  get monitoredResources(): DiscoveredResource[] {
    return [...this.monitors.values()].map((m) => m.resource);
  }

  monitorsSynced(): boolean {
    return [...this.monitors.values()].every((m) => m.informer.hasSynced);
  }

  /**
   * Called once the first monitors have synced: from now on a reference to an owner the
   * caches do not know is checked at once, and every object already cached is checked now.
   */
  markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const m of this.monitors.values()) for (const obj of m.informer.list()) this.checkOwners(this.located(m, obj), ownerReferencesOf(obj));
  }

  locate(uid: string): Located | undefined {
    const at = this.byUid.get(uid);
    const obj = at && at.monitor.informer.get(at.key);
    return obj && obj.metadata.uid === uid ? this.located(at.monitor, obj) : undefined;
  }

  /** Every cached object that names `uid` as an owner. */
  dependents(uid: string): Located[] {
    const out: Located[] = [];
    for (const m of this.monitors.values()) for (const obj of m.informer.byIndex(ownerIndex, uid)) out.push(this.located(m, obj));
    return out;
  }

  /** Dependents whose reference to `uid` blocks its foreground deletion. */
  blockingDependents(uid: string): Located[] {
    return this.dependents(uid).filter((d) => ownerReferencesOf(d.obj).some((r) => r.uid === uid && r.blockOwnerDeletion === true));
  }

  private located(monitor: Monitor, obj: KubeObject): Located {
    return { monitor, obj, identity: identityOf(obj, monitor.apiVersion, monitor.resource.kind) };
  }

  private monitor(resource: DiscoveredResource): Monitor {
    const informer = this.informers.get(resource);
    informer.addIndex(ownerIndex, (obj) => ownerReferencesOf(obj).map((r) => r.uid));
    const monitor: Monitor = { resource, apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version, informer };
    informer.on({
      add: (obj) => this.observed(monitor, undefined, obj),
      update: (old, obj) => {
        if (old.metadata.uid !== obj.metadata.uid) {
          // The same name now holds another object: the old one is gone.
          this.deleted(monitor, old);
          this.observed(monitor, undefined, obj);
        } else this.observed(monitor, old, obj);
      },
      delete: (obj) => this.deleted(monitor, obj),
    });
    // An informer another controller already started does not replay what it holds.
    if (informer.hasSynced) for (const obj of informer.list()) this.observed(monitor, undefined, obj);
    return monitor;
  }

  private observed(monitor: Monitor, old: KubeObject | undefined, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    this.byUid.set(uid, { monitor, key: objectKeyOf(obj) });
    const item = this.located(monitor, obj);
    const changes = referencesDiff(old ? ownerReferencesOf(old) : [], ownerReferencesOf(obj));
    for (const owner of unblockedOwners(changes)) if (this.isDeletingDependents(owner)) this.actions.attemptToDelete(owner);
    this.checkOwners(item, changes.added);
    if (!old) this.checkDependents(item);
    this.processTransitions(old, item);
  }

  private deleted(monitor: Monitor, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    this.forget(obj);
    const dependents = this.dependents(uid);
    if (dependents.length > 0) this.absentOwners.add(identityOf(obj, monitor.apiVersion, monitor.resource.kind));
    for (const d of dependents) this.actions.attemptToDelete(d.identity.uid);
    // An owner deleting in the foreground may have been waiting for this one.
    for (const ref of ownerReferencesOf(obj)) if (this.isDeletingDependents(ref.uid)) this.actions.attemptToDelete(ref.uid);
  }

  private forget(obj: KubeObject): void {
    const uid = obj.metadata.uid!;
    if (this.byUid.get(uid)?.key === objectKeyOf(obj)) this.byUid.delete(uid);
  }

  private isDeletingDependents(uid: string): boolean {
    const owner = this.locate(uid);
    return owner !== undefined && deletingDependents(owner.obj);
  }

  /**
   * A dependent with references to owners the caches do not hold, or hold under other
   * coordinates or in another namespace, is checked against the API (upstream's
   * addDependentToOwners). Before the first sync the caches are incomplete: markSynced checks then.
   */
  private checkOwners(item: Located, refs: OwnerReference[]): void {
    if (!this.synced || refs.length === 0) return;
    let suspect = false;
    for (const ref of refs) {
      const owner = this.locate(ref.uid);
      if (!owner) {
        suspect = true;
        continue;
      }
      if (owner.identity.namespace && owner.identity.namespace !== item.identity.namespace) {
        this.actions.invalidOwnerNamespace(item, ref);
        suspect = true;
      } else if (!referenceMatches(ref, owner.identity)) suspect = true;
    }
    if (suspect) this.actions.attemptToDelete(item.identity.uid);
  }

  /** An object seen for the first time may be what earlier dependents named in the wrong namespace or by the wrong name. */
  private checkDependents(owner: Located): void {
    for (const dep of this.dependents(owner.identity.uid)) {
      const ref = ownerReferencesOf(dep.obj).find((r) => r.uid === owner.identity.uid)!;
      if (owner.identity.namespace && dep.identity.namespace !== owner.identity.namespace) {
        this.actions.invalidOwnerNamespace(dep, ref);
        this.actions.attemptToDelete(dep.identity.uid);
      } else if (!referenceMatches(ref, owner.identity)) this.actions.attemptToDelete(dep.identity.uid);
    }
  }

  private processTransitions(old: KubeObject | undefined, item: Located): void {
    if (deletionStartsWithFinalizer(old, item.obj, orphanFinalizer)) {
      this.actions.attemptToOrphan(item.identity.uid);
      return;
    }
    if (deletionStartsWithFinalizer(old, item.obj, foregroundFinalizer)) {
      for (const dep of this.dependents(item.identity.uid)) this.actions.attemptToDelete(dep.identity.uid);
      this.actions.attemptToDelete(item.identity.uid);
    }
  }
}
