// HorizontalPodAutoscaler (autoscaling/v2, and the v1 shape with targetCPUUtilizationPercentage):
// replica bounds, the scale target, metric sources and targets, and scaling behavior.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { arr, forbidden, has, invalid, notSupported, obj, required, str, validateLabelSelector, type Obj } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isPathSegmentName, nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';
import { isNegative, isZero, parseQuantityExact, quantityError } from './quantity.js';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SOURCE_FIELDS: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };

export function validateCrossVersionObjectReference(ref: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['kind', 'name']) {
    const v = str(ref[f]);
    if (!v) errs.push(required(path.child(f)));
    else errs.push(...isPathSegmentName(v).map((m) => invalid(path.child(f), v, m)));
  }
  return errs;
}

function positiveQuantityField(value: unknown, path: FieldPath): FieldError[] {
  const err = quantityError(value);
  if (err) return [invalid(path, value ?? null, err)];
  const q = parseQuantityExact(value as string);
  return isNegative(q) || isZero(q) ? [invalid(path, value, 'must be positive')] : [];
}

function validateMetricTarget(t: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!t.type) errs.push(required(path.child('type'), 'must specify a metric target type'));
  else if (!['AverageValue', 'Utilization', 'Value'].includes(t.type)) errs.push(notSupported(path.child('type'), t.type, ['AverageValue', 'Utilization', 'Value']));
  if (has(t, 'value')) errs.push(...positiveQuantityField(t.value, path.child('value')));
  if (has(t, 'averageValue')) errs.push(...positiveQuantityField(t.averageValue, path.child('averageValue')));
  if (has(t, 'averageUtilization') && t.averageUtilization < 1) errs.push(invalid(path.child('averageUtilization'), t.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateMetricIdentifier(id: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!id.name) errs.push(required(path.child('name'), 'must specify a metric name'));
  else errs.push(...isPathSegmentName(str(id.name)).map((m) => invalid(path.child('name'), id.name, m)));
  if (isObject(id.selector)) errs.push(...validateLabelSelector(id.selector, path.child('selector')));
  return errs;
}

function validateResourceTarget(src: Obj, path: FieldPath, needsContainer: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!src.name) errs.push(required(path.child('name'), 'must specify a resource name'));
  if (needsContainer && !src.container) errs.push(required(path.child('container'), 'must specify a container'));
  const t = obj(src.target);
  errs.push(...validateMetricTarget(t, path.child('target')));
  if (!has(t, 'averageUtilization') && !has(t, 'averageValue')) errs.push(required(path.child('target', 'averageUtilization'), 'must set either a target raw value or a target utilization'));
  if (has(t, 'averageUtilization') && has(t, 'averageValue')) errs.push(forbidden(path.child('target', 'averageValue'), 'may not set both a target raw value and a target utilization'));
  return errs;
}

function validateMetricSpec(m: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!m.type) errs.push(required(path.child('type'), 'must specify a metric source type'));
  if (!METRIC_TYPES.includes(m.type)) errs.push(notSupported(path.child('type'), m.type ?? '', METRIC_TYPES));
  const present = Object.values(SOURCE_FIELDS).filter((f) => isObject(m[f]));
  const first = present[0];
  if (first === 'object') {
    const o = m.object;
    const p = path.child('object');
    errs.push(...validateCrossVersionObjectReference(obj(o.describedObject), p.child('describedObject')));
    errs.push(...validateMetricIdentifier(obj(o.metric), p.child('metric')));
    errs.push(...validateMetricTarget(obj(o.target), p.child('target')));
    if (!has(obj(o.target), 'value') && !has(obj(o.target), 'averageValue')) errs.push(required(p.child('target').child('averageValue'), 'must set either a target value or averageValue'));
  } else if (first === 'external') {
    const e = m.external;
    const p = path.child('external');
    errs.push(...validateMetricIdentifier(obj(e.metric), p.child('metric')));
    errs.push(...validateMetricTarget(obj(e.target), p.child('target')));
    const t = obj(e.target);
    if (!has(t, 'value') && !has(t, 'averageValue')) errs.push(required(p.child('target').child('averageValue'), 'must set either a target value for metric or a per-pod target'));
    if (has(t, 'value') && has(t, 'averageValue')) errs.push(forbidden(p.child('target').child('value'), 'may not set both a target value for metric and a per-pod target'));
  } else if (first === 'pods') {
    const pm = m.pods;
    const p = path.child('pods');
    errs.push(...validateMetricIdentifier(obj(pm.metric), p.child('metric')));
    errs.push(...validateMetricTarget(obj(pm.target), p.child('target')));
    if (!has(obj(pm.target), 'averageValue')) errs.push(required(p.child('target').child('averageValue'), 'must specify a positive target averageValue'));
  } else if (first === 'resource') {
    errs.push(...validateResourceTarget(m.resource, path.child('resource'), false));
  } else if (first === 'containerResource') {
    errs.push(...validateResourceTarget(m.containerResource, path.child('containerResource'), true));
  }
  const expected = SOURCE_FIELDS[m.type];
  if (expected) {
    if (!isObject(m[expected])) errs.push(required(path.child(expected), 'must populate information for the given metric source'));
  } else if (m.type) {
    errs.push(notSupported(path.child('type'), m.type, METRIC_TYPES));
  }
  if (present.length !== 1) for (const f of present.filter((f) => f !== expected)) errs.push(forbidden(path.child(f), 'must populate the given metric source only'));
  return errs;
}

function validateScalingRules(rules: unknown, path: FieldPath): FieldError[] {
  if (!isObject(rules)) return [];
  const errs: FieldError[] = [];
  const sw = rules.stabilizationWindowSeconds;
  if (typeof sw === 'number' && sw < 0) errs.push(invalid(path.child('stabilizationWindowSeconds'), sw, 'must be greater than or equal to zero'));
  if (typeof sw === 'number' && sw > 3600) errs.push(invalid(path.child('stabilizationWindowSeconds'), sw, 'must be less than or equal to 3600'));
  if (has(rules, 'selectPolicy') && !['Disabled', 'Max', 'Min'].includes(rules.selectPolicy)) errs.push(notSupported(path.child('selectPolicy'), rules.selectPolicy, ['Disabled', 'Max', 'Min']));
  const policies = arr(rules.policies).map(obj);
  if (policies.length === 0) errs.push(required(path.child('policies'), 'must specify at least one Policy'));
  policies.forEach((pol, i) => {
    const p = path.child('policies').index(i);
    if (pol.type !== 'Pods' && pol.type !== 'Percent') errs.push(notSupported(p.child('type'), pol.type ?? '', ['Percent', 'Pods']));
    if (!(pol.value > 0)) errs.push(invalid(p.child('value'), pol.value ?? 0, 'must be greater than zero'));
    if (!(pol.periodSeconds > 0)) errs.push(invalid(p.child('periodSeconds'), pol.periodSeconds ?? 0, 'must be greater than zero'));
    if (pol.periodSeconds > 1800) errs.push(invalid(p.child('periodSeconds'), pol.periodSeconds, 'must be less than or equal to 1800'));
  });
  if (has(rules, 'tolerance')) {
    const err = quantityError(rules.tolerance);
    if (err) errs.push(invalid(path.child('tolerance'), rules.tolerance, err));
    else if (isNegative(parseQuantityExact(rules.tolerance))) errs.push(invalid(path.child('tolerance'), rules.tolerance, 'must be greater than or equal to zero'));
  }
  return errs;
}

export function validateHorizontalPodAutoscaler(hpa: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(hpa.spec);
  const spec = FieldPath.of('spec');
  const errs = old
    ? validateObjectMetaUpdate(hpa.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(hpa.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  const lowerBound = old && obj(old.spec).minReplicas === 0 ? 0 : 1;
  if (typeof s.minReplicas === 'number' && s.minReplicas < lowerBound) errs.push(invalid(spec.child('minReplicas'), s.minReplicas, `must be greater than or equal to ${lowerBound}`));
  const max = typeof s.maxReplicas === 'number' ? s.maxReplicas : 0;
  if (max < 1) errs.push(invalid(spec.child('maxReplicas'), max, 'must be greater than 0'));
  if (typeof s.minReplicas === 'number' && max < s.minReplicas) errs.push(invalid(spec.child('maxReplicas'), max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateCrossVersionObjectReference(obj(s.scaleTargetRef), spec.child('scaleTargetRef')));
  if (has(s, 'targetCPUUtilizationPercentage') && s.targetCPUUtilizationPercentage < 1) {
    errs.push(invalid(spec.child('targetCPUUtilizationPercentage'), s.targetCPUUtilizationPercentage, 'must be greater than 0'));
  }
  const metrics = arr(s.metrics).map(obj);
  metrics.forEach((m, i) => errs.push(...validateMetricSpec(m, spec.child('metrics').index(i))));
  if (s.minReplicas === 0 && !metrics.some((m) => m.type === 'Object' || m.type === 'External')) {
    errs.push(forbidden(spec.child('metrics'), 'must specify at least one Object or External metric to support scaling to zero replicas'));
  }
  if (isObject(s.behavior)) {
    errs.push(...validateScalingRules(s.behavior.scaleUp, spec.child('behavior', 'scaleUp')));
    errs.push(...validateScalingRules(s.behavior.scaleDown, spec.child('behavior', 'scaleDown')));
  }
  return errs;
}
