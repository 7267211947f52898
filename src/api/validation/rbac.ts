// rbac.authorization.k8s.io/v1: Roles and ClusterRoles (policy rules, aggregation) and their
// bindings (role references, subjects, and the role reference's immutability).
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { arr, deepEqual, invalid, notSupported, obj, required, str, validateLabelSelector, type Obj } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain, nameIsPathSegment } from './names.js';
import { FieldPath } from './path.js';

const GROUP = 'rbac.authorization.k8s.io';

function meta(o: KubeObject, old: KubeObject | undefined, namespaced: boolean): FieldError[] {
  return old
    ? validateObjectMetaUpdate(o.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(o.metadata, { namespaced, nameFn: nameIsPathSegment, kubeFinalizers: true });
}

function validatePolicyRule(rule: Obj, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (arr(rule.verbs).length === 0) errs.push(required(path.child('verbs'), 'verbs must contain at least one value'));
  if (arr(rule.nonResourceURLs).length > 0) {
    if (namespaced) errs.push(invalid(path.child('nonResourceURLs'), rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (arr(rule.apiGroups).length > 0 || arr(rule.resources).length > 0 || arr(rule.resourceNames).length > 0) {
      errs.push(invalid(path.child('nonResourceURLs'), rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (arr(rule.apiGroups).length === 0) errs.push(required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if (arr(rule.resources).length === 0) errs.push(required(path.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRole(role: KubeObject, old?: KubeObject): FieldError[] {
  const errs = meta(role, old, true);
  arr((role as Obj).rules).forEach((r, i) => errs.push(...validatePolicyRule(obj(r), true, FieldPath.of('rules').index(i))));
  return errs;
}

export function validateClusterRole(role: KubeObject, old?: KubeObject): FieldError[] {
  const o = role as Obj;
  const errs = meta(role, old, false);
  arr(o.rules).forEach((r, i) => errs.push(...validatePolicyRule(obj(r), false, FieldPath.of('rules').index(i))));
  if (isObject(o.aggregationRule)) {
    const selectors = arr(o.aggregationRule.clusterRoleSelectors);
    if (selectors.length === 0) errs.push(required(FieldPath.of('aggregationRule', 'clusterRoleSelectors'), 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, FieldPath.of('aggregationRule', 'clusterRoleSelectors').index(i))));
  }
  return errs;
}

function validateSubject(subject: Obj, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(subject.name);
  if (!name) errs.push(required(path.child('name')));
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name) errs.push(...nameIsDNSSubdomain(name, false).map((m) => invalid(path.child('name'), name, m)));
      if (subject.apiGroup) errs.push(notSupported(path.child('apiGroup'), subject.apiGroup, ['']));
      if (!namespaced && !subject.namespace) errs.push(required(path.child('namespace')));
      break;
    case 'User':
    case 'Group':
      if (subject.apiGroup !== GROUP) errs.push(notSupported(path.child('apiGroup'), subject.apiGroup ?? '', [GROUP]));
      break;
    default:
      errs.push(notSupported(path.child('kind'), subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(binding: KubeObject, old: KubeObject | undefined, namespaced: boolean): FieldError[] {
  const o = binding as Obj;
  const errs = meta(binding, old, namespaced);
  const ref = obj(o.roleRef);
  if (ref.apiGroup !== GROUP) errs.push(notSupported(FieldPath.of('roleRef', 'apiGroup'), ref.apiGroup ?? '', [GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(notSupported(FieldPath.of('roleRef', 'kind'), ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required(FieldPath.of('roleRef', 'name')));
  else errs.push(...nameIsPathSegment(str(ref.name), false).map((m) => invalid(FieldPath.of('roleRef', 'name'), ref.name, m)));
  arr(o.subjects).forEach((s, i) => errs.push(...validateSubject(obj(s), namespaced, FieldPath.of('subjects').index(i))));
  if (old && !deepEqual(o.roleRef, (old as Obj).roleRef)) errs.push(invalid(FieldPath.of('roleRef'), o.roleRef, 'cannot change roleRef'));
  return errs;
}

export function validateRoleBinding(b: KubeObject, old?: KubeObject): FieldError[] {
  return validateBinding(b, old, true);
}

export function validateClusterRoleBinding(b: KubeObject, old?: KubeObject): FieldError[] {
  return validateBinding(b, old, false);
}
