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

// events.k8s.io/v1 Events are kept as core v1 Events, with upstream's field mapping.
const coreToEvents = (o: any) => {
  const { involvedObject, message, source, firstTimestamp, lastTimestamp, count, reportingComponent, ...rest } = o;
  const out: any = { ...rest };
  if (involvedObject) out.regarding = involvedObject;
  if (message !== undefined) out.note = message;
  if (source && Object.keys(source).length) out.deprecatedSource = source;
  if (firstTimestamp) out.deprecatedFirstTimestamp = firstTimestamp;
  if (lastTimestamp) out.deprecatedLastTimestamp = lastTimestamp;
  if (count) out.deprecatedCount = count;
  if (reportingComponent) out.reportingController = reportingComponent;
  return out;
};
const eventsToCore = (o: any) => {
  const { regarding, note, deprecatedSource, deprecatedFirstTimestamp, deprecatedLastTimestamp, deprecatedCount, reportingController, ...rest } = o;
  const out: any = { ...rest, involvedObject: regarding ?? {} };
  if (note !== undefined) out.message = note;
  if (deprecatedSource) out.source = deprecatedSource;
  if (deprecatedFirstTimestamp) out.firstTimestamp = deprecatedFirstTimestamp;
  if (deprecatedLastTimestamp) out.lastTimestamp = deprecatedLastTimestamp;
  if (deprecatedCount) out.count = deprecatedCount;
  if (reportingController) out.reportingComponent = reportingController;
  return out;
};
converters['Event.events.k8s.io'] = { 'v1->v1@storage': eventsToCore, 'v1@storage->v1': coreToEvents };

/**
 * Convert an object between a served version of `resource` and its storage version
 * (`toStorage` says which way when the two differ only in group).
 */
export function convert(obj: KubeObject, resource: ResourceType, from: string, to: string, toStorage = false): KubeObject {
  const crossGroup = resource.group !== resource.storageGroup;
  if (from === to && !crossGroup) return obj;
  const key = crossGroup ? (toStorage ? `${from}->${to}@storage` : `${from}@storage->${to}`) : `${from}->${to}`;
  const fn = converters[groupKindKey(resource.group, resource.kind)]?.[key];
  const out = fn ? fn(obj) : { ...obj };
  out.apiVersion = apiVersionOf(toStorage ? resource.storageGroup : resource.group, to);
  out.kind = resource.kind;
  return out;
}
