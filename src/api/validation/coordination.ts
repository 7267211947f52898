// coordination.k8s.io/v1 Lease: durations and transition counts, and the coordinated-leader fields.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { forbidden, has, invalid, notSupported, obj, str } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';

export function validateLease(lease: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(lease.spec);
  const spec = FieldPath.of('spec');
  const errs = old ? validateObjectMetaUpdate(lease.metadata, old.metadata, { kubeFinalizers: true }) : [];
  errs.push(...validateObjectMeta(lease.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }));
  if (has(s, 'leaseDurationSeconds') && s.leaseDurationSeconds <= 0) errs.push(invalid(spec.child('leaseDurationSeconds'), s.leaseDurationSeconds, 'must be greater than 0'));
  if (has(s, 'leaseTransitions') && s.leaseTransitions < 0) errs.push(invalid(spec.child('leaseTransitions'), s.leaseTransitions, 'must be greater than or equal to 0'));
  if (has(s, 'strategy')) {
    const strategy = str(s.strategy);
    if (!strategy.includes('/')) {
      if (strategy !== 'OldestEmulationVersion') errs.push(notSupported(spec.child('strategy'), strategy, ['OldestEmulationVersion']));
    } else {
      errs.push(...isQualifiedName(strategy).map((m) => invalid(spec.child('strategy'), strategy, m)));
    }
  }
  if (s.preferredHolder && !s.strategy) errs.push(forbidden(spec.child('preferredHolder'), 'may only be specified if `strategy` is defined'));
  return errs;
}
