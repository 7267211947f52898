// A ReplicaSet's status from its active Pods (upstream calculateStatus): how many exist, carry
// every template label, are Ready, and have been Ready for minReadySeconds; and the
// ReplicaFailure condition while creating or deleting Pods fails.
import { fromLabelSelector, matches } from '../../api/labels.js';
import { isPodAvailable, isPodReady, type Pod } from '../runtime/pods.js';
import { specReplicas, type ReplicaSet, type ReplicaSetCondition, type ReplicaSetStatus } from './types.js';

export const replicaFailure = 'ReplicaFailure';

export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function calculateStatus(rs: ReplicaSet, activePods: Pod[], manageError: Error | undefined, nowMs: number): ReplicaSetStatus {
  const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
  const templateSelector = fromLabelSelector({ matchLabels: rs.spec.template.metadata?.labels ?? {} });
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of activePods) {
    if (matches(templateSelector, pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, rs.spec.minReadySeconds ?? 0, nowMs)) available++;
    }
  }
  const failure = status.conditions?.find((c) => c.type === replicaFailure);
  if (manageError && !failure) {
    const diff = activePods.length - specReplicas(rs);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: ReplicaSetCondition = { type: replicaFailure, status: 'True', lastTransitionTime: rfc3339(nowMs), reason, message: manageError.message };
    status.conditions = [...(status.conditions ?? []), cond];
  } else if (!manageError && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== replicaFailure);
    if (status.conditions.length === 0) delete status.conditions;
  }
  // Zero counts other than replicas are left out, as upstream's JSON (omitempty) leaves them out.
  status.replicas = activePods.length;
  const counts = { fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, availableReplicas: available };
  for (const [k, v] of Object.entries(counts) as Array<[keyof typeof counts, number]>) {
    if (v) status[k] = v;
    else delete status[k];
  }
  return status;
}

/** Whether a status write is needed: counts, conditions, or a generation not yet observed. */
export function statusChanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  const n = (v: number | undefined) => v ?? 0;
  return (
    n(cur.replicas) !== n(next.replicas) ||
    n(cur.fullyLabeledReplicas) !== n(next.fullyLabeledReplicas) ||
    n(cur.readyReplicas) !== n(next.readyReplicas) ||
    n(cur.availableReplicas) !== n(next.availableReplicas) ||
    (rs.metadata.generation ?? 0) !== n(cur.observedGeneration) ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
