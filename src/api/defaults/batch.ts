// Defaults for batch/v1 Jobs and CronJobs, and the selector and labels the API server generates
// for a Job that does not choose its own.
import type { KubeObject } from '../types.js';
import { ensureObject, setDefault, type Obj } from './common.js';
import { defaultPodTemplateSpec } from './pod.js';
import { CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from '../validation/batch.js';

const MAX_INT32 = 2147483647;

export function defaultJob(job: KubeObject): void {
  const s = ensureObject(job, 'spec');
  // A non-parallel Job may leave both unset; then both are 1.
  if (s.completions == null && s.parallelism == null) {
    s.completions = 1;
    s.parallelism = 1;
  }
  setDefault(s, 'parallelism', 1);
  if (s.backoffLimit == null) s.backoffLimit = s.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  const templateLabels = (s.template as Obj | undefined)?.metadata?.labels;
  if (templateLabels && Object.keys(job.metadata?.labels ?? {}).length === 0) {
    job.metadata = { ...job.metadata, labels: { ...templateLabels } };
  }
  if (!s.completionMode) s.completionMode = 'NonIndexed';
  setDefault(s, 'suspend', false);
  if (s.podFailurePolicy) {
    for (const rule of Array.isArray(s.podFailurePolicy.rules) ? s.podFailurePolicy.rules : []) {
      for (const c of Array.isArray(rule?.onPodConditions) ? rule.onPodConditions : []) if (c && !c.status) c.status = 'True';
    }
  }
  if (!s.podReplacementPolicy) s.podReplacementPolicy = s.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  setDefault(s, 'manualSelector', false);
  defaultPodTemplateSpec(s.template);
}

export function defaultCronJob(cj: KubeObject): void {
  const s = ensureObject(cj, 'spec');
  if (!s.concurrencyPolicy) s.concurrencyPolicy = 'Allow';
  setDefault(s, 'suspend', false);
  setDefault(s, 'successfulJobsHistoryLimit', 3);
  setDefault(s, 'failedJobsHistoryLimit', 1);
  const jobSpec = (s.jobTemplate as Obj | undefined)?.spec;
  if (jobSpec) defaultPodTemplateSpec(jobSpec.template);
}

/**
 * What the API server does to a new Job whose manualSelector is not true: label its pod template
 * with the Job's name and uid (prefixed and legacy keys) and select on the uid. Needs
 * metadata.uid, so run it once the uid is assigned and before validation.
 */
export function generateJobSelector(job: KubeObject): void {
  const s = ensureObject(job, 'spec');
  if (s.manualSelector === true) return;
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  const template = ensureObject(s, 'template');
  const labels = ensureObject(ensureObject(template, 'metadata'), 'labels');
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) setDefault(labels, key, name);
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) setDefault(labels, key, uid);
  const matchLabels = ensureObject(ensureObject(s, 'selector'), 'matchLabels');
  setDefault(matchLabels, CONTROLLER_UID_LABEL, uid);
}
