// Where pods may run: node selector terms, tolerations and taint effects, shared by pods,
// persistent volumes' node affinity and nodes' taints.
import type { FieldError } from '../errors.js';
import { arr, forbidden, invalid, notSupported, obj, required, str, validateLabelName, has, type Obj } from './common.js';
import { isDNS1123Subdomain, isLabelValue } from './names.js';
import type { FieldPath } from './path.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: unknown, allowEmpty: boolean, path: FieldPath): FieldError[] {
  if (!allowEmpty && !effect) return [required(path)];
  return TAINT_EFFECTS.includes(effect as string) ? [] : [notSupported(path, effect ?? '', TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(tolerations).forEach((raw, i) => {
    const t = obj(raw);
    const p = path.index(i);
    const key = str(t.key);
    const operator = str(t.operator);
    if (key) errs.push(...validateLabelName(key, p.child('key')));
    if (!key && operator !== 'Exists') errs.push(invalid(p.child('operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (has(t, 'tolerationSeconds') && t.effect !== 'NoExecute') errs.push(invalid(p.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    switch (operator) {
      case 'Equal':
      case '': {
        const msgs = isLabelValue(str(t.value));
        if (msgs.length > 0) errs.push(invalid(p.child('operator'), str(t.value), msgs.join(';')));
        break;
      }
      case 'Exists':
        if (str(t.value)) errs.push(invalid(p.child('operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(p.child('operator'), operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(t.effect, true, p.child('effect')));
  });
  return errs;
}

export function validateNodeSelectorRequirement(rq: Obj, path: FieldPath, allowInvalidValues = false): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(rq.values);
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(path.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(path.child('operator'), rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(str(rq.key), path.child('key')));
  if (!allowInvalidValues) values.forEach((v, i) => errs.push(...isLabelValue(String(v)).map((m) => invalid(path.child('values').index(i), v, m))));
  return errs;
}

export function validateNodeSelectorTerm(term: Obj, path: FieldPath, allowInvalidValues = false): FieldError[] {
  const errs: FieldError[] = [];
  arr(term.matchExpressions).forEach((rq, j) => errs.push(...validateNodeSelectorRequirement(obj(rq), path.child('matchExpressions').index(j), allowInvalidValues)));
  arr(term.matchFields).forEach((rq, j) => {
    const r = obj(rq);
    const p = path.child('matchFields').index(j);
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (arr(r.values).length !== 1) errs.push(required(p.child('values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else {
      errs.push(invalid(p.child('operator'), r.operator ?? '', 'not a valid selector operator'));
    }
    if (r.key !== 'metadata.name') errs.push(invalid(p.child('key'), r.key ?? '', 'not a valid field selector key'));
    else arr(r.values).forEach((v, i) => errs.push(...isDNS1123Subdomain(String(v)).map((m) => invalid(p.child('values').index(i), v, m))));
  });
  return errs;
}

export function validateNodeSelector(selector: Obj, path: FieldPath, allowInvalidValues = false): FieldError[] {
  const terms = arr(selector.nodeSelectorTerms);
  const termPath = path.child('nodeSelectorTerms');
  if (terms.length === 0) return [required(termPath, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(obj(t), termPath.index(i), allowInvalidValues));
}
