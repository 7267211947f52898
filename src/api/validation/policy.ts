// policy/v1 PodDisruptionBudget: exactly one of minAvailable and maxUnavailable, int-or-percent
// values up to 100%, the selector, and the unhealthy pod eviction policy.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { has, invalid, isNotMoreThan100Percent, notSupported, obj, validateLabelSelector, validatePositiveIntOrPercent } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';

export function validatePodDisruptionBudget(pdb: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(pdb.spec);
  const spec = FieldPath.of('spec');
  const errs = old
    ? validateObjectMetaUpdate(pdb.metadata, old.metadata, { kubeFinalizers: true })
    : validateObjectMeta(pdb.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  if (has(s, 'minAvailable') && has(s, 'maxUnavailable')) errs.push(invalid(spec, s, 'minAvailable and maxUnavailable cannot be both set'));
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (!has(s, f)) continue;
    errs.push(...validatePositiveIntOrPercent(s[f], spec.child(f)));
    errs.push(...isNotMoreThan100Percent(s[f], spec.child(f)));
  }
  errs.push(...validateLabelSelector(s.selector, spec.child('selector')));
  if (has(s, 'unhealthyPodEvictionPolicy') && !['AlwaysAllow', 'IfHealthyBudget'].includes(s.unhealthyPodEvictionPolicy)) {
    errs.push(notSupported(spec.child('unhealthyPodEvictionPolicy'), s.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}
