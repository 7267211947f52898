import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupKindKey } from '../resources.js';
import type { KubeObject } from '../types.js';
import { applyDefaults, defaultPullPolicy, prepareForCreate } from './index.js';

function defaulted(gk: string, obj: Record<string, any>, version = 'v1'): Record<string, any> {
  applyDefaults(gk, obj as KubeObject, version);
  return obj;
}

const pullPolicies: Array<[image: string, want: string]> = [
  ['nginx', 'Always'],
  ['nginx:latest', 'Always'],
  ['nginx:1.27', 'IfNotPresent'],
  ['registry.local:5000/team/app', 'Always'],
  ['registry.local:5000/team/app:v2', 'IfNotPresent'],
  ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
  ['nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Always'],
  ['', 'IfNotPresent'],
];

for (const [image, want] of pullPolicies) {
  test(`defaults: image ${JSON.stringify(image)} pulls ${want}`, () => assert.equal(defaultPullPolicy(image), want));
}

test('defaults: pod', () => {
  const pod = defaulted('Pod', {
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: [{
        name: 'app',
        image: 'nginx',
        ports: [{ containerPort: 80 }],
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        resources: { limits: { cpu: '0.5', memory: '1024Mi' } },
        livenessProbe: { httpGet: { port: 80 } },
      }],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }, { name: 'h', hostPath: { path: '/x' } }],
    },
  });
  assert.deepEqual(pod.spec, {
    containers: [{
      name: 'app',
      image: 'nginx',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }],
      resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
      livenessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    }],
    volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } }, { name: 'h', hostPath: { path: '/x', type: '' } }],
    enableServiceLinks: true,
    priority: 0,
    preemptionPolicy: 'PreemptLowerPriority',
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
  });
});

test('defaults: pod create records phase and QoS class', () => {
  const pod = defaulted('Pod', { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } });
  prepareForCreate('Pod', pod as KubeObject);
  assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'Guaranteed' });
  const best = defaulted('Pod', { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }] } });
  prepareForCreate('Pod', best as KubeObject);
  assert.equal(best.status.qosClass, 'BestEffort');
});

test('defaults: serviceAccount mirrors serviceAccountName', () => {
  const named = defaulted('Pod', { metadata: { name: 'p' }, spec: { serviceAccountName: 'robot', containers: [] } });
  assert.equal(named.spec.serviceAccount, 'robot');
  const legacy = defaulted('Pod', { metadata: { name: 'p' }, spec: { serviceAccount: 'robot', containers: [] } });
  assert.equal(legacy.spec.serviceAccountName, 'robot');
});

test('defaults: templates do not copy limits into requests', () => {
  const d = defaulted(groupKindKey('apps', 'Deployment'), { metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: 'x:1', resources: { limits: { cpu: '1' } } }] } } } });
  assert.deepEqual(d.spec.template.spec.containers[0].resources, { limits: { cpu: '1' } });
  assert.equal(d.spec.template.spec.enableServiceLinks, undefined);
});

const workloads: Array<{ name: string; gk: string; obj: Record<string, any>; path: string; want: unknown }> = [
  {
    name: 'deployment',
    gk: groupKindKey('apps', 'Deployment'),
    obj: { metadata: { name: 'd' }, spec: { template: { spec: { containers: [] } } } },
    path: 'spec',
    want: { template: { spec: { containers: [], dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', securityContext: {}, terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' } }, replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 },
  },
  { name: 'deployment with Recreate', gk: groupKindKey('apps', 'Deployment'), obj: { metadata: { name: 'd' }, spec: { strategy: { type: 'Recreate' } } }, path: 'spec.strategy', want: { type: 'Recreate' } },
  { name: 'daemonset', gk: groupKindKey('apps', 'DaemonSet'), obj: { metadata: { name: 'd' }, spec: {} }, path: 'spec', want: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 } },
  {
    name: 'statefulset',
    gk: groupKindKey('apps', 'StatefulSet'),
    obj: { metadata: { name: 's' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1024Mi' } } } }] } },
    path: 'spec',
    want: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' } }], podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, replicas: 1, revisionHistoryLimit: 10 },
  },
  { name: 'replicaset', gk: groupKindKey('apps', 'ReplicaSet'), obj: { metadata: { name: 'r' }, spec: {} }, path: 'spec', want: { replicas: 1 } },
  { name: 'job', gk: groupKindKey('batch', 'Job'), obj: { metadata: { name: 'j' }, spec: {} }, path: 'spec', want: { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed', manualSelector: false } },
  { name: 'parallel job', gk: groupKindKey('batch', 'Job'), obj: { metadata: { name: 'j' }, spec: { parallelism: 3 } }, path: 'spec.completions', want: undefined },
  { name: 'cronjob', gk: groupKindKey('batch', 'CronJob'), obj: { metadata: { name: 'c' }, spec: { schedule: '* * * * *' } }, path: 'spec', want: { schedule: '* * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 } },
  {
    name: 'service',
    gk: 'Service',
    obj: { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } },
    path: 'spec',
    want: { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] },
  },
  {
    name: 'load balancer service',
    gk: 'Service',
    obj: { metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https' }] } },
    path: 'spec',
    want: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https', protocol: 'TCP' }], sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] },
  },
  { name: 'secret', gk: 'Secret', obj: { metadata: { name: 's' }, stringData: { user: 'admin' }, data: { a: 'eA==' } }, path: '', want: { metadata: { name: 's' }, data: { a: 'eA==', user: 'YWRtaW4=' }, type: 'Opaque' } },
  { name: 'namespace', gk: 'Namespace', obj: { metadata: { name: 'team' } }, path: '', want: { metadata: { name: 'team', labels: { 'kubernetes.io/metadata.name': 'team' } }, status: { phase: 'Active' } } },
  { name: 'pvc', gk: 'PersistentVolumeClaim', obj: { metadata: { name: 'c' }, spec: { resources: { requests: { storage: '2048Mi' } } } }, path: '', want: { metadata: { name: 'c' }, spec: { resources: { requests: { storage: '2Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } } },
  { name: 'pv', gk: 'PersistentVolume', obj: { metadata: { name: 'v' }, spec: { hostPath: { path: '/d' } } }, path: 'spec', want: { hostPath: { path: '/d', type: '' }, persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' } },
  { name: 'storage class', gk: groupKindKey('storage.k8s.io', 'StorageClass'), obj: { metadata: { name: 'sc' }, provisioner: 'x' }, path: '', want: { metadata: { name: 'sc' }, provisioner: 'x', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' } },
  {
    name: 'role binding',
    gk: groupKindKey('rbac.authorization.k8s.io', 'RoleBinding'),
    obj: { metadata: { name: 'b' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'sa' }] },
    path: '',
    want: { metadata: { name: 'b' }, roleRef: { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' }, subjects: [{ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'sa', apiGroup: '' }] },
  },
  {
    name: 'crd',
    gk: groupKindKey('apiextensions.k8s.io', 'CustomResourceDefinition'),
    obj: { metadata: { name: 'widgets.example.com' }, spec: { names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true }] } },
    path: '',
    want: { metadata: { name: 'widgets.example.com' }, spec: { names: { plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' }, versions: [{ name: 'v1', served: true, storage: true }], conversion: { strategy: 'None' } }, status: { storedVersions: ['v1'] } },
  },
  { name: 'endpoints', gk: 'Endpoints', obj: { metadata: { name: 'e' }, subsets: [{ ports: [{ port: 80 }] }] }, path: 'subsets', want: [{ ports: [{ port: 80, protocol: 'TCP' }] }] },
  { name: 'endpoint slice', gk: groupKindKey('discovery.k8s.io', 'EndpointSlice'), obj: { metadata: { name: 'e' }, ports: [{ port: 80 }] }, path: 'ports', want: [{ port: 80, name: '', protocol: 'TCP' }] },
  { name: 'unknown kinds are untouched', gk: 'Widget.example.com', obj: { metadata: { name: 'w' }, spec: {} }, path: '', want: { metadata: { name: 'w' }, spec: {} } },
];

function at(o: Record<string, any>, path: string): unknown {
  return path ? path.split('.').reduce<any>((acc, k) => acc?.[k], o) : o;
}

for (const w of workloads) {
  test(`defaults: ${w.name}`, () => assert.deepEqual(at(defaulted(w.gk, w.obj), w.path), w.want));
}

test('defaults: hpa v2 fills a CPU metric and complete behavior', () => {
  const hpa = defaulted(groupKindKey('autoscaling', 'HorizontalPodAutoscaler'), { metadata: { name: 'h' }, spec: { maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } }, 'v2');
  assert.deepEqual(hpa.spec, {
    maxReplicas: 3,
    minReplicas: 1,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    behavior: {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 60 },
    },
  });
});

test('defaults: hpa v1 only sets minReplicas', () => {
  const hpa = defaulted(groupKindKey('autoscaling', 'HorizontalPodAutoscaler'), { metadata: { name: 'h' }, spec: { maxReplicas: 3 } }, 'v1');
  assert.deepEqual(hpa.spec, { maxReplicas: 3, minReplicas: 1 });
});

test('defaults: namespace create adds the kubernetes finalizer', () => {
  const ns = defaulted('Namespace', { metadata: { name: 'team' }, spec: { finalizers: ['example.com/x'] } });
  prepareForCreate('Namespace', ns as KubeObject);
  assert.deepEqual(ns.spec.finalizers, ['example.com/x', 'kubernetes']);
});

test('defaults: job selector generation leaves manual selectors alone', () => {
  const job = defaulted(groupKindKey('batch', 'Job'), { metadata: { name: 'j', uid: 'u1' }, spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } } } } });
  prepareForCreate(groupKindKey('batch', 'Job'), job as KubeObject);
  assert.deepEqual(job.spec.selector, { matchLabels: { a: 'b' } });
  assert.deepEqual(job.spec.template.metadata.labels, { a: 'b' });
});

test('defaults: limit range container defaults', () => {
  const lr = defaulted('LimitRange', { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } });
  assert.deepEqual(lr.spec.limits[0], { type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } });
});

test('defaults: applying twice changes nothing more', () => {
  const gk = groupKindKey('apps', 'Deployment');
  const once = defaulted(gk, { metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } });
  const twice = defaulted(gk, JSON.parse(JSON.stringify(once)));
  assert.deepEqual(twice, once);
});
