// apps/v1 workloads: Deployment, ReplicaSet, StatefulSet, DaemonSet and ControllerRevision —
// selectors against template labels, rollout strategies, and what an update may change.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import {
  compileSelector, deepEqual, forbidden, has, immutable, intOrPercentValue, invalid, isNotMoreThan100Percent, nonNegative, notSupported, obj,
  required, validateAnnotations, validateLabelSelector, validateLabels, validatePositiveIntOrPercent, type Obj,
} from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';
import { validatePodSpecificAnnotations, validatePodTemplateSpec } from './pod.js';

const spec = FieldPath.of('spec');

function meta(o: KubeObject, old: KubeObject | undefined, nameFn = nameIsDNSSubdomain): FieldError[] {
  return old
    ? validateObjectMetaUpdate(o.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(o.metadata, { namespaced: true, nameFn, kubeFinalizers: true });
}

/** A required, non-empty selector validated strictly; `kind` names the workload in upstream's message. */
function requiredSelector(s: Obj, kind: string): FieldError[] {
  if (!isObject(s.selector)) return [required(spec.child('selector'))];
  const errs = validateLabelSelector(s.selector, spec.child('selector'));
  if (Object.keys(obj(s.selector.matchLabels)).length + (Array.isArray(s.selector.matchExpressions) ? s.selector.matchExpressions.length : 0) === 0) {
    errs.push(invalid(spec.child('selector'), s.selector, `empty selector is invalid for ${kind}`));
  }
  return errs;
}

/** The template of a ReplicaSet or Deployment: labels match the selector, pods restart Always. */
function validateReplicaSetTemplate(s: Obj, kind: string, invalidSelectorDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  const selector = compileSelector(s.selector);
  const templatePath = spec.child('template');
  if (selector instanceof Error) {
    errs.push(invalid(spec.child('selector'), s.selector, invalidSelectorDetail));
    return errs;
  }
  const template = obj(s.template);
  const labels = obj(template.metadata).labels;
  if (!selector.empty && !selector.matches(labels)) errs.push(invalid(templatePath.child('metadata', 'labels'), labels ?? null, '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplateSpec(template, templatePath));
  const podSpec = obj(template.spec);
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported(templatePath.child('spec', 'restartPolicy'), podSpec.restartPolicy ?? '', ['Always']));
  if (has(podSpec, 'activeDeadlineSeconds')) errs.push(forbidden(templatePath.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

// ---------------------------------------------------------------- Deployment

function validateDeploymentStrategy(strategy: Obj): FieldError[] {
  const p = spec.child('strategy');
  switch (strategy.type) {
    case 'Recreate':
      return isObject(strategy.rollingUpdate) ? [forbidden(p.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      if (!isObject(strategy.rollingUpdate)) return [required(p.child('rollingUpdate'), 'this should be defaulted and never be nil')];
      const ru = strategy.rollingUpdate;
      const rp = p.child('rollingUpdate');
      const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')), ...validatePositiveIntOrPercent(ru.maxSurge, rp.child('maxSurge'))];
      if ((intOrPercentValue(ru.maxUnavailable) ?? 0) === 0 && (intOrPercentValue(ru.maxSurge) ?? 0) === 0) {
        errs.push(invalid(rp.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')));
      return errs;
    }
    default:
      return [notSupported(p, strategy, ['Recreate', 'RollingUpdate'])];
  }
}

export function validateDeployment(d: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(d.spec);
  const errs = meta(d, old);
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  errs.push(...requiredSelector(s, 'deployment'));
  errs.push(...validateReplicaSetTemplate(s, 'Deployment', 'invalid label selector'));
  errs.push(...validateDeploymentStrategy(obj(s.strategy)));
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...nonNegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  if (isObject(s.rollbackTo)) errs.push(...nonNegative(s.rollbackTo.revision, spec.child('rollback', 'version')));
  if (typeof s.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(s.progressDeadlineSeconds, spec.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) errs.push(invalid(spec.child('progressDeadlineSeconds'), s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  if (old) errs.push(...immutable(s.selector, obj(old.spec).selector, spec.child('selector')));
  return errs;
}

// ---------------------------------------------------------------- ReplicaSet

export function validateReplicaSet(rs: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(rs.spec);
  const errs = meta(rs, old);
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...requiredSelector(s, 'deployment'));
  errs.push(...validateReplicaSetTemplate(s, 'ReplicaSet', 'invalid label selector'));
  if (old) errs.push(...immutable(s.selector, obj(old.spec).selector, spec.child('selector')));
  return errs;
}

// ---------------------------------------------------------------- DaemonSet

function validateDaemonSetUpdateStrategy(strategy: Obj): FieldError[] {
  const p = spec.child('updateStrategy');
  switch (strategy.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      if (!isObject(strategy.rollingUpdate)) return [required(p.child('rollingUpdate'))];
      const ru = strategy.rollingUpdate;
      const rp = p.child('rollingUpdate');
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')),
        ...validatePositiveIntOrPercent(ru.maxSurge, rp.child('maxSurge')),
        ...isNotMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')),
        ...isNotMoreThan100Percent(ru.maxSurge, rp.child('maxSurge')),
      ];
      const hasUnavailable = (intOrPercentValue(ru.maxUnavailable) ?? 0) !== 0;
      const hasSurge = (intOrPercentValue(ru.maxSurge) ?? 0) !== 0;
      if (hasUnavailable && hasSurge) errs.push(invalid(rp.child('maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(required(rp.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [notSupported(p, strategy, ['RollingUpdate', 'OnDelete'])];
  }
}

export function validateDaemonSet(ds: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(ds.spec);
  const errs = meta(ds, old);
  const template = obj(s.template);
  const templatePath = spec.child('template');
  errs.push(...validateLabelSelector(s.selector, spec.child('selector')));
  const selector = compileSelector(s.selector);
  const labels = obj(template.metadata).labels;
  if (!(selector instanceof Error) && !selector.matches(labels)) errs.push(invalid(templatePath.child('metadata', 'labels'), labels ?? null, '`selector` does not match template `labels`'));
  if (isObject(s.selector) && Object.keys(obj(s.selector.matchLabels)).length + (Array.isArray(s.selector.matchExpressions) ? s.selector.matchExpressions.length : 0) === 0) {
    errs.push(invalid(spec.child('selector'), s.selector, 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(template, templatePath));
  const podSpec = obj(template.spec);
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported(templatePath.child('spec', 'restartPolicy'), podSpec.restartPolicy ?? '', ['Always']));
  if (has(podSpec, 'activeDeadlineSeconds')) errs.push(forbidden(templatePath.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in DaemonSet is not Supported'));
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...nonNegative(s.templateGeneration, spec.child('templateGeneration')));
  errs.push(...validateDaemonSetUpdateStrategy(obj(s.updateStrategy)));
  errs.push(...nonNegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  if (old) errs.push(...immutable(s.selector, obj(old.spec).selector, spec.child('selector')));
  return errs;
}

// ---------------------------------------------------------------- StatefulSet

const STATEFULSET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateStatefulSetSpec(s: Obj): FieldError[] {
  const errs: FieldError[] = [];
  switch (s.podManagementPolicy) {
    case undefined:
    case '':
      errs.push(required(spec.child('podManagementPolicy')));
      break;
    case 'OrderedReady':
    case 'Parallel':
      break;
    default:
      errs.push(invalid(spec.child('podManagementPolicy'), s.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = obj(s.updateStrategy);
  const sp = spec.child('updateStrategy');
  switch (strategy.type) {
    case undefined:
    case '':
      errs.push(required(sp));
      break;
    case 'OnDelete':
      if (isObject(strategy.rollingUpdate)) errs.push(invalid(sp.child('rollingUpdate'), strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (isObject(strategy.rollingUpdate)) {
        const ru = strategy.rollingUpdate;
        const rp = sp.child('rollingUpdate');
        errs.push(...nonNegative(ru.partition, rp.child('partition')));
        if (has(ru, 'maxUnavailable')) {
          errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')));
          if ((intOrPercentValue(ru.maxUnavailable) ?? 0) === 0) errs.push(invalid(rp.child('maxUnavailable'), ru.maxUnavailable, 'cannot be 0'));
          errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')));
        }
      }
      break;
    default:
      errs.push(invalid(sp, strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = s.persistentVolumeClaimRetentionPolicy;
  if (isObject(retention)) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      if (!['Retain', 'Delete'].includes(retention[f])) errs.push(notSupported(spec.child('persistentVolumeClaimRetentionPolicy', f), retention[f] ?? '', ['Retain', 'Delete']));
    }
  }
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  if (isObject(s.ordinals)) errs.push(...nonNegative(s.ordinals.start, spec.child('ordinals.start')));
  errs.push(...requiredSelector(s, 'statefulset'));
  const selector = compileSelector(s.selector);
  const template = obj(s.template);
  const templatePath = spec.child('template');
  if (selector instanceof Error) {
    errs.push(invalid(spec.child('selector'), s.selector, ''));
  } else {
    const labels = obj(template.metadata).labels;
    if (!selector.empty && !selector.matches(labels)) errs.push(invalid(templatePath.child('metadata', 'labels'), labels ?? null, '`selector` does not match template `labels`'));
    // Upstream checks only the template's labels and annotations here, not its pod spec.
    errs.push(...validateLabels(labels, templatePath.child('labels')));
    errs.push(...validateAnnotations(obj(template.metadata).annotations, templatePath.child('annotations')));
    errs.push(...validatePodSpecificAnnotations(obj(template.metadata).annotations, obj(template.spec), templatePath.child('annotations')));
  }
  const podSpec = obj(template.spec);
  if (podSpec.restartPolicy !== 'Always') errs.push(notSupported(templatePath.child('spec', 'restartPolicy'), podSpec.restartPolicy ?? '', ['Always']));
  if (has(podSpec, 'activeDeadlineSeconds')) errs.push(forbidden(templatePath.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in StatefulSet is not Supported'));
  return errs;
}

export function validateStatefulSet(sts: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(sts.spec);
  const errs = meta(sts, old, nameIsDNSLabel);
  errs.push(...validateStatefulSetSpec(s));
  if (old) {
    const rest = (o: Obj) => Object.fromEntries(Object.entries(o).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
    if (!deepEqual(rest(s), rest(obj(old.spec)))) {
      errs.push(forbidden(spec, `updates to statefulset spec for fields other than ${STATEFULSET_MUTABLE.slice(0, -1).map((f) => `'${f}'`).join(', ')} and '${STATEFULSET_MUTABLE.at(-1)}' are forbidden`));
    }
  }
  return errs;
}

// ---------------------------------------------------------------- ControllerRevision

export function validateControllerRevision(cr: KubeObject, old?: KubeObject): FieldError[] {
  const errs = meta(cr, old);
  if (cr.data === undefined || cr.data === null) errs.push(required(FieldPath.of('data'), 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, FieldPath.of('revision')));
  if (old) errs.push(...immutable(cr.data, old.data, FieldPath.of('data')));
  return errs;
}
