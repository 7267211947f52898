// Defaults for HorizontalPodAutoscalers: at least one replica, CPU at 80% when no metric is named
// (autoscaling/v2), and complete scale-up and scale-down rules once any behavior is given.
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { canonicalizeQuantity, each, ensureObject, maybe, setDefault, type Obj } from './common.js';

export const DEFAULT_CPU_UTILIZATION = 80;

function scaleUpRules(): Obj {
  return { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
}

function scaleDownRules(): Obj {
  // The scale-down stabilization window stays unset: the controller's flag decides it (300s).
  return { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

function mergeRules(given: unknown, defaults: Obj): Obj {
  if (!isObject(given)) return defaults;
  for (const k of ['selectPolicy', 'stabilizationWindowSeconds', 'policies', 'tolerance']) {
    if (given[k] !== undefined && given[k] !== null) defaults[k] = given[k];
  }
  return defaults;
}

export function defaultHorizontalPodAutoscaler(hpa: KubeObject, version: string): void {
  const s = ensureObject(hpa, 'spec');
  setDefault(s, 'minReplicas', 1);
  if (version === 'v1') return;
  if (!Array.isArray(s.metrics) || s.metrics.length === 0) {
    s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  each(s.metrics, (m) => {
    for (const source of ['object', 'pods', 'resource', 'containerResource', 'external']) {
      maybe(m[source], (src) => maybe(src.target, (t) => {
        canonicalizeQuantity(t, 'value');
        canonicalizeQuantity(t, 'averageValue');
      }));
    }
  });
  if (isObject(s.behavior)) {
    s.behavior.scaleUp = mergeRules(s.behavior.scaleUp, scaleUpRules());
    s.behavior.scaleDown = mergeRules(s.behavior.scaleDown, scaleDownRules());
  }
}
