// scheduling.k8s.io/v1 PriorityClass: reserved system names, the user-definable value ceiling,
// and the immutability of value and preemptionPolicy.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { forbidden, has, immutable, notSupported, required, str, type Obj } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

function systemClassError(name: string, value: unknown, globalDefault: unknown): string | undefined {
  if (!(name in SYSTEM_PRIORITY_CLASSES)) return `${name} is not a known system priority class`;
  if (value !== SYSTEM_PRIORITY_CLASSES[name]) return `value of ${name} PriorityClass must be ${SYSTEM_PRIORITY_CLASSES[name]}`;
  if (globalDefault === true) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

export function validatePriorityClass(pc: KubeObject, old?: KubeObject): FieldError[] {
  const o = pc as Obj;
  if (old) {
    const errs = validateObjectMetaUpdate(pc.metadata, old.metadata, { kubeFinalizers: true });
    if (o.value !== (old as Obj).value) errs.push(forbidden(FieldPath.of('value'), 'may not be changed in an update.'));
    errs.push(...immutable(o.preemptionPolicy, (old as Obj).preemptionPolicy, FieldPath.of('preemptionPolicy')));
    return errs;
  }
  const errs = validateObjectMeta(pc.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  const name = str(pc.metadata?.name);
  if (name.startsWith('system-')) {
    const err = systemClassError(name, o.value, o.globalDefault);
    if (err) errs.push(forbidden(FieldPath.of('metadata', 'name'), `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`));
  } else if (typeof o.value === 'number' && o.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden(FieldPath.of('value'), `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (has(o, 'preemptionPolicy')) {
    if (!o.preemptionPolicy) errs.push(required(FieldPath.of('preemptionPolicy')));
    else if (!['PreemptLowerPriority', 'Never'].includes(o.preemptionPolicy)) errs.push(notSupported(FieldPath.of('preemptionPolicy'), o.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}
