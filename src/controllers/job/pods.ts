// The Pods of a Job: the tracking finalizer that keeps a finished Pod until the Job has
// counted it, which Pods count as failed, and the Pod a Job creates from its template.
import type { KubeObject } from '../../api/types.js';
import { controllerRef } from '../runtime/owners.js';
import { isPodTerminal, type Pod } from '../runtime/pods.js';
import type { Job } from './conditions.js';
import { completionIndexEnv, completionIndexKey } from './indexed.js';

export const trackingFinalizer = 'batch.kubernetes.io/job-tracking';

export function hasTrackingFinalizer(pod: Pod): boolean {
  return (pod.metadata.finalizers ?? []).includes(trackingFinalizer);
}

/** podReplacementPolicy Failed (implied by a podFailurePolicy): replace a Pod only once it has failed. */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || Boolean(job.spec.podFailurePolicy);
}

/**
 * A failed Pod, or (unless only failed Pods are replaced) one deleted before it succeeded:
 * an orphan that never reaches a terminal phase must still count.
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(pod.metadata.deletionTimestamp) && pod.status?.phase !== 'Succeeded';
}

export { isPodTerminal };

/** The Pod a Job creates (upstream GetPodFromTemplate plus the Job's additions). */
export function podFromTemplate(job: Job, index?: number): KubeObject {
  const template = structuredClone(job.spec.template ?? {});
  const meta = template.metadata ?? {};
  const spec = template.spec ?? {};
  const labels: Record<string, string> = { ...(meta.labels ?? {}) };
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
  const finalizers: string[] = [...(meta.finalizers ?? [])];
  if (!finalizers.includes(trackingFinalizer)) finalizers.push(trackingFinalizer);
  let generateName = `${job.metadata.name}-`;
  if (index !== undefined) {
    annotations[completionIndexKey] = String(index);
    labels[completionIndexKey] = String(index);
    spec.hostname = `${job.metadata.name}-${index}`;
    generateName = `${job.metadata.name}-${index}-`;
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      const env: any[] = c.env ?? [];
      if (!env.some((e) => e.name === completionIndexEnv)) {
        env.push({ name: completionIndexEnv, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${completionIndexKey}']` } } });
      }
      c.env = env;
    }
  }
  const metadata: KubeObject['metadata'] = {
    generateName,
    namespace: job.metadata.namespace,
    labels,
    finalizers,
    ownerReferences: [controllerRef(job, 'batch/v1', 'Job')],
  };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
