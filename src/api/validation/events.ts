// events.k8s.io/v1 Event: the strict validation that API applies on top of the legacy core/v1
// rules. Field paths use the core names (involvedObject, reportingController) as upstream reports
// them after converting to its internal Event.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { has, immutable, invalid, obj, required, str, type Obj } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';

const at = (...names: string[]) => FieldPath.of(...names);

/** events.k8s.io/v1 field → the core field name upstream reports it under. */
const IMMUTABLE_FIELDS: Array<[string, string]> = [
  ['regarding', 'involvedObject'], ['reason', 'reason'], ['note', 'message'], ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'], ['deprecatedLastTimestamp', 'lastTimestamp'], ['deprecatedCount', 'count'], ['type', 'type'],
  ['eventTime', 'eventTime'], ['action', 'action'], ['related', 'related'], ['reportingController', 'reportingController'], ['reportingInstance', 'reportingInstance'],
];

export function validateEventsV1Event(ev: KubeObject, old?: KubeObject): FieldError[] {
  const o = ev as Obj;
  if (old) {
    const prev = old as Obj;
    const errs = validateObjectMetaUpdate(ev.metadata, old.metadata, { kubeFinalizers: true });
    for (const [f, path] of IMMUTABLE_FIELDS) errs.push(...immutable(o[f], prev[f], at(path)));
    return errs;
  }
  const errs = validateObjectMeta(ev.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  const namespace = str(ev.metadata?.namespace);
  const regardingNs = str(obj(o.regarding).namespace);
  if (!regardingNs && namespace !== 'kube-system') errs.push(invalid(at('involvedObject', 'namespace'), regardingNs, 'does not match event.namespace'));
  const controller = str(o.reportingController);
  if (!controller) errs.push(required(at('reportingController')));
  errs.push(...isQualifiedName(controller).map((m) => invalid(at('reportingController'), controller, m)));
  if (!o.reportingInstance) errs.push(required(at('reportingInstance')));
  if (str(o.reportingInstance).length > 128) errs.push(invalid(at('repotingIntance'), '', 'can have at most 128 characters'));
  if (!o.action) errs.push(required(at('action')));
  if (str(o.action).length > 128) errs.push(invalid(at('action'), '', 'can have at most 128 characters'));
  if (!o.reason) errs.push(required(at('reason')));
  if (str(o.reason).length > 128) errs.push(invalid(at('reason'), '', 'can have at most 128 characters'));
  if (str(o.note).length > 1024) errs.push(invalid(at('message'), '', 'can have at most 1024 characters'));
  if (isObject(o.series)) {
    if (!(o.series.count >= 2)) errs.push(invalid(at('series', 'count'), '', 'should be at least 2'));
    if (!o.series.lastObservedTime) errs.push(required(at('series', 'lastObservedTime')));
  }
  if (!o.eventTime) errs.push(required(at('eventTime')));
  if (o.type !== 'Normal' && o.type !== 'Warning') errs.push(invalid(at('type'), '', `has invalid value: ${str(o.type)}`));
  if (o.deprecatedFirstTimestamp) errs.push(invalid(at('firstTimestamp'), '', 'needs to be unset'));
  if (o.deprecatedLastTimestamp) errs.push(invalid(at('lastTimestamp'), '', 'needs to be unset'));
  if (has(o, 'deprecatedCount') && o.deprecatedCount !== 0) errs.push(invalid(at('count'), '', 'needs to be unset'));
  if (isObject(o.deprecatedSource) && (o.deprecatedSource.component || o.deprecatedSource.host)) errs.push(invalid(at('source'), '', 'needs to be unset'));
  return errs;
}
