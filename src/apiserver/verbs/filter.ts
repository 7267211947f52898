// The label and field selectors of a list or watch request, as one predicate over objects.
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { parseLabelSelector, parseFieldSelector, matches } from '../../api/labels.js';
import { selectableField, supportsField } from '../../api/fields.js';
import type { RequestContext } from '../context.js';
import { gk } from '../kinds.js';

export interface ObjectFilter {
  /** True when no selector was given: every object passes. */
  everything: boolean;
  matches(obj: KubeObject): boolean;
}

export function requestFilter(ctx: RequestContext): ObjectFilter {
  const labelText = ctx.query.get('labelSelector') ?? '';
  const fieldText = ctx.query.get('fieldSelector') ?? '';
  const labels = parseLabelSelector(labelText);
  const fields = parseFieldSelector(fieldText);
  const key = gk(ctx.resource);
  for (const f of fields) {
    if (!supportsField(key, f.field)) throw errors.badRequest(`field label not supported: ${f.field}`);
  }
  if (labels.length === 0 && fields.length === 0) return { everything: true, matches: () => true };
  return {
    everything: false,
    matches(obj) {
      if (!matches(labels, obj.metadata.labels)) return false;
      for (const f of fields) {
        const v = selectableField(key, obj, f.field);
        if ((v === f.value) !== (f.op === '=')) return false;
      }
      return true;
    },
  };
}
