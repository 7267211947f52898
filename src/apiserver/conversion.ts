// Conversion between the served versions of one resource and its storage version. Most
// resources have one version; autoscaling HorizontalPodAutoscaler is kept as v2 and served as
// v1 too; custom resources with several versions and strategy None only change apiVersion.
import type { KubeObject } from '../api/types.js';
import { apiVersionOf } from '../api/types.js';
import type { ResourceType } from '../api/resources.js';
import { groupKindKey } from '../api/resources.js';

type Converter = (obj: any) => any;
const converters: Record<string, Record<string, Converter>> = {
  'HorizontalPodAutoscaler.autoscaling': {
    'v2->v1': (o) => {
      const spec = o.spec ?? {};
      const cpu = (spec.metrics ?? []).find((m: any) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization');
      const out: any = { ...o, spec: { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas } };
      if (cpu) out.spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
      const st = o.status ?? {};
      const curCpu = (st.currentMetrics ?? []).find((m: any) => m.type === 'Resource' && m.resource?.name === 'cpu');
      out.status = { currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0 };
      if (st.observedGeneration !== undefined) out.status.observedGeneration = st.observedGeneration;
      if (st.lastScaleTime) out.status.lastScaleTime = st.lastScaleTime;
      if (curCpu?.resource?.current?.averageUtilization !== undefined) out.status.currentCPUUtilizationPercentage = curCpu.resource.current.averageUtilization;
      return out;
    },
    'v1->v2': (o) => {
      const spec = o.spec ?? {};
      const out: any = { ...o, spec: { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas } };
      if (spec.targetCPUUtilizationPercentage !== undefined) {
        out.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }];
      }
      const st = o.status ?? {};
      out.status = { currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0 };
      if (st.lastScaleTime) out.status.lastScaleTime = st.lastScaleTime;
      if (st.currentCPUUtilizationPercentage !== undefined) {
        out.status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } }];
      }
      return out;
    },
  },
};

/** Convert an object between two versions of the same resource. */
export function convert(obj: KubeObject, resource: ResourceType, from: string, to: string): KubeObject {
  if (from === to) return obj;
  const fn = converters[groupKindKey(resource.group, resource.kind)]?.[`${from}->${to}`];
  const out = fn ? fn(obj) : { ...obj };
  out.apiVersion = apiVersionOf(resource.group, to);
  out.kind = resource.kind;
  return out;
}
