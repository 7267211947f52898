import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { evaluatorFor, groupResourceOf } from './evaluators.js';
import { aggregate, applyLimitRangeDefaults, claimLimitViolations, podLimitViolations } from './limitrange.js';
import { add, fromStrings, lessThanOrEqual, prettyPrint, toStrings } from './resourcelist.js';

const pod = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: 'p', namespace: 'ns' }, spec, status });
const container = (name: string, requests?: Record<string, string>, limits?: Record<string, string>) => ({ name, image: 'x', resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });

const usageCases: Array<{ name: string; group?: string; resource: string; obj: KubeObject; want: Record<string, string> }> = [
  {
    name: 'a pod: containers summed, init containers as a max, limits too',
    resource: 'pods',
    obj: pod({ containers: [container('a', { cpu: '100m', memory: '64Mi' }, { cpu: '200m' }), container('b', { cpu: '300m', memory: '64Mi' })], initContainers: [container('i', { cpu: '1' })] }),
    want: { 'count/pods': '1', pods: '1', cpu: '1', 'requests.cpu': '1', 'limits.cpu': '200m', memory: '128Mi', 'requests.memory': '128Mi' },
  },
  {
    name: 'a sidecar init container adds to the sum',
    resource: 'pods',
    obj: pod({ containers: [container('a', { cpu: '100m' })], initContainers: [{ ...container('s', { cpu: '50m' }), restartPolicy: 'Always' }] }),
    want: { 'count/pods': '1', pods: '1', cpu: '150m', 'requests.cpu': '150m' },
  },
  { name: 'a finished pod only counts in count/pods', resource: 'pods', obj: pod({ containers: [container('a', { cpu: '1' })] }, { phase: 'Succeeded' }), want: { 'count/pods': '1' } },
  { name: 'a NodePort service counts its ports', resource: 'services', obj: { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] } }, want: { 'count/services': '1', services: '1', 'services.nodeports': '2' } },
  {
    name: 'a claim counts its storage, also per class',
    resource: 'persistentvolumeclaims',
    obj: { metadata: { name: 'c' }, spec: { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } },
    want: { 'count/persistentvolumeclaims': '1', persistentvolumeclaims: '1', 'requests.storage': '1Gi', 'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1', 'fast.storageclass.storage.k8s.io/requests.storage': '1Gi' },
  },
  { name: 'configmaps have a legacy name too', resource: 'configmaps', obj: { metadata: { name: 'c' } }, want: { 'count/configmaps': '1', configmaps: '1' } },
  { name: 'anything else is an object count', group: 'apps', resource: 'deployments', obj: { metadata: { name: 'd' } }, want: { 'count/deployments.apps': '1' } },
];

for (const tc of usageCases) {
  test(`usage: ${tc.name}`, () => assert.deepEqual(toStrings(evaluatorFor({ group: tc.group ?? '', resource: tc.resource }).usage(tc.obj, Date.now())), tc.want));
}

test('groupResourceOf maps quota names to what they are measured on', () => {
  assert.deepEqual(groupResourceOf('requests.cpu'), { group: '', resource: 'pods' });
  assert.deepEqual(groupResourceOf('services.loadbalancers'), { group: '', resource: 'services' });
  assert.deepEqual(groupResourceOf('gold.storageclass.storage.k8s.io/requests.storage'), { group: '', resource: 'persistentvolumeclaims' });
  assert.deepEqual(groupResourceOf('count/jobs.batch'), { group: 'batch', resource: 'jobs' });
  assert.deepEqual(groupResourceOf('secrets'), { group: '', resource: 'secrets' });
  assert.equal(groupResourceOf('nonsense'), undefined);
});

test('pod constraints name each missing resource and container', () => {
  const ev = evaluatorFor({ group: '', resource: 'pods' });
  const p = pod({ containers: [container('web', { cpu: '1' }), container('log')] });
  assert.equal(ev.constraints(['requests.cpu', 'limits.memory', 'pods'], p), 'must specify limits.memory for: log,web; requests.cpu for: log');
  assert.equal(ev.constraints(['pods'], p), undefined);
});

test('pod quota scopes', () => {
  const ev = evaluatorFor({ group: '', resource: 'pods' });
  const q = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'q' }, spec });
  const bestEffort = pod({ containers: [container('a')] });
  const burstable = pod({ containers: [container('a', { cpu: '1' })], activeDeadlineSeconds: 10, priorityClassName: 'high' });
  assert.equal(ev.matchesScopes(q({ scopes: ['BestEffort'] }), bestEffort), true);
  assert.equal(ev.matchesScopes(q({ scopes: ['BestEffort'] }), burstable), false);
  assert.equal(ev.matchesScopes(q({ scopes: ['Terminating', 'NotBestEffort'] }), burstable), true);
  assert.equal(ev.matchesScopes(q({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }), burstable), true);
  assert.equal(ev.matchesScopes(q({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }), bestEffort), false);
  assert.equal(evaluatorFor({ group: '', resource: 'configmaps' }).matchesScopes(q({ scopes: ['BestEffort'] }), { metadata: {} }), false, 'scoped quotas track pods only');
});

test('resource list arithmetic keeps the format of the first non-zero value and prints sorted', () => {
  const sum = add(fromStrings({ memory: '0' }), fromStrings({ memory: '64Mi' }));
  assert.deepEqual(toStrings(add(sum, fromStrings({ memory: '64Mi', pods: '1' }))), { memory: '128Mi', pods: '1' });
  assert.deepEqual(lessThanOrEqual(fromStrings({ pods: '3', cpu: '1' }), fromStrings({ pods: '2' })), { allowed: false, exceeded: ['pods'] });
  assert.equal(prettyPrint(fromStrings({ pods: '1', 'requests.cpu': '0.5' })), 'pods=1,requests.cpu=500m');
});

const limitRange = (limits: unknown[]): KubeObject => ({ metadata: { name: 'lr' }, spec: { limits } });

test('LimitRange defaults fill what containers do not state, and say so in an annotation', () => {
  const p = pod({ containers: [container('web', { memory: '64Mi' }), container('log', undefined, { cpu: '1' })], initContainers: [container('init')] });
  const changed = applyLimitRangeDefaults(limitRange([{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '250m', memory: '64Mi' } }]), p);
  assert.equal(changed, true);
  const spec = p.spec as any;
  assert.deepEqual(spec.containers[0].resources, { requests: { memory: '64Mi', cpu: '250m' }, limits: { cpu: '500m', memory: '128Mi' } });
  assert.deepEqual(spec.containers[1].resources, { limits: { cpu: '1', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } });
  assert.equal(
    p.metadata.annotations!['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu request for container web; cpu, memory limit for container web; cpu, memory request for container log; memory limit for container log; cpu, memory request for init container init; cpu, memory limit for init container init',
  );
  assert.equal(applyLimitRangeDefaults(limitRange([{ type: 'Pod', max: { cpu: '2' } }]), pod({ containers: [container('a')] })), false);
});

const violationCases: Array<{ name: string; limits: unknown[]; spec: Record<string, unknown>; want: string[] }> = [
  { name: 'request below min', limits: [{ type: 'Container', min: { cpu: '100m' } }], spec: { containers: [container('a', { cpu: '50m' })] }, want: ['minimum cpu usage per Container is 100m, but request is 50m'] },
  { name: 'no request with a min', limits: [{ type: 'Container', min: { memory: '1Mi' } }], spec: { containers: [container('a')] }, want: ['minimum memory usage per Container is 1Mi.  No request is specified'] },
  { name: 'limit above max', limits: [{ type: 'Container', max: { cpu: '1' } }], spec: { containers: [container('a', { cpu: '1' }, { cpu: '2' })] }, want: ['maximum cpu usage per Container is 1, but limit is 2'] },
  { name: 'no limit with a max', limits: [{ type: 'Container', max: { cpu: '1' } }], spec: { containers: [container('a', { cpu: '1' })] }, want: ['maximum cpu usage per Container is 1.  No limit is specified'] },
  {
    name: 'limit/request ratio',
    limits: [{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }],
    spec: { containers: [container('a', { cpu: '100m' }, { cpu: '500m' })] },
    want: ['cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000'],
  },
  { name: 'a Pod max sums containers', limits: [{ type: 'Pod', max: { cpu: '1' } }], spec: { containers: [container('a', { cpu: '600m' }, { cpu: '600m' }), container('b', { cpu: '600m' }, { cpu: '600m' })] }, want: ['maximum cpu usage per Pod is 1, but limit is 1200m'] },
  { name: 'within limits', limits: [{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' } }], spec: { containers: [container('a', { cpu: '200m' }, { cpu: '500m' })] }, want: [] },
];

for (const tc of violationCases) {
  test(`LimitRange violations: ${tc.name}`, () => assert.deepEqual(podLimitViolations(limitRange(tc.limits), pod(tc.spec)), tc.want));
}

test('LimitRange on claims and the aggregate message', () => {
  const pvc: KubeObject = { metadata: { name: 'c' }, spec: { resources: { requests: { storage: '10Gi' } } } };
  assert.deepEqual(claimLimitViolations(limitRange([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '5Gi' } }]), pvc), ['maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 10Gi']);
  assert.equal(aggregate(['a']), 'a');
  assert.equal(aggregate(['a', 'b', 'a']), '[a, b]');
});
