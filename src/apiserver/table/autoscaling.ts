// The HorizontalPodAutoscaler row, for both autoscaling/v2 and autoscaling/v1 objects:
// REFERENCE, TARGETS ("cpu: 40%/80%", at most two then "+ N more..."), MINPODS, MAXPODS.
import { since } from './duration.js';
import { arr, int, obj, quantity, str } from './format.js';
import { AGE, NAME, column, type Printer } from './model.js';

type Metric = Record<string, any>;

/**
 * autoscaling/v1 only knows a CPU utilization target. It is stored as the v2 metric it
 * converts to, which defaulting fills with 80% when the target is unset.
 */
function v1Metrics(hpa: Record<string, any>): { specs: Metric[]; statuses: Metric[] } {
  const target = typeof hpa.spec?.targetCPUUtilizationPercentage === 'number' ? hpa.spec.targetCPUUtilizationPercentage : 80;
  const specs = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }];
  const current = hpa.status?.currentCPUUtilizationPercentage;
  const statuses = typeof current === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }] : [];
  return { specs, statuses };
}

const percent = (value: unknown) => `${int(value)}%`;

/** One metric as "current/target"; statuses are matched to specs by position. */
function formatMetric(spec: Metric, status: Metric | undefined): string {
  const source = (key: string) => obj(spec[key]);
  const current = (key: string) => (status && status[key] ? obj(obj(status[key]).current) : undefined);
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const key = spec.type === 'External' ? 'external' : 'object';
      const target = obj(source(key).target);
      const cur = current(key);
      if (target.averageValue != null) {
        const now = cur && cur.averageValue != null ? quantity(cur.averageValue) : '<unknown>';
        return `${now}/${quantity(target.averageValue)} (avg)`;
      }
      return `${cur ? quantity(cur.value) : '<unknown>'}/${quantity(target.value)}`;
    }
    case 'Pods': {
      const cur = current('pods');
      return `${cur ? quantity(cur.averageValue) : '<unknown>'}/${quantity(obj(source('pods').target).averageValue)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const resource = source(key);
      const target = obj(resource.target);
      const cur = current(key);
      if (target.averageValue != null) {
        return `${str(resource.name)}: ${cur ? quantity(cur.averageValue) : '<unknown>'}/${quantity(target.averageValue)}`;
      }
      const now = cur && cur.averageUtilization != null ? percent(cur.averageUtilization) : '<unknown>';
      const want = target.averageUtilization != null ? percent(target.averageUtilization) : '<auto>';
      return `${str(resource.name)}: ${now}/${want}`;
    }
  }
  return '<unknown type>';
}

function formatTargets(specs: Metric[], statuses: Metric[]): string {
  if (specs.length === 0) return '<none>';
  const max = 2;
  const shown = specs.slice(0, max).map((spec, i) => formatMetric(obj(spec), statuses[i] ? obj(statuses[i]) : undefined));
  const text = shown.join(', ');
  return specs.length > max ? `${text} + ${specs.length - max} more...` : text;
}

export const horizontalPodAutoscaler: Printer = {
  columns: [
    NAME,
    column('Reference', 'string', 'The workload being scaled, as Kind/name.'),
    column('Targets', 'string', 'Current and target value of each metric.'),
    column('MinPods', 'string', 'Lower bound on replicas.'),
    column('MaxPods', 'string', 'Upper bound on replicas.'),
    column('Replicas', 'string', 'Replicas the autoscaler last observed.'),
    AGE,
  ],
  print(o, { now }) {
    const v1 = str(o.apiVersion) === 'autoscaling/v1' || (o.spec?.targetCPUUtilizationPercentage !== undefined && o.spec?.metrics === undefined);
    const { specs, statuses } = v1 ? v1Metrics(o) : { specs: arr(o.spec?.metrics), statuses: arr(o.status?.currentMetrics) };
    const ref = obj(o.spec?.scaleTargetRef);
    const minPods = typeof o.spec?.minReplicas === 'number' ? String(int(o.spec.minReplicas)) : '<unset>';
    return {
      cells: [
        str(o.metadata?.name),
        `${str(ref.kind)}/${str(ref.name)}`,
        formatTargets(specs, statuses),
        minPods,
        int(o.spec?.maxReplicas),
        int(o.status?.currentReplicas),
        since(o.metadata?.creationTimestamp, now),
      ],
    };
  },
};
