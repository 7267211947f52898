// One pass over a StatefulSet (upstream defaultStatefulSetControl): find the current and update
// revisions, then bring the Pods in line. With OrderedReady ("monotonic") management each step
// waits for the previous one — Pod N+1 is created only once Pods 0..N are Running and
// available, Pods beyond the replica count are deleted highest ordinal first, one at a time,
// and a pass stops at the first Pod that is not there yet. Parallel management creates and
// deletes without waiting. A RollingUpdate then deletes Pods not at the update revision from
// the highest ordinal down to the partition, at most maxUnavailable at a time; the core loop
// recreates them at the update revision on a later pass.
import type { KubeObject } from '../../api/types.js';
import type { ControllerHistory } from '../history/history.js';
import { applyRevision, equalRevision, nextRevision, templatePatch, type ControllerRevision } from '../history/revision.js';
import { scaledValue } from '../runtime/intstr.js';
import { controllerRef } from '../runtime/owners.js';
import { isPodAvailable, isPodReady, isTerminating, podPhase } from '../runtime/pods.js';
import { endOrdinal, inOrdinalRange, newVersionedPod, ordinalOf, podRevision, replicasOf, startOrdinal } from './identity.js';
import type { StatefulPodControl } from './podcontrol.js';

export interface StatefulSetStatus {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

export interface Revisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

const runningAndReady = (pod: KubeObject) => podPhase(pod) === 'Running' && isPodReady(pod);
const created = (pod: KubeObject) => podPhase(pod) !== '';

export class StatefulSetControl {
  constructor(
    private readonly podControl: StatefulPodControl,
    private readonly history: ControllerHistory,
    private readonly now: () => number,
  ) {}

  private available(pod: KubeObject, set: KubeObject): boolean {
    return runningAndReady(pod) && isPodAvailable(pod, Number((set.spec as any)?.minReadySeconds ?? 0), this.now());
  }

  private unavailable(pod: KubeObject, set: KubeObject): boolean {
    return !runningAndReady(pod) || isTerminating(pod) || !this.available(pod, set);
  }

  /**
   * The update revision is the set's template now: an existing revision equal to the newest is
   * reused, an equal older one (a rollback) is renumbered newest, otherwise a new one is made.
   * The current revision is the one status names, or the update revision for a new set.
   */
  async revisions(set: KubeObject, sorted: ControllerRevision[]): Promise<Revisions> {
    const collision = { count: Number((set.status as any)?.collisionCount ?? 0) };
    const data = templatePatch(set);
    const probe: ControllerRevision = { metadata: {}, data, revision: nextRevision(sorted) };
    const equal = sorted.filter((r) => equalRevision(r, probe));
    let update: ControllerRevision;
    if (equal.length && equalRevision(sorted[sorted.length - 1], equal[equal.length - 1])) update = sorted[sorted.length - 1];
    else if (equal.length) update = await this.history.renumber(equal[equal.length - 1], probe.revision);
    else {
      update = await this.history.create(
        {
          parent: set,
          controllerRef: controllerRef(set, 'apps/v1', 'StatefulSet'),
          templateLabels: (set.spec as any)?.template?.metadata?.labels,
          data,
          revision: probe.revision,
          annotations: set.metadata.annotations,
        },
        collision,
      );
    }
    const currentName = (set.status as any)?.currentRevision;
    const current = sorted.find((r) => r.metadata.name === currentName) ?? update;
    return { current, update, collisionCount: collision.count };
  }

  /** Delete revisions no Pod runs, oldest first, beyond revisionHistoryLimit (upstream truncateHistory). */
  async truncateHistory(set: KubeObject, pods: KubeObject[], sorted: ControllerRevision[], revs: Revisions | undefined): Promise<void> {
    const live = new Set<string>(pods.map(podRevision));
    if (revs) {
      live.add(revs.current.metadata.name!);
      live.add(revs.update.metadata.name!);
    }
    const old = sorted.filter((r) => !live.has(r.metadata.name!));
    const limit = Number((set.spec as any)?.revisionHistoryLimit ?? 10);
    if (limit < 0 || old.length <= limit) return;
    for (const rev of old.slice(0, old.length - limit)) await this.history.delete(rev);
  }

  /** Bring the Pods in line with the set; returns the status to record (also when a step fails, with the error). */
  async update(set: KubeObject, revs: Revisions, pods: KubeObject[]): Promise<{ status: StatefulSetStatus; error?: unknown }> {
    const currentSet = applyRevision(set, revs.current, 'V1StatefulSet');
    const updateSet = applyRevision(set, revs.update, 'V1StatefulSet');
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation ?? 0,
      replicas: 0,
      readyReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      availableReplicas: 0,
      currentRevision: revs.current.metadata.name!,
      updateRevision: revs.update.metadata.name!,
      collisionCount: revs.collisionCount,
    };
    this.count(status, set, revs, pods);

    const start = startOrdinal(set);
    const replicas: Array<KubeObject | undefined> = new Array(replicasOf(set)).fill(undefined);
    const condemned: KubeObject[] = [];
    for (const pod of pods) {
      if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
      else if (ordinalOf(pod) >= 0) condemned.push(pod);
    }
    const ref = controllerRef(set, 'apps/v1', 'StatefulSet');
    // Missing ordinals become Pods to create, at the revision their ordinal gets.
    for (let ord = start; ord <= endOrdinal(set); ord++) {
      replicas[ord - start] ??= newVersionedPod(currentSet, updateSet, revs.current.metadata.name!, revs.update.metadata.name!, ord, ref);
    }
    const live = replicas as KubeObject[];
    condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
    const firstUnhealthy = live.find((p) => this.unavailable(p, set)) ?? [...condemned].reverse().find((p) => this.unavailable(p, set));

    if (set.metadata.deletionTimestamp) return { status };
    const monotonic = (set.spec as any)?.podManagementPolicy !== 'Parallel';
    const finish = (error?: unknown) => {
      this.count(status, set, revs, [...live.filter(created), ...condemned]);
      return { status, error };
    };

    try {
      if (await this.runForAll(live, (i) => this.processReplica(set, updateSet, monotonic, live, i), monotonic)) return finish();
      const fixClaims = async (i: number) => {
        if (!this.podControl.claimsMatchRetention(updateSet, condemned[i])) await this.podControl.updateClaimsForRetention(updateSet, condemned[i]);
        return false;
      };
      if (await this.runForAll(condemned, fixClaims, monotonic)) return finish();
      if (await this.runForAll(condemned, (i) => this.processCondemned(set, firstUnhealthy, monotonic, condemned, i), monotonic)) return finish();
    } catch (err) {
      return finish(err);
    }
    finish();
    if ((set.spec as any)?.updateStrategy?.type === 'OnDelete') return { status };
    try {
      await this.rollingUpdate(set, live, revs.update, status);
    } catch (err) {
      return { status, error: err };
    }
    return { status };
  }

  /**
   * The rolling update (upstream updateStatefulSetAfterInvariantEstablished): with fewer than
   * maxUnavailable Pods unavailable, delete the difference, highest ordinal first, among Pods at
   * or above the partition that are not at the update revision.
   *
   * 5 replicas, partition 2, maxUnavailable 1, all at the old revision and available: kv-4 is
   * deleted; while its replacement is not available nothing else happens; then kv-3; then the
   * update stops, leaving kv-0..kv-2 at the old revision until the partition is lowered.
   */
  private async rollingUpdate(set: KubeObject, replicas: KubeObject[], update: ControllerRevision, status: StatefulSetStatus): Promise<void> {
    const ru = (set.spec as any)?.updateStrategy?.rollingUpdate;
    const partition = Number(ru?.partition ?? 0);
    const maxUnavailable = Math.max(1, scaledValue(ru?.maxUnavailable ?? 1, replicas.length, false));
    const unavailable = replicas.filter((p) => this.unavailable(p, set)).length;
    if (unavailable >= maxUnavailable) return;
    let toDelete = maxUnavailable - unavailable;
    for (let target = replicas.length - 1; target >= partition && toDelete > 0; target--) {
      const pod = replicas[target];
      if (podRevision(pod) === update.metadata.name || isTerminating(pod)) continue;
      await this.podControl.deletePod(set, pod).catch((err) => {
        if (!(err?.code === 404)) throw err;
      });
      toDelete--;
      status.currentReplicas--;
    }
  }

  /** Returns true when the pass must stop here (monotonic), after creating, replacing or waiting for this Pod. */
  private async processReplica(set: KubeObject, updateSet: KubeObject, monotonic: boolean, replicas: KubeObject[], i: number): Promise<boolean> {
    const pod = replicas[i];
    const phase = podPhase(pod);
    // A Pod that ran to completion, or was stopped (evicted, node shut down), is replaced.
    if (phase === 'Failed' || phase === 'Succeeded') {
      if (!pod.metadata.deletionTimestamp) await this.podControl.deletePod(set, pod);
      return true;
    }
    if (!created(pod)) {
      if (this.podControl.claimIsStale(set, pod)) return true;
      await this.podControl.createPod(set, pod);
      if (monotonic) return true;
    }
    if (phase === 'Pending') await this.podControl.createMissingClaims(set, pod);
    if (isTerminating(pod) && monotonic) return true;
    if (!runningAndReady(pod) && monotonic) return true;
    if (!this.available(pod, set) && monotonic) return true;
    if (!created(pod)) return false;
    await this.podControl.updatePod(updateSet, pod);
    return false;
  }

  private async processCondemned(set: KubeObject, firstUnhealthy: KubeObject | undefined, monotonic: boolean, condemned: KubeObject[], i: number): Promise<boolean> {
    const pod = condemned[i];
    if (isTerminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnhealthy && (!runningAndReady(pod) || !this.available(pod, set))) return true;
    await this.podControl.deletePod(set, pod);
    return true;
  }

  /**
   * Monotonic: one after another, stopping at the first that asks to. Parallel: all of them, in
   * slow-start batches that stop at the first failure.
   */
  private async runForAll(pods: KubeObject[], fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
    if (monotonic) {
      for (let i = 0; i < pods.length; i++) if (await fn(i)) return true;
      return false;
    }
    let i = 0;
    for (let batch = Math.min(1, pods.length); i < pods.length; batch = Math.min(2 * batch, pods.length - i, 500)) {
      const results = await Promise.allSettled(Array.from({ length: batch }, (_, k) => fn(i + k)));
      i += batch;
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    return false;
  }

  /** Replica counts over the Pods (upstream updateStatus). */
  private count(status: StatefulSetStatus, set: KubeObject, revs: Revisions, pods: KubeObject[]): void {
    status.replicas = status.readyReplicas = status.availableReplicas = status.currentReplicas = status.updatedReplicas = 0;
    for (const pod of pods) {
      if (created(pod)) status.replicas++;
      if (runningAndReady(pod)) {
        status.readyReplicas++;
        if (this.available(pod, set)) status.availableReplicas++;
      }
      if (created(pod) && !isTerminating(pod)) {
        const rev = podRevision(pod);
        if (rev === revs.current.metadata.name) status.currentReplicas++;
        if (rev === revs.update.metadata.name) status.updatedReplicas++;
      }
    }
  }
}

/**
 * Once every replica is updated and ready, the update revision becomes the current one
 * (upstream completeRollingUpdate).
 */
export function completeRollingUpdate(set: KubeObject, status: StatefulSetStatus): void {
  const replicas = replicasOf(set);
  if ((set.spec as any)?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}
