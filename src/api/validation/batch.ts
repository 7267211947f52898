// batch/v1 Job and CronJob: completions and parallelism, the generated selector, pod failure and
// success policies, restart policy of the template, cron schedules and time zones, and the few
// spec fields a Job update may change.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import {
  arr, clone, compileSelector, deepEqual, has, immutable, invalid, nonNegative, notSupported, obj, required, str, tooMany, validateLabelSelector, type Obj,
} from './common.js';
import { cronScheduleError, isValidTimeZone } from './cron.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Label, isDomainPrefixedPath, isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';
import { validatePodTemplateSpec } from './pod.js';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

const MAX_PARALLELISM_INDEXED = 100000;
const MAX_FAILED_INDEXES = 100000;
const COMPLETIONS_SOFT_LIMIT = 100000;
const PARALLELISM_LIMIT_HIGH_COMPLETIONS = 10000;
const MAX_FAILED_INDEXES_HIGH_COMPLETIONS = 10000;
const MAX_POD_FAILURE_POLICY_RULES = 20;
const POD_FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

function hasLabel(labels: Obj, key: string, expected: string, path: FieldPath): FieldError[] {
  if (!(key in labels)) return [required(path.child('labels').key(key), `must be '${expected}'`)];
  if (labels[key] !== expected) return [invalid(path.child('labels').key(key), labels, `must be '${expected}'`)];
  return [];
}

/** When the selector was generated, the template must carry the generated labels and the selector must pick them. */
function validateGeneratedSelector(job: KubeObject, requirePrefixedLabels: boolean): FieldError[] {
  const s = obj(job.spec);
  if (s.manualSelector === true || !isObject(s.selector)) return [];
  const errs: FieldError[] = [];
  const uid = str(job.metadata?.uid);
  const name = str(job.metadata?.name);
  if (!uid) errs.push(required(FieldPath.of('metadata', 'uid')));
  const templateMeta = FieldPath.of('spec', 'template', 'metadata');
  const labels = obj(obj(obj(s.template).metadata).labels);
  errs.push(...hasLabel(labels, LEGACY_CONTROLLER_UID_LABEL, uid, templateMeta));
  errs.push(...hasLabel(labels, LEGACY_JOB_NAME_LABEL, name, templateMeta));
  const expected: Record<string, string> = { [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
  if (requirePrefixedLabels) {
    errs.push(...hasLabel(labels, CONTROLLER_UID_LABEL, uid, templateMeta));
    errs.push(...hasLabel(labels, JOB_NAME_LABEL, name, templateMeta));
    expected[CONTROLLER_UID_LABEL] = uid;
    expected[JOB_NAME_LABEL] = name;
  }
  const selector = compileSelector(s.selector);
  if (!(selector instanceof Error) && !selector.matches(expected)) errs.push(invalid(FieldPath.of('spec', 'selector'), s.selector, '`selector` not auto-generated'));
  return errs;
}

function validatePodFailurePolicy(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rules = arr(obj(s.podFailurePolicy).rules).map(obj);
  const rulesPath = path.child('rules');
  if (rules.length > MAX_POD_FAILURE_POLICY_RULES) errs.push(tooMany(rulesPath, rules.length, MAX_POD_FAILURE_POLICY_RULES));
  const templateSpec = obj(obj(s.template).spec);
  const containerNames = new Set([...arr(templateSpec.containers), ...arr(templateSpec.initContainers)].map((c) => str(obj(c).name)));
  rules.forEach((rule, i) => {
    const p = rulesPath.index(i);
    if (!rule.action) errs.push(required(p.child('action'), `valid values: ["${POD_FAILURE_ACTIONS.join('" "')}"]`));
    else if (rule.action === 'FailIndex') {
      if (!has(s, 'backoffLimitPerIndex')) errs.push(invalid(p.child('action'), rule.action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!POD_FAILURE_ACTIONS.includes(rule.action)) errs.push(notSupported(p.child('action'), rule.action, POD_FAILURE_ACTIONS));
    const conditions = arr(rule.onPodConditions).map(obj);
    if (isObject(rule.onExitCodes)) {
      const ec = rule.onExitCodes;
      const ep = p.child('onExitCodes');
      if (!ec.operator) errs.push(required(ep.child('operator'), 'valid values: ["In" "NotIn"]'));
      else if (!['In', 'NotIn'].includes(ec.operator)) errs.push(notSupported(ep.child('operator'), ec.operator, ['In', 'NotIn']));
      if (has(ec, 'containerName') && !containerNames.has(ec.containerName)) errs.push(invalid(ep.child('containerName'), ec.containerName, 'must be one of the container or initContainer names in the pod template'));
      const values = arr(ec.values);
      if (values.length === 0) errs.push(invalid(ep.child('values'), values, 'at least one value is required'));
      else if (values.length > 255) errs.push(tooMany(ep.child('values'), values.length, 255));
      const seen = new Set<number>();
      let ordered = true;
      values.forEach((v, j) => {
        if (ec.operator === 'In' && v === 0) errs.push(invalid(ep.child('values').index(j), v, 'must not be 0 for the In operator'));
        if (seen.has(v)) errs.push({ type: 'FieldValueDuplicate', field: ep.child('values').index(j).toString(), value: v });
        seen.add(v);
        if (j > 0 && values[j - 1] > v) ordered = false;
      });
      if (!ordered) errs.push(invalid(ep.child('values'), values, 'must be ordered'));
    }
    conditions.forEach((c, j) => {
      const cp = p.child('onPodConditions').index(j);
      errs.push(...isQualifiedName(str(c.type)).map((m) => invalid(cp.child('type'), c.type ?? '', m)));
      if (!c.status) errs.push(required(cp.child('status'), 'valid values: ["False" "True" "Unknown"]'));
      else if (!['False', 'True', 'Unknown'].includes(c.status)) errs.push(notSupported(cp.child('status'), c.status, ['False', 'True', 'Unknown']));
    });
    if (isObject(rule.onExitCodes) && conditions.length > 0) errs.push({ type: 'FieldValueInvalid', field: p.toString(), detail: 'specifying both OnExitCodes and OnPodConditions is not supported' });
    if (!isObject(rule.onExitCodes) && conditions.length === 0) errs.push({ type: 'FieldValueInvalid', field: p.toString(), detail: 'specifying one of OnExitCodes and OnPodConditions is required' });
  });
  return errs;
}

/** Job spec checks shared by Jobs and CronJob job templates. */
function validateJobSpecCommon(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex']) errs.push(...nonNegative(s[f], path.child(f)));
  if (has(s, 'maxFailedIndexes')) {
    errs.push(...nonNegative(s.maxFailedIndexes, path.child('maxFailedIndexes')));
    if (!has(s, 'backoffLimitPerIndex')) errs.push(required(path.child('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }
  if (has(s, 'managedBy')) {
    errs.push(...isDomainPrefixedPath(str(s.managedBy)).map((m) => invalid(path.child('managedBy'), s.managedBy, m)));
    if (str(s.managedBy).length > 63) errs.push({ type: 'FieldValueTooLong', field: path.child('managedBy').toString(), detail: 'may not be more than 63 bytes' });
  }
  const indexed = s.completionMode === 'Indexed';
  if (has(s, 'completionMode')) {
    if (s.completionMode !== 'NonIndexed' && !indexed) errs.push(notSupported(path.child('completionMode'), s.completionMode, ['NonIndexed', 'Indexed']));
    if (indexed) {
      if (!has(s, 'completions')) errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
      if (s.parallelism > MAX_PARALLELISM_INDEXED) errs.push(invalid(path.child('parallelism'), s.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
      if (has(s, 'completions') && s.maxFailedIndexes > s.completions) errs.push(invalid(path.child('maxFailedIndexes'), s.maxFailedIndexes, 'must be less than or equal to completions'));
      if (s.maxFailedIndexes > MAX_FAILED_INDEXES) errs.push(invalid(path.child('maxFailedIndexes'), s.maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES}`));
      if (s.completions > COMPLETIONS_SOFT_LIMIT && has(s, 'backoffLimitPerIndex')) {
        if (!has(s, 'maxFailedIndexes')) errs.push(required(path.child('maxFailedIndexes'), `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`));
        if (s.parallelism > PARALLELISM_LIMIT_HIGH_COMPLETIONS) errs.push(invalid(path.child('parallelism'), s.parallelism, `must be less than or equal to ${PARALLELISM_LIMIT_HIGH_COMPLETIONS} when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`));
        if (s.maxFailedIndexes > MAX_FAILED_INDEXES_HIGH_COMPLETIONS) errs.push(invalid(path.child('maxFailedIndexes'), s.maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES_HIGH_COMPLETIONS} when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`));
      }
    }
  }
  if (!indexed) {
    if (has(s, 'backoffLimitPerIndex')) errs.push(invalid(path.child('backoffLimitPerIndex'), s.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (has(s, 'maxFailedIndexes')) errs.push(invalid(path.child('maxFailedIndexes'), s.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (isObject(s.podFailurePolicy)) errs.push(...validatePodFailurePolicy(s, path.child('podFailurePolicy')));
  if (isObject(s.successPolicy)) {
    if (!indexed) errs.push(invalid(path.child('successPolicy'), s.successPolicy, 'requires indexed completion mode'));
    else if (arr(s.successPolicy.rules).length === 0) errs.push(required(path.child('successPolicy', 'rules'), 'at least one rules must be specified when the successPolicy is specified'));
  }
  if (has(s, 'podReplacementPolicy')) {
    if (isObject(s.podFailurePolicy)) {
      if (s.podReplacementPolicy !== 'Failed') errs.push(notSupported(path.child('podReplacementPolicy'), s.podReplacementPolicy, ['Failed']));
    } else if (!['Failed', 'TerminatingOrFailed'].includes(s.podReplacementPolicy)) {
      errs.push(notSupported(path.child('podReplacementPolicy'), s.podReplacementPolicy, ['Failed', 'TerminatingOrFailed']));
    }
  }
  const templatePath = path.child('template');
  errs.push(...validatePodTemplateSpec(s.template, templatePath));
  const restartPolicy = obj(obj(s.template).spec).restartPolicy;
  const rp = templatePath.child('spec', 'restartPolicy');
  if (restartPolicy === 'Always' || !restartPolicy) errs.push(required(rp, 'valid values: "OnFailure", "Never"'));
  else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') errs.push(notSupported(rp, restartPolicy, ['OnFailure', 'Never']));
  else if (isObject(s.podFailurePolicy) && restartPolicy !== 'Never') errs.push(invalid(rp, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

function validateJobSpec(s: Obj, path: FieldPath): FieldError[] {
  const errs = validateJobSpecCommon(s, path);
  if (!isObject(s.selector)) errs.push(required(path.child('selector')));
  else errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  const selector = compileSelector(s.selector);
  const labels = obj(obj(s.template).metadata).labels;
  if (!(selector instanceof Error) && !selector.matches(labels)) errs.push(invalid(path.child('template', 'metadata', 'labels'), labels ?? null, '`selector` does not match template `labels`'));
  return errs;
}

export function validateJob(job: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(job.spec);
  const specPath = FieldPath.of('spec');
  if (!old) {
    const errs = [
      ...validateObjectMeta(job.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }),
      ...validateGeneratedSelector(job, true),
      ...validateJobSpec(s, specPath),
    ];
    if (s.completionMode === 'Indexed' && typeof s.completions === 'number' && s.completions > 0) {
      const hostname = `${job.metadata?.name ?? ''}-${s.completions - 1}`;
      if (isDNS1123Label(hostname).length > 0) errs.push(invalid(FieldPath.of('metadata', 'name'), job.metadata?.name ?? '', `will not able to create pod with invalid DNS label: ${hostname}`));
    }
    return errs;
  }
  const oldSpec = obj(old.spec);
  const oldLabels = obj(obj(obj(oldSpec.template).metadata).labels);
  const requirePrefixed = JOB_NAME_LABEL in oldLabels && CONTROLLER_UID_LABEL in oldLabels;
  const errs = [
    ...validateObjectMetaUpdate(job.metadata, old.metadata, { kubeFinalizers: true }),
    ...validateGeneratedSelector(job, requirePrefixed),
    ...validateJobSpec(s, specPath),
  ];
  errs.push(...validateJobSpecUpdate(s, oldSpec, specPath, oldSpec.suspend === true && !obj(old.status).startTime));
  return errs;
}

function validateJobSpecUpdate(s: Obj, old: Obj, path: FieldPath, allowMutableSchedulingDirectives: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const indexed = s.completionMode === 'Indexed';
  if (!indexed) errs.push(...immutable(s.completions, old.completions, path.child('completions')));
  else if (!deepEqual(s.completions, old.completions) && has(s, 'completions') && s.completions !== s.parallelism) {
    errs.push(invalid(path.child('completions'), s.completions, 'can only be modified in tandem with spec.parallelism'));
  }
  errs.push(...immutable(s.selector, old.selector, path.child('selector')));
  let oldTemplate = old.template;
  if (allowMutableSchedulingDirectives) {
    // A suspended Job that never started may still change where its pods will run.
    oldTemplate = clone(obj(old.template));
    const t = obj(s.template);
    const ot = oldTemplate as Obj;
    ot.spec = { ...obj(ot.spec), nodeSelector: obj(t.spec).nodeSelector, tolerations: obj(t.spec).tolerations, schedulingGates: obj(t.spec).schedulingGates };
    const newAffinity = obj(t.spec).affinity;
    const oldAffinity = obj(ot.spec).affinity;
    if (isObject(oldAffinity) || isObject(newAffinity)) {
      const merged = { ...obj(oldAffinity), nodeAffinity: obj(newAffinity).nodeAffinity };
      ot.spec.affinity = Object.values(merged).some((v) => v !== undefined) ? merged : undefined;
    }
    ot.metadata = { ...obj(ot.metadata), labels: obj(t.metadata).labels, annotations: obj(t.metadata).annotations };
  }
  errs.push(...immutable(s.template, oldTemplate, path.child('template')));
  errs.push(...immutable(s.completionMode, old.completionMode, path.child('completionMode')));
  errs.push(...immutable(s.podFailurePolicy, old.podFailurePolicy, path.child('podFailurePolicy')));
  errs.push(...immutable(s.backoffLimitPerIndex, old.backoffLimitPerIndex, path.child('backoffLimitPerIndex')));
  errs.push(...immutable(s.managedBy, old.managedBy, path.child('managedBy')));
  errs.push(...immutable(s.successPolicy, old.successPolicy, path.child('successPolicy')));
  return errs;
}

// ---------------------------------------------------------------- CronJob

function validateTimeZone(timeZone: unknown, path: FieldPath): FieldError[] {
  if (timeZone === undefined || timeZone === null) return [];
  const tz = str(timeZone);
  if (tz.length === 0) return [invalid(path, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) return [invalid(path, tz, `unknown time zone ${tz}`)];
  }
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local') errs.push(invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  else if (!isValidTimeZone(tz)) errs.push(invalid(path, tz, `unknown time zone ${tz}`));
  return errs;
}

function validateCronJobSpec(s: Obj, old: Obj | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = str(s.schedule);
  if (!schedule) {
    errs.push(required(path.child('schedule')));
  } else {
    const parseError = cronScheduleError(schedule);
    if (parseError) errs.push(invalid(path.child('schedule'), schedule, parseError));
    const allowTZ = old !== undefined && str(old.schedule).includes('TZ');
    if (allowTZ && schedule.includes('TZ') && has(s, 'timeZone')) errs.push(invalid(path.child('schedule'), schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTZ && schedule.includes('TZ')) errs.push(invalid(path.child('schedule'), schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  errs.push(...nonNegative(s.startingDeadlineSeconds, path.child('startingDeadlineSeconds')));
  if (!old || !deepEqual(old.timeZone, s.timeZone)) errs.push(...validateTimeZone(s.timeZone, path.child('timeZone')));
  const policies = ['Allow', 'Forbid', 'Replace'];
  if (!s.concurrencyPolicy) errs.push(required(path.child('concurrencyPolicy')));
  else if (!policies.includes(s.concurrencyPolicy)) errs.push(notSupported(path.child('concurrencyPolicy'), s.concurrencyPolicy, policies));
  const templateSpec = obj(obj(s.jobTemplate).spec);
  const templatePath = path.child('jobTemplate', 'spec');
  errs.push(...validateJobSpecCommon(templateSpec, templatePath));
  if (isObject(templateSpec.selector)) errs.push(invalid(templatePath.child('selector'), templateSpec.selector, '`selector` will be auto-generated'));
  if (templateSpec.manualSelector === true) errs.push(notSupported(templatePath.child('manualSelector'), true, ['nil', 'false']));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, path.child('successfulJobsHistoryLimit')));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, path.child('failedJobsHistoryLimit')));
  return errs;
}

export function validateCronJob(cj: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(cj.spec);
  const specPath = FieldPath.of('spec');
  if (old) return [...validateObjectMetaUpdate(cj.metadata, old.metadata, { kubeFinalizers: true }), ...validateCronJobSpec(s, obj(old.spec), specPath)];
  const errs = [
    ...validateObjectMeta(cj.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }),
    ...validateCronJobSpec(s, undefined, specPath),
  ];
  // The controller appends an 11-character suffix to name each Job; Job names stay within 63.
  const name = str(cj.metadata?.name);
  if (name.length > 52) errs.push(invalid(FieldPath.of('metadata', 'name'), name, 'must be no more than 52 characters'));
  return errs;
}
