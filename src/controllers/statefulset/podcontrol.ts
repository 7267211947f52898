// Creating, updating and deleting a StatefulSet's Pods and claims (upstream StatefulPodControl),
// with the events upstream records: claims are created before their Pod, a Pod's identity and
// storage are restored if something changed them, and claim owner references follow the
// retention policy.
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { core, type ApiClient } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { claimsFor, identityMatches, ordinalOf, storageMatches, updateIdentity, updateStorage } from './identity.js';
import { claimOwnerMatches, hasStaleOwnerRef, retentionPolicy, updateClaimOwnerRefs } from './retention.js';

export class StatefulPodControl {
  constructor(
    private readonly client: ApiClient,
    private readonly claims: Informer,
    private readonly events: EventRecorder,
  ) {}

  private claim(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }

  /** Claims first, then the Pod, then the claims' owner references (the Pod's uid exists only now). */
  async createPod(set: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.createClaims(set, pod);
    } catch (err) {
      this.podEvent('create', set, pod, err);
      throw err;
    }
    let created: KubeObject;
    try {
      created = await this.client.create(core('pods', pod.metadata.namespace), pod);
    } catch (err) {
      // The cache is behind: the Pod is there already. Nothing to report.
      if (err instanceof ApiError && err.reason === 'AlreadyExists') throw err;
      this.podEvent('create', set, pod, err);
      throw err;
    }
    try {
      await this.updateClaimsForRetention(set, created);
    } catch (err) {
      this.podEvent('update', set, created, err);
      throw err;
    }
    this.podEvent('create', set, pod);
  }

  /** Restore identity and storage, and fix claim owner references (upstream UpdateStatefulPod). */
  async updatePod(set: KubeObject, pod: KubeObject): Promise<void> {
    let consistent = true;
    const next = structuredClone(pod);
    try {
      if (!identityMatches(set, next)) {
        updateIdentity(set, next);
        consistent = false;
      }
      if (!storageMatches(set, next)) {
        updateStorage(set, next);
        consistent = false;
        await this.createClaims(set, next);
      }
      if (!this.claimsMatchRetention(set, next)) {
        await this.updateClaimsForRetention(set, next);
        consistent = false;
      }
      if (consistent) return;
      await this.client.update(core('pods', next.metadata.namespace), next);
    } catch (err) {
      this.podEvent('update', set, next, err);
      throw err;
    }
    this.podEvent('update', set, next);
  }

  async deletePod(set: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.client.delete(core('pods', pod.metadata.namespace), pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      this.podEvent('delete', set, pod, err);
      throw err;
    }
    this.podEvent('delete', set, pod);
  }

  /** Claims missing for a Pod that exists but is still Pending (someone deleted one), created again. */
  async createMissingClaims(set: KubeObject, pod: KubeObject): Promise<void> {
    await this.createClaims(set, pod);
    try {
      await this.updateClaimsForRetention(set, pod);
    } catch (err) {
      this.podEvent('update', set, pod, err);
      throw err;
    }
  }

  /** Whether each existing claim's owner references follow the retention policy. */
  claimsMatchRetention(set: KubeObject, pod: KubeObject): boolean {
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const existing = this.claim(claim.metadata.namespace, claim.metadata.name!);
      if (existing && !claimOwnerMatches(existing, set, pod)) return false;
    }
    return true;
  }

  async updateClaimsForRetention(set: KubeObject, pod: KubeObject): Promise<void> {
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const existing = this.claim(claim.metadata.namespace, claim.metadata.name!);
      if (!existing || claimOwnerMatches(existing, set, pod)) continue;
      const next = structuredClone(existing);
      if (!updateClaimOwnerRefs(next, set, pod)) continue;
      try {
        await this.client.update(core('persistentvolumeclaims', next.metadata.namespace), next);
      } catch (err) {
        throw new Error(`Could not update claim ${next.metadata.name} for delete policy ownerRefs: ${(err as Error).message}`);
      }
    }
  }

  /**
   * With whenScaled Delete, a claim still owned by an earlier Pod of the same name is on its way
   * out; the new Pod must wait for it rather than mount it (upstream PodClaimIsStale).
   */
  claimIsStale(set: KubeObject, pod: KubeObject): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const existing = this.claim(claim.metadata.namespace, claim.metadata.name!);
      if (existing && hasStaleOwnerRef(existing, pod)) return true;
    }
    return false;
  }

  private async createClaims(set: KubeObject, pod: KubeObject): Promise<void> {
    const errors: string[] = [];
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const existing = this.claim(claim.metadata.namespace, claim.metadata.name!);
      if (existing) {
        if (existing.metadata.deletionTimestamp) errors.push(`pvc ${claim.metadata.name} is being deleted`);
        continue;
      }
      try {
        await this.client.create(core('persistentvolumeclaims', claim.metadata.namespace), claim);
        this.claimEvent(set, pod, claim);
      } catch (err) {
        // Already there: the claims cache is behind, the claim is what we wanted.
        if (err instanceof ApiError && err.reason === 'AlreadyExists') continue;
        this.claimEvent(set, pod, claim, err);
        errors.push(`failed to create PVC ${claim.metadata.name}: ${(err as Error).message}`);
      }
    }
    if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  }

  private podEvent(verb: string, set: KubeObject, pod: KubeObject, err?: unknown): void {
    const reason = `${err ? 'Failed' : 'Successful'}${verb[0].toUpperCase()}${verb.slice(1)}`;
    if (err) this.events.record(set, 'Warning', reason, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
    else this.events.record(set, 'Normal', reason, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  private claimEvent(set: KubeObject, pod: KubeObject, claim: KubeObject, err?: unknown): void {
    if (err) this.events.record(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
    else this.events.record(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
  }
}
