// A Deployment's conditions and what they say about a rollout (upstream deployment_util):
// Available (enough Pods for minAvailable), Progressing (the new ReplicaSet is being created,
// scaled, done, paused, or stuck past progressDeadlineSeconds) and ReplicaFailure (copied from
// a ReplicaSet that cannot create Pods).
import type { ReplicaSetCondition } from '../../replicaset/types.js';
import { desiredReplicas, type Deployment, type DeploymentCondition, type DeploymentStatus } from '../types.js';

export const available = 'Available';
export const progressing = 'Progressing';
export const replicaFailure = 'ReplicaFailure';

/** Reasons, as upstream spells them. */
export const reasons = {
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  replicaSetCreateError: 'ReplicaSetCreateError',
  deploymentPaused: 'DeploymentPaused',
  deploymentResumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, nowMs: number): DeploymentCondition {
  const t = rfc3339(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Set a condition (upstream SetDeploymentCondition): nothing changes if status and reason are
 * the same; a change of reason alone keeps lastTransitionTime.
 */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

export function fromReplicaSetCondition(c: ReplicaSetCondition): DeploymentCondition {
  return { type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}

/** progressDeadlineSeconds is set (upstream treats MaxInt32 as unset). */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2 ** 31 - 1;
}

/** Every desired Pod is updated and available, and nothing older is left. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Something moved since the last status: more updated, ready or available Pods, or fewer old ones. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const n = (v: number | undefined) => v ?? 0;
  const oldOld = n(old.replicas) - n(old.updatedReplicas);
  const newOld = n(s.replicas) - n(s.updatedReplicas);
  return n(s.updatedReplicas) > n(old.updatedReplicas) || newOld < oldOld || n(s.readyReplicas) > n(old.readyReplicas) || n(s.availableReplicas) > n(old.availableReplicas);
}

/** The Progressing condition has not moved for progressDeadlineSeconds. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, progressing);
  if (!c) return false;
  if (c.reason === reasons.newReplicaSetAvailable) return false;
  if (c.reason === reasons.progressDeadlineExceeded) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + d.spec.progressDeadlineSeconds! * 1000 < nowMs;
}
