// The status conditions a terminating namespace carries (upstream's namespaceConditionUpdater):
// five condition types, each True with the reason things are stuck, or False with the
// "all is well" reason and message. Pure: built from what one deletion pass found.

export type NamespaceConditionType =
  | 'NamespaceDeletionDiscoveryFailure'
  | 'NamespaceDeletionGroupVersionParsingFailure'
  | 'NamespaceDeletionContentFailure'
  | 'NamespaceContentRemaining'
  | 'NamespaceFinalizersRemaining';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The condition types the namespace controller maintains, in the order it writes them. */
export const conditionTypes: NamespaceConditionType[] = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
];

const okConditions: Record<NamespaceConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What remains in a namespace after a pass: instances per resource ("pods." or "deployments.apps") and per finalizer. */
export interface ContentTotals {
  remainingByResource: Map<string, number>;
  remainingByFinalizer: Map<string, number>;
}

export class NamespaceConditionUpdater {
  private readonly conditions: NamespaceCondition[] = [];
  private readonly contentErrors: string[] = [];

  constructor(private readonly now: string) {}

  /** Some group versions could not be discovered: `failed` maps "group/version" to why. */
  discoveryFailed(failed: Map<string, Error>): void {
    const groups = [...failed].map(([gv, err]) => `${gv}: ${err.message}`).sort();
    this.add('NamespaceDeletionDiscoveryFailure', 'DiscoveryFailed', `Discovery failed for some groups, ${failed.size} failing: unable to retrieve the complete list of server APIs: ${groups.join(', ')}`);
  }

  /** Discovery failed as a whole (the server did not answer /api or /apis). */
  discoveryError(err: Error): void {
    this.add('NamespaceDeletionDiscoveryFailure', 'DiscoveryFailed', err.message);
  }

  deleteContentFailed(err: Error): void {
    this.contentErrors.push(err.message);
  }

  contentTotals(totals: ContentTotals): void {
    const resources = [...totals.remainingByResource].filter(([, n]) => n > 0).map(([r, n]) => `${r} has ${n} resource instances`).sort();
    if (totals.remainingByResource.size > 0) this.add('NamespaceContentRemaining', 'SomeResourcesRemain', `Some resources are remaining: ${resources.join(', ')}`);
    const finalizers = [...totals.remainingByFinalizer].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
    if (totals.remainingByFinalizer.size > 0) this.add('NamespaceFinalizersRemaining', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`);
  }

  /** Merge into `existing` (kept in place, other types untouched); true when anything changed. */
  update(existing: NamespaceCondition[]): boolean {
    if (this.contentErrors.length > 0 && !this.conditions.some((c) => c.type === 'NamespaceDeletionContentFailure')) {
      const msgs = [...this.contentErrors].sort();
      this.add('NamespaceDeletionContentFailure', 'ContentDeletionFailed', `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`);
    }
    let changed = false;
    for (const type of conditionTypes) {
      const wanted = this.conditions.find((c) => c.type === type) ?? { type, status: 'False' as const, lastTransitionTime: this.now, ...okConditions[type] };
      const old = existing.find((c) => c.type === type);
      if (!old) {
        existing.push(wanted);
        changed = true;
      } else if (old.status !== wanted.status || old.reason !== wanted.reason || old.message !== wanted.message) {
        if (old.status !== wanted.status) old.lastTransitionTime = this.now;
        old.status = wanted.status;
        old.reason = wanted.reason;
        old.message = wanted.message;
        changed = true;
      }
    }
    return changed;
  }

  private add(type: NamespaceConditionType, reason: string, message: string): void {
    this.conditions.push({ type, status: 'True', lastTransitionTime: this.now, reason, message });
  }
}
