// LimitRange rules (upstream plugin/pkg/admission/limitranger): the default requests and limits
// a new Pod's containers get when they state none, and the min, max and maxLimitRequestRatio
// checks on Containers, Pods and PersistentVolumeClaims, with upstream's messages.
import type { KubeObject } from '../types.js';
import { formatQuantity, milliValue, type Quantity } from '../validation/quantity.js';
import { fromStrings, type ResourceList } from './resourcelist.js';
import { podResourceList } from './evaluators.js';

export const limitRangerAnnotation = 'kubernetes.io/limit-ranger';

interface LimitItem {
  type: string;
  min: ResourceList;
  max: ResourceList;
  default: ResourceList;
  defaultRequest: ResourceList;
  maxLimitRequestRatio: ResourceList;
}

function items(lr: KubeObject): LimitItem[] {
  return (((lr.spec as any)?.limits ?? []) as any[]).map((i) => ({
    type: i.type,
    min: fromStrings(i.min),
    max: fromStrings(i.max),
    default: fromStrings(i.default),
    defaultRequest: fromStrings(i.defaultRequest),
    maxLimitRequestRatio: fromStrings(i.maxLimitRequestRatio),
  }));
}

/**
 * Give every container the LimitRange's default limits and requests it lacks, and record what
 * was set in the kubernetes.io/limit-ranger annotation. Returns whether anything changed.
 */
export function applyLimitRangeDefaults(lr: KubeObject, pod: KubeObject): boolean {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  for (const item of items(lr)) {
    if (item.type !== 'Container') continue;
    for (const [k, v] of Object.entries(item.defaultRequest)) requests[k] = formatQuantity(v);
    for (const [k, v] of Object.entries(item.default)) limits[k] = formatQuantity(v);
  }
  const notes: string[] = [];
  const spec = (pod.spec ?? {}) as any;
  const merge = (c: any, kind: string) => {
    c.resources ??= {};
    c.resources.limits ??= {};
    c.resources.requests ??= {};
    const setLimits = Object.keys(limits).filter((k) => !(k in c.resources.limits)).sort();
    const setRequests = Object.keys(requests).filter((k) => !(k in c.resources.requests)).sort();
    for (const k of setLimits) c.resources.limits[k] = limits[k];
    for (const k of setRequests) c.resources.requests[k] = requests[k];
    if (setRequests.length) notes.push(`${setRequests.join(', ')} request for ${kind} ${c.name}`);
    if (setLimits.length) notes.push(`${setLimits.join(', ')} limit for ${kind} ${c.name}`);
    if (Object.keys(c.resources.limits).length === 0) delete c.resources.limits;
    if (Object.keys(c.resources.requests).length === 0) delete c.resources.requests;
  };
  for (const c of spec.containers ?? []) merge(c, 'container');
  for (const c of spec.initContainers ?? []) merge(c, 'init container');
  if (notes.length === 0) return false;
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [limitRangerAnnotation]: `LimitRanger plugin set: ${notes.join('; ')}` };
  return true;
}

const q = formatQuantity;
const cmp = (a: Quantity, b: Quantity) => milliValue(a) - milliValue(b);

function minConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  if (!req) return `minimum ${name} usage per ${type} is ${q(enforced)}.  No request is specified`;
  if (cmp(req, enforced) < 0n) return `minimum ${name} usage per ${type} is ${q(enforced)}, but request is ${q(req)}`;
  if (lim && cmp(lim, enforced) < 0n) return `minimum ${name} usage per ${type} is ${q(enforced)}, but limit is ${q(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  if (!lim) return `maximum ${name} usage per ${type} is ${q(enforced)}.  No limit is specified`;
  if (cmp(lim, enforced) > 0n) return `maximum ${name} usage per ${type} is ${q(enforced)}, but limit is ${q(lim)}`;
  if (req && cmp(req, enforced) > 0n) return `maximum ${name} usage per ${type} is ${q(enforced)}, but request is ${q(req)}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList): string | undefined {
  const req = requests[name];
  if (!req) return `maximum ${name} usage per ${type} is ${q(enforced)}.  No request is specified`;
  if (cmp(req, enforced) > 0n) return `maximum ${name} usage per ${type} is ${q(enforced)}, but request is ${q(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[name];
  const lim = limits[name];
  if (!req || milliValue(req) === 0n) return `${name} max limit to request ratio per ${type} is ${q(enforced)}, but no request is specified or request is 0`;
  if (!lim || milliValue(lim) === 0n) return `${name} max limit to request ratio per ${type} is ${q(enforced)}, but no limit is specified or limit is 0`;
  const ratio = Number(milliValue(lim)) / Number(milliValue(req));
  if (ratio * 1000 > Number(milliValue(enforced))) return `${name} max limit to request ratio per ${type} is ${q(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function checkAll(type: string, item: LimitItem, requests: ResourceList, limits: ResourceList, out: string[]): void {
  const push = (e: string | undefined) => e && out.push(e);
  for (const k of Object.keys(item.min).sort()) push(minConstraint(type, k, item.min[k], requests, limits));
  for (const k of Object.keys(item.max).sort()) push(maxConstraint(type, k, item.max[k], requests, limits));
  for (const k of Object.keys(item.maxLimitRequestRatio).sort()) push(ratioConstraint(type, k, item.maxLimitRequestRatio[k], requests, limits));
}

/** Every violation of the LimitRange by a Pod (per container, and for the Pod as a whole). */
export function podLimitViolations(lr: KubeObject, pod: KubeObject): string[] {
  const out: string[] = [];
  const spec = (pod.spec ?? {}) as any;
  for (const item of items(lr)) {
    if (item.type === 'Container') {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        checkAll('Container', item, fromStrings(c.resources?.requests), fromStrings(c.resources?.limits), out);
      }
    } else if (item.type === 'Pod') {
      checkAll('Pod', item, podResourceList(spec, 'requests'), podResourceList(spec, 'limits'), out);
    }
  }
  return out;
}

/** Every violation of the LimitRange by a claim's requested storage. */
export function claimLimitViolations(lr: KubeObject, pvc: KubeObject): string[] {
  const out: string[] = [];
  const requests = fromStrings((pvc.spec as any)?.resources?.requests);
  for (const item of items(lr)) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const k of Object.keys(item.min).sort()) {
      const e = minConstraint('PersistentVolumeClaim', k, item.min[k], requests, {});
      if (e) out.push(e);
    }
    for (const k of Object.keys(item.max).sort()) {
      const e = maxRequestConstraint('PersistentVolumeClaim', k, item.max[k], requests);
      if (e) out.push(e);
    }
  }
  return out;
}

/** Several errors read as upstream's aggregate: one alone, or "[a, b]". */
export function aggregate(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}
