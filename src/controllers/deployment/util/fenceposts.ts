// How many Pods a rolling update may add above, or take below, the desired count: maxSurge and
// maxUnavailable resolved against spec.replicas (upstream ResolveFenceposts). Percentages of
// surge round up and of unavailability round down, so both err towards availability; if both
// come out 0 (say 25% of 3 replicas unavailable, 0 surge: floor(0.75) = 0) one Pod may be
// unavailable, or the rollout could never move.
import { desiredReplicas, type Deployment, type IntOrPercent } from '../types.js';

/** An int-or-percent against a total (upstream GetScaledValueFromIntOrPercent; unset is 0); undefined if malformed. */
export function scaledValue(value: IntOrPercent | undefined, total: number, roundUp: boolean): number | undefined {
  if (value === undefined) return 0;
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string' || !/^[+-]?\d+%$/.test(value)) return undefined;
  const scaled = (Number(value.slice(0, -1)) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export function resolveFenceposts(maxSurge: IntOrPercent | undefined, maxUnavailable: IntOrPercent | undefined, desired: number): { surge: number; unavailable: number } | undefined {
  const surge = scaledValue(maxSurge, desired, true);
  const unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === undefined || unavailable === undefined) return undefined;
  if (surge === 0 && unavailable === 0) return { surge, unavailable: 1 };
  return { surge, unavailable };
}

export const isRollingUpdate = (d: Deployment): boolean => d.spec.strategy?.type === 'RollingUpdate';

function fenceposts(d: Deployment) {
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d));
}

/** Pods allowed above spec.replicas during a rolling update (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return fenceposts(d)?.surge ?? 0;
}

/** Pods allowed to be unavailable during a rolling update, never more than spec.replicas (0 for Recreate). */
export function maxUnavailable(d: Deployment): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(fenceposts(d)?.unavailable ?? 0, desired);
}

/** Pods that must stay available during a rolling update. */
export function minAvailable(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return desiredReplicas(d) - maxUnavailable(d);
}
