// Rows as `kubectl get -o wide` prints them on a real cluster, for representative objects of
// each kind. Each case lists every cell (wide columns included) of the row toTable builds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources, customResource, type ResourceType } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { humanDuration, parseIncludeObject, parseTableAccept, toTable } from './table.js';

const NOW = new Date('2025-01-01T12:00:00Z');

/** An RFC 3339 timestamp `span` ("90s", "10m", "3h", "2d") before NOW. */
function ago(span: string): string {
  const m = /^(\d+)([smhd])$/.exec(span);
  if (!m) throw new Error(span);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return new Date(NOW.getTime() - Number(m[1]) * unit).toISOString().replace('.000Z', 'Z');
}

function resource(kind: string, group = ''): ResourceType {
  const r = builtinResources.find((b) => b.kind === kind && b.group === group);
  if (r) return r;
  // Kinds printed upstream that the catalogue does not serve yet.
  return customResource({ group, version: 'v1', kind, plural: `${kind.toLowerCase()}s`, namespaced: true, storageVersion: 'v1' });
}

function meta(name: string, extra: Record<string, unknown> = {}) {
  return { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: ago('10m'), ...extra };
}

function row(r: ResourceType, o: Record<string, unknown>) {
  const table = toTable(r, [o as KubeObject], { includeObject: 'None', listMeta: {}, now: NOW });
  return table.rows[0];
}

function headers(r: ResourceType): string[] {
  return toTable(r, [], { includeObject: 'None', listMeta: {}, now: NOW }).columnDefinitions.map((c) => (c.priority > 0 ? `(${c.name})` : c.name));
}

const running = (name: string, extra: Record<string, unknown> = {}) => ({ name, ready: true, restartCount: 0, started: true, state: { running: { startedAt: ago('10m') } }, ...extra });

interface Case {
  name: string;
  resource: ResourceType;
  object: Record<string, unknown>;
  cells: unknown[];
}

const podCases: Case[] = [
  {
    name: 'running and ready',
    resource: resource('Pod'),
    object: {
      metadata: meta('web-1'),
      spec: { nodeName: 'node-1', containers: [{ name: 'web' }] },
      status: { phase: 'Running', podIP: '10.42.0.5', podIPs: [{ ip: '10.42.0.5' }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running('web')] },
    },
    cells: ['web-1', '1/1', 'Running', '0', '10m', '10.42.0.5', 'node-1', '<none>', '<none>'],
  },
  {
    name: 'crash looping with the last restart 30s ago',
    resource: resource('Pod'),
    object: {
      metadata: meta('web-2'),
      spec: { nodeName: 'node-1', containers: [{ name: 'web' }] },
      status: {
        phase: 'Running',
        podIPs: [{ ip: '10.42.0.6' }],
        containerStatuses: [
          {
            name: 'web',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago('30s') } },
          },
        ],
      },
    },
    cells: ['web-2', '0/1', 'CrashLoopBackOff', '5 (30s ago)', '10m', '10.42.0.6', 'node-1', '<none>', '<none>'],
  },
  {
    name: 'first of two init containers running',
    resource: resource('Pod'),
    object: {
      metadata: meta('init-1'),
      spec: { nodeName: 'node-2', initContainers: [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'main' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', ready: false, restartCount: 0, state: { running: { startedAt: ago('5s') } } },
          { name: 'b', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
        containerStatuses: [{ name: 'main', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    },
    cells: ['init-1', '0/1', 'Init:0/2', '0', '10m', '<none>', 'node-2', '<none>', '<none>'],
  },
  {
    name: 'init container crash looping',
    resource: resource('Pod'),
    object: {
      metadata: meta('init-2'),
      spec: { initContainers: [{ name: 'a' }], containers: [{ name: 'main' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago('2m') } } },
        ],
      },
    },
    cells: ['init-2', '0/1', 'Init:CrashLoopBackOff', '3 (2m ago)', '10m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'init container failed with a reason',
    resource: resource('Pod'),
    object: {
      metadata: meta('init-3'),
      spec: { initContainers: [{ name: 'a' }], containers: [{ name: 'main' }] },
      status: { phase: 'Failed', initContainerStatuses: [{ name: 'a', restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } }] },
    },
    cells: ['init-3', '0/1', 'Init:Error', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'init container killed by a signal without a reason',
    resource: resource('Pod'),
    object: {
      metadata: meta('init-4'),
      spec: { initContainers: [{ name: 'a' }], containers: [{ name: 'main' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'a', restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] },
    },
    cells: ['init-4', '0/1', 'Init:Signal:9', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'completed',
    resource: resource('Pod'),
    object: {
      metadata: meta('job-abc'),
      spec: { nodeName: 'node-1', containers: [{ name: 'main' }] },
      status: { phase: 'Succeeded', podIPs: [{ ip: '10.42.1.9' }], containerStatuses: [{ name: 'main', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    },
    cells: ['job-abc', '0/1', 'Completed', '0', '10m', '10.42.1.9', 'node-1', '<none>', '<none>'],
  },
  {
    name: 'main container exited without a reason',
    resource: resource('Pod'),
    object: {
      metadata: meta('exit-1'),
      spec: { containers: [{ name: 'main' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'main', restartCount: 0, state: { terminated: { exitCode: 3 } } }] },
    },
    cells: ['exit-1', '0/1', 'ExitCode:3', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'one container completed while the other runs and the pod is ready',
    resource: resource('Pod'),
    object: {
      metadata: meta('two-1'),
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [running('a'), { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
    },
    cells: ['two-1', '1/2', 'Running', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'one container completed while the other runs and the pod is not ready',
    resource: resource('Pod'),
    object: {
      metadata: meta('two-2'),
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [running('a'), { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
    },
    cells: ['two-2', '1/2', 'NotReady', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'being deleted',
    resource: resource('Pod'),
    object: {
      metadata: meta('web-3', { deletionTimestamp: ago('5s'), deletionGracePeriodSeconds: 30 }),
      spec: { nodeName: 'node-1', containers: [{ name: 'web' }] },
      status: { phase: 'Running', podIPs: [{ ip: '10.42.0.7' }], containerStatuses: [running('web')] },
    },
    cells: ['web-3', '1/1', 'Terminating', '0', '10m', '10.42.0.7', 'node-1', '<none>', '<none>'],
  },
  {
    name: 'being deleted on a lost node',
    resource: resource('Pod'),
    object: {
      metadata: meta('web-4', { deletionTimestamp: ago('5s') }),
      spec: { nodeName: 'node-3', containers: [{ name: 'web' }] },
      status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('web')] },
    },
    cells: ['web-4', '1/1', 'Unknown', '0', '10m', '<none>', 'node-3', '<none>', '<none>'],
  },
  {
    name: 'creating its container',
    resource: resource('Pod'),
    object: {
      metadata: meta('web-5'),
      spec: { nodeName: 'node-1', containers: [{ name: 'web' }] },
      status: { phase: 'Pending', containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
    },
    cells: ['web-5', '0/1', 'ContainerCreating', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  {
    name: 'not yet scheduled, nominated after preemption',
    resource: resource('Pod'),
    object: {
      metadata: meta('big'),
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: { phase: 'Pending', nominatedNodeName: 'node-2', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
    },
    cells: ['big', '0/2', 'Pending', '0', '10m', '<none>', '<none>', 'node-2', '<none>'],
  },
  {
    name: 'held by a scheduling gate',
    resource: resource('Pod'),
    object: {
      metadata: meta('gated'),
      spec: { schedulingGates: [{ name: 'example.com/wait' }], containers: [{ name: 'a' }] },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
    },
    cells: ['gated', '0/1', 'SchedulingGated', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'evicted',
    resource: resource('Pod'),
    object: {
      metadata: meta('evicted'),
      spec: { nodeName: 'node-1', containers: [{ name: 'a' }] },
      status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
    },
    cells: ['evicted', '0/1', 'Evicted', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  {
    name: 'with a running sidecar and readiness gates',
    resource: resource('Pod'),
    object: {
      metadata: meta('sidecar'),
      spec: {
        nodeName: 'node-1',
        readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
        initContainers: [{ name: 'proxy', restartPolicy: 'Always' }],
        containers: [{ name: 'app' }],
      },
      status: {
        phase: 'Running',
        podIPs: [{ ip: '10.42.0.8' }, { ip: 'fd00::8' }],
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
        initContainerStatuses: [
          { name: 'proxy', ready: true, started: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago('5h') } } },
        ],
        containerStatuses: [running('app', { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago('4h') } } })],
      },
    },
    cells: ['sidecar', '2/2', 'Running', '3 (4h ago)', '10m', '10.42.0.8', 'node-1', '<none>', '1/2'],
  },
];

const workloadCases: Case[] = [
  {
    name: 'deployment mid-rollout',
    resource: resource('Deployment', 'apps'),
    object: {
      metadata: meta('web'),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'web', image: 'unyo/web:v2' }, { name: 'log', image: 'unyo/logger:1' }] } },
      },
      status: { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 },
    },
    cells: ['web', '2/3', 1, 2, '10m', 'web,log', 'unyo/web:v2,unyo/logger:1', 'app=web'],
  },
  {
    name: 'deployment scaled to zero with a set-based selector',
    resource: resource('Deployment', 'apps'),
    object: {
      metadata: meta('idle'),
      spec: {
        replicas: 0,
        selector: { matchLabels: { tier: 'a' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['qa', 'dev'] }, { key: 'legacy', operator: 'DoesNotExist' }] },
        template: { spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
      status: {},
    },
    cells: ['idle', '0/0', 0, 0, '10m', 'c', 'i', 'env in (dev,qa),!legacy,tier=a'],
  },
  {
    name: 'replicaset',
    resource: resource('ReplicaSet', 'apps'),
    object: {
      metadata: meta('web-7d9f8'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d9f8' } }, template: { spec: { containers: [{ name: 'web', image: 'unyo/web:v1' }] } } },
      status: { replicas: 3, readyReplicas: 3 },
    },
    cells: ['web-7d9f8', 3, 3, 3, '10m', 'web', 'unyo/web:v1', 'app=web,pod-template-hash=7d9f8'],
  },
  {
    name: 'daemonset on every linux node',
    resource: resource('DaemonSet', 'apps'),
    object: {
      metadata: meta('agent'),
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'agent', image: 'unyo/logger:1' }] } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    },
    cells: ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '10m', 'agent', 'unyo/logger:1', 'app=agent'],
  },
  {
    name: 'statefulset',
    resource: resource('StatefulSet', 'apps'),
    object: {
      metadata: meta('kv'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'kv' } }, template: { spec: { containers: [{ name: 'kv', image: 'unyo/kv:1' }] } } },
      status: { replicas: 2, readyReplicas: 1 },
    },
    cells: ['kv', '1/3', '10m', 'kv', 'unyo/kv:1'],
  },
  {
    name: 'controllerrevision of a statefulset',
    resource: resource('ControllerRevision', 'apps'),
    object: { metadata: meta('kv-5b8c', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv', uid: 'u', controller: true }] }), revision: 2 },
    cells: ['kv-5b8c', 'statefulset.apps/kv', 2, '10m'],
  },
  {
    name: 'job complete',
    resource: resource('Job', 'batch'),
    object: {
      metadata: meta('pi'),
      spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } }, template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }] } } },
      status: { succeeded: 1, startTime: ago('9m'), completionTime: ago('8m'), conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] },
    },
    cells: ['pi', 'Complete', '1/1', '60s', '10m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=abc'],
  },
  {
    name: 'job running as a parallel work queue',
    resource: resource('Job', 'batch'),
    object: {
      metadata: meta('queue'),
      spec: { parallelism: 3, template: { spec: { containers: [{ name: 'w', image: 'w' }] } } },
      status: { active: 3, startTime: ago('150s') },
    },
    cells: ['queue', 'Running', '0/1 of 3', '2m30s', '10m', 'w', 'w', '<none>'],
  },
  {
    name: 'job failed after backoff',
    resource: resource('Job', 'batch'),
    object: {
      metadata: meta('bad'),
      spec: { completions: 3, template: { spec: { containers: [{ name: 'w', image: 'w' }] } } },
      status: { failed: 7, succeeded: 1, startTime: ago('10m'), conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    },
    cells: ['bad', 'Failed', '1/3', '10m', '10m', 'w', 'w', '<none>'],
  },
  {
    name: 'job suspended before starting',
    resource: resource('Job', 'batch'),
    object: {
      metadata: meta('later'),
      spec: { suspend: true, completions: 2, template: { spec: { containers: [{ name: 'w', image: 'w' }] } } },
      status: { conditions: [{ type: 'Suspended', status: 'True' }] },
    },
    cells: ['later', 'Suspended', '0/2', '', '10m', 'w', 'w', '<none>'],
  },
  {
    name: 'cronjob',
    resource: resource('CronJob', 'batch'),
    object: {
      metadata: meta('backup'),
      spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: 'busybox' }] } } } } },
      status: { active: [{ name: 'backup-1' }], lastScheduleTime: ago('90s') },
    },
    cells: ['backup', '*/5 * * * *', '<none>', 'False', 1, '90s', '10m', 'b', 'busybox', '<none>'],
  },
  {
    name: 'hpa with a CPU target and current usage',
    resource: resource('HorizontalPodAutoscaler', 'autoscaling'),
    object: {
      apiVersion: 'autoscaling/v2',
      metadata: meta('web'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
      status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40, averageValue: '200m' } } }] },
    },
    cells: ['web', 'Deployment/web', 'cpu: 40%/80%', '1', 10, 2, '10m'],
  },
  {
    name: 'hpa with three metrics before the first measurement',
    resource: resource('HorizontalPodAutoscaler', 'autoscaling'),
    object: {
      apiVersion: 'autoscaling/v2',
      metadata: meta('api'),
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'api' },
        maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } },
          { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } } },
        ],
      },
      status: { currentReplicas: 0 },
    },
    cells: ['api', 'Deployment/api', 'memory: <unknown>/500Mi, <unknown>/10 + 1 more...', '<unset>', 5, 0, '10m'],
  },
  {
    name: 'hpa read as autoscaling/v1',
    resource: builtinResources.find((r) => r.kind === 'HorizontalPodAutoscaler' && r.version === 'v1')!,
    object: {
      apiVersion: 'autoscaling/v1',
      metadata: meta('old'),
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'old' }, minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 50 },
      status: { currentReplicas: 2 },
    },
    cells: ['old', 'Deployment/old', 'cpu: <unknown>/50%', '2', 4, 2, '10m'],
  },
  {
    name: 'pdb with minAvailable',
    resource: resource('PodDisruptionBudget', 'policy'),
    object: { metadata: meta('web'), spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 1 } },
    cells: ['web', '2', 'N/A', 1, '10m'],
  },
  {
    name: 'pdb with a percentage maxUnavailable',
    resource: resource('PodDisruptionBudget', 'policy'),
    object: { metadata: meta('kv'), spec: { maxUnavailable: '50%' }, status: {} },
    cells: ['kv', 'N/A', '50%', 0, '10m'],
  },
];

const coreCases: Case[] = [
  {
    name: 'namespace',
    resource: resource('Namespace'),
    object: { metadata: { name: 'kube-system', creationTimestamp: ago('3d') }, status: { phase: 'Active' } },
    cells: ['kube-system', 'Active', '3d'],
  },
  {
    name: 'namespace being deleted',
    resource: resource('Namespace'),
    object: { metadata: { name: 'old', creationTimestamp: ago('50h'), deletionTimestamp: ago('1m') }, status: { phase: 'Terminating' } },
    cells: ['old', 'Terminating', '2d2h'],
  },
  {
    name: 'ready control-plane node',
    resource: resource('Node'),
    object: {
      metadata: {
        name: 'node-1',
        creationTimestamp: ago('5h'),
        labels: { 'node-role.kubernetes.io/master': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'node-1' },
      },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '127.0.1.1' }],
        nodeInfo: { kubeletVersion: 'v1.32.0-unyo', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'unyo://0.1.0' },
      },
    },
    cells: ['node-1', 'Ready', 'control-plane,master', '5h', 'v1.32.0-unyo', '127.0.1.1', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'unyo://0.1.0'],
  },
  {
    name: 'cordoned node',
    resource: resource('Node'),
    object: {
      metadata: { name: 'node-2', creationTimestamp: ago('5h'), labels: { 'kubernetes.io/role': 'worker' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'ExternalIP', address: '203.0.113.7' }], nodeInfo: { kubeletVersion: 'v1.32.0' } },
    },
    cells: ['node-2', 'Ready,SchedulingDisabled', 'worker', '5h', 'v1.32.0', '<none>', '203.0.113.7', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'node that stopped reporting',
    resource: resource('Node'),
    object: { metadata: { name: 'node-3', creationTimestamp: ago('8d') }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }], nodeInfo: {} } },
    cells: ['node-3', 'NotReady', '<none>', '8d', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'node that never reported',
    resource: resource('Node'),
    object: { metadata: { name: 'node-4', creationTimestamp: ago('30s') } },
    cells: ['node-4', 'Unknown', '<none>', '30s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'kubernetes service',
    resource: resource('Service'),
    object: { metadata: meta('kubernetes'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } },
    cells: ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '10m', '<none>'],
  },
  {
    name: 'nodeport service with two ports',
    resource: resource('Service'),
    object: {
      metadata: meta('web'),
      spec: { type: 'NodePort', clusterIPs: ['10.96.12.7'], selector: { tier: 'front', app: 'web' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, nodePort: 30053, protocol: 'UDP' }] },
    },
    cells: ['web', 'NodePort', '10.96.12.7', '<none>', '80:30080/TCP,53:30053/UDP', '10m', 'app=web,tier=front'],
  },
  {
    name: 'load balancer waiting for an address',
    resource: resource('Service'),
    object: { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.3.3'], ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] }, status: { loadBalancer: {} } },
    cells: ['lb', 'LoadBalancer', '10.96.3.3', '<pending>', '80:31000/TCP', '10m', '<none>'],
  },
  {
    name: 'load balancer with ingress points and an external IP',
    resource: resource('Service'),
    object: {
      metadata: meta('lb2'),
      spec: { type: 'LoadBalancer', clusterIPs: ['10.96.3.4'], externalIPs: ['198.51.100.1'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.20' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.10' }] } },
    },
    cells: ['lb2', 'LoadBalancer', '10.96.3.4', '203.0.113.10,203.0.113.20,lb.example.com,198.51.100.1', '443:31443/TCP', '10m', '<none>'],
  },
  {
    name: 'headless service without ports',
    resource: resource('Service'),
    object: { metadata: meta('kv'), spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'kv' } } },
    cells: ['kv', 'ClusterIP', 'None', '<none>', '<none>', '10m', 'app=kv'],
  },
  {
    name: 'external name service',
    resource: resource('Service'),
    object: { metadata: meta('db'), spec: { type: 'ExternalName', externalName: 'db.example.com' } },
    cells: ['db', 'ExternalName', '<none>', 'db.example.com', '<none>', '10m', '<none>'],
  },
  {
    name: 'configmap with data and binaryData',
    resource: resource('ConfigMap'),
    object: { metadata: meta('settings'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } },
    cells: ['settings', 3, '10m'],
  },
  {
    name: 'empty configmap',
    resource: resource('ConfigMap'),
    object: { metadata: meta('kube-root-ca.crt', { creationTimestamp: ago('2d') }) },
    cells: ['kube-root-ca.crt', 0, '2d'],
  },
  {
    name: 'tls secret',
    resource: resource('Secret'),
    object: { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } },
    cells: ['tls', 'kubernetes.io/tls', 2, '10m'],
  },
  {
    name: 'default service account',
    resource: resource('ServiceAccount'),
    object: { metadata: meta('default') },
    cells: ['default', 0, '10m'],
  },
  {
    name: 'repeated warning event',
    resource: resource('Event'),
    object: {
      metadata: meta('web-2.17f1'),
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-2', fieldPath: 'spec.containers{web}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container web in pod web-2_default(uid)\n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago('9m'),
      lastTimestamp: ago('20s'),
      count: 12,
      type: 'Warning',
    },
    cells: ['20s', 'Warning', 'BackOff', 'pod/web-2', 'spec.containers{web}', 'kubelet, node-1', 'Back-off restarting failed container web in pod web-2_default(uid)', '9m', 12, 'web-2.17f1'],
  },
  {
    name: 'event recorded through the new API with a series',
    resource: resource('Event'),
    object: {
      metadata: meta('web.17f2'),
      involvedObject: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set web-7d9f8 to 3',
      eventTime: '2025-01-01T11:55:00.000000Z',
      series: { count: 4, lastObservedTime: '2025-01-01T11:59:00.000000Z' },
      reportingComponent: 'deployment-controller',
      reportingController: 'deployment-controller',
      reportingInstance: '',
      source: {},
      type: 'Normal',
    },
    cells: ['60s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up replica set web-7d9f8 to 3', '5m', 4, 'web.17f2'],
  },
  {
    name: 'events.k8s.io event seen once',
    resource: resource('Event', 'events.k8s.io'),
    object: {
      apiVersion: 'events.k8s.io/v1',
      metadata: meta('node-1.17f3'),
      regarding: { kind: 'Node', name: 'node-1' },
      reason: 'Starting',
      note: 'Starting kubelet.',
      eventTime: '2025-01-01T11:58:30.000000Z',
      reportingController: 'kubelet',
      reportingInstance: 'node-1',
      action: 'Starting',
      type: 'Normal',
    },
    cells: ['90s', 'Normal', 'Starting', 'node/node-1', '', 'kubelet, node-1', 'Starting kubelet.', '90s', 1, 'node-1.17f3'],
  },
  {
    name: 'endpoints with more than three addresses',
    resource: resource('Endpoints'),
    object: {
      metadata: meta('web'),
      subsets: [{ addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }, { ip: '10.42.1.7' }, { ip: '10.42.2.8' }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    },
    cells: ['web', '10.42.0.5:8080,10.42.0.6:8080,10.42.1.7:8080 + 1 more...', '10m'],
  },
  {
    name: 'endpoints with no subsets',
    resource: resource('Endpoints'),
    object: { metadata: meta('empty') },
    cells: ['empty', '<none>', '10m'],
  },
  {
    name: 'bound persistent volume',
    resource: resource('PersistentVolume'),
    object: {
      metadata: { name: 'pvc-1234', creationTimestamp: ago('3h') },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'local', claimRef: { namespace: 'default', name: 'data-kv-0' }, volumeMode: 'Filesystem' },
      status: { phase: 'Bound' },
    },
    cells: ['pvc-1234', '1Gi', 'RWO,RWX', 'Delete', 'Bound', 'default/data-kv-0', 'local', '<unset>', '', '3h', 'Filesystem'],
  },
  {
    name: 'bound claim',
    resource: resource('PersistentVolumeClaim'),
    object: {
      metadata: meta('data-kv-0'),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local', volumeName: 'pvc-1234', volumeMode: 'Filesystem' },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } },
    },
    cells: ['data-kv-0', 'Bound', 'pvc-1234', '1Gi', 'RWO', 'local', '<unset>', '10m', 'Filesystem'],
  },
  {
    name: 'pending claim with the beta class annotation',
    resource: resource('PersistentVolumeClaim'),
    object: {
      metadata: meta('data-x', { annotations: { 'volume.beta.kubernetes.io/storage-class': 'slow' } }),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'fast' },
      status: { phase: 'Pending' },
    },
    cells: ['data-x', 'Pending', '', '', '', 'slow', '<unset>', '10m', '<unset>'],
  },
  {
    name: 'resource quota',
    resource: resource('ResourceQuota'),
    object: {
      metadata: meta('compute'),
      spec: { hard: {} },
      status: { hard: { 'requests.cpu': '1', pods: '10', 'limits.memory': '2Gi', 'limits.cpu': '2', 'requests.memory': '1Gi' }, used: { 'requests.cpu': '100m', pods: '2', 'limits.cpu': '200m' } },
    },
    cells: ['compute', '10m', 'pods: 2/10, requests.cpu: 100m/1, requests.memory: 0/1Gi', 'limits.cpu: 200m/2, limits.memory: 0/2Gi'],
  },
  {
    name: 'replication controller',
    resource: resource('ReplicationController'),
    object: { metadata: meta('rc'), spec: { replicas: 2, selector: { app: 'rc' }, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } }, status: { replicas: 2, readyReplicas: 1 } },
    cells: ['rc', 2, 2, 1, '10m', 'c', 'i', 'app=rc'],
  },
  {
    name: 'pod template',
    resource: resource('PodTemplate'),
    object: { metadata: meta('tpl'), template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    cells: ['tpl', 'c', 'i', 'app=x'],
  },
];

const clusterCases: Case[] = [
  {
    name: 'default storage class',
    resource: resource('StorageClass', 'storage.k8s.io'),
    object: {
      metadata: { name: 'local', creationTimestamp: ago('3d'), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'unyo.io/local',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    cells: ['local (default)', 'unyo.io/local', 'Delete', 'WaitForFirstConsumer', false, '3d'],
  },
  {
    name: 'storage class with defaults left out',
    resource: resource('StorageClass', 'storage.k8s.io'),
    object: { metadata: { name: 'fast', creationTimestamp: ago('3d') }, provisioner: 'example.com/ssd', allowVolumeExpansion: true },
    cells: ['fast', 'example.com/ssd', 'Delete', 'Immediate', true, '3d'],
  },
  {
    name: 'csi driver',
    resource: resource('CSIDriver', 'storage.k8s.io'),
    object: { metadata: { name: 'hostpath.csi.k8s.io', creationTimestamp: ago('1d') }, spec: { attachRequired: false, podInfoOnMount: true, volumeLifecycleModes: ['Persistent', 'Ephemeral'] } },
    cells: ['hostpath.csi.k8s.io', false, true, false, '<unset>', false, 'Persistent,Ephemeral', '24h'],
  },
  {
    name: 'csi node',
    resource: resource('CSINode', 'storage.k8s.io'),
    object: { metadata: { name: 'node-1', creationTimestamp: ago('1d') }, spec: { drivers: [{ name: 'a' }] } },
    cells: ['node-1', 1, '24h'],
  },
  {
    name: 'volume attachment',
    resource: resource('VolumeAttachment', 'storage.k8s.io'),
    object: { metadata: { name: 'csi-abc', creationTimestamp: ago('1d') }, spec: { attacher: 'x.csi', nodeName: 'node-1', source: { persistentVolumeName: 'pv-1' } }, status: { attached: true } },
    cells: ['csi-abc', 'x.csi', 'pv-1', 'node-1', true, '24h'],
  },
  {
    name: 'role binding with every kind of subject',
    resource: resource('RoleBinding', 'rbac.authorization.k8s.io'),
    object: {
      metadata: meta('readers'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', namespace: 'ci', name: 'runner' },
      ],
    },
    cells: ['readers', 'ClusterRole/view', '10m', 'alice, bob', 'devs', 'ci/runner'],
  },
  {
    name: 'cluster role binding',
    resource: resource('ClusterRoleBinding', 'rbac.authorization.k8s.io'),
    object: { metadata: { name: 'cluster-admin', creationTimestamp: ago('3d') }, roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Group', name: 'system:masters' }] },
    cells: ['cluster-admin', 'ClusterRole/cluster-admin', '3d', '', 'system:masters', ''],
  },
  {
    name: 'role has no printer and shows its creation time',
    resource: resource('Role', 'rbac.authorization.k8s.io'),
    object: { metadata: meta('pod-reader', { creationTimestamp: '2024-12-31T10:20:30Z' }), rules: [] },
    cells: ['pod-reader', '2024-12-31T10:20:30Z'],
  },
  {
    name: 'limit range has no printer either',
    resource: resource('LimitRange'),
    object: { metadata: meta('limits', { creationTimestamp: '2024-12-31T10:20:30.123Z' }), spec: { limits: [] } },
    cells: ['limits', '2024-12-31T10:20:30Z'],
  },
  {
    name: 'custom resource definition',
    resource: resource('CustomResourceDefinition', 'apiextensions.k8s.io'),
    object: { metadata: { name: 'widgets.example.com', creationTimestamp: '2024-06-01T00:00:00Z' }, spec: {} },
    cells: ['widgets.example.com', '2024-06-01T00:00:00Z'],
  },
  {
    name: 'lease',
    resource: resource('Lease', 'coordination.k8s.io'),
    object: { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'node-1_5e1c', leaseDurationSeconds: 15 } },
    cells: ['kube-scheduler', 'node-1_5e1c', '10m'],
  },
  {
    name: 'endpoint slice',
    resource: resource('EndpointSlice', 'discovery.k8s.io'),
    object: {
      metadata: meta('web-abcde'),
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics' }],
      endpoints: [{ addresses: ['10.42.0.5'] }, { addresses: ['10.42.0.6'] }],
    },
    cells: ['web-abcde', 'IPv4', '8080,metrics', '10.42.0.5,10.42.0.6', '10m'],
  },
  {
    name: 'empty endpoint slice',
    resource: resource('EndpointSlice', 'discovery.k8s.io'),
    object: { metadata: meta('web-fghij'), addressType: 'IPv4', endpoints: [] },
    cells: ['web-fghij', 'IPv4', '<unset>', '<unset>', '10m'],
  },
  {
    name: 'priority class',
    resource: resource('PriorityClass', 'scheduling.k8s.io'),
    object: { metadata: { name: 'system-node-critical', creationTimestamp: ago('3d') }, value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' },
    cells: ['system-node-critical', 2000001000, false, '3d', 'PreemptLowerPriority'],
  },
  {
    name: 'ingress with tls and more hosts than fit',
    resource: resource('Ingress', 'networking.k8s.io'),
    object: {
      metadata: meta('site'),
      spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.example.com'] }], rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }, {}, { host: 'd.example.com' }, { host: 'e.example.com' }] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } },
    },
    cells: ['site', 'nginx', 'a.example.com,b.example.com,d.example.com + 2 more...', '203.0.113.5', '80, 443', '10m'],
  },
];

describe('toTable rows', () => {
  for (const [group, cases] of Object.entries({ pods: podCases, workloads: workloadCases, core: coreCases, cluster: clusterCases })) {
    describe(group, () => {
      for (const c of cases) {
        it(c.name, () => assert.deepEqual(row(c.resource, c.object).cells, c.cells));
      }
    });
  }
});

describe('column headers', () => {
  const cases: Array<[ResourceType, string[]]> = [
    [resource('Pod'), ['Name', 'Ready', 'Status', 'Restarts', 'Age', '(IP)', '(Node)', '(Nominated Node)', '(Readiness Gates)']],
    [resource('Node'), ['Name', 'Status', 'Roles', 'Age', 'Version', '(Internal-IP)', '(External-IP)', '(OS-Image)', '(Kernel-Version)', '(Container-Runtime)']],
    [resource('Service'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', '(Selector)']],
    [resource('Event'), ['Last Seen', 'Type', 'Reason', 'Object', '(Subobject)', '(Source)', 'Message', '(First Seen)', '(Count)', '(Name)']],
    [resource('Deployment', 'apps'), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', '(Containers)', '(Images)', '(Selector)']],
    [resource('Job', 'batch'), ['Name', 'Status', 'Completions', 'Duration', 'Age', '(Containers)', '(Images)', '(Selector)']],
    [resource('CronJob', 'batch'), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', '(Containers)', '(Images)', '(Selector)']],
    [resource('HorizontalPodAutoscaler', 'autoscaling'), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']],
    [resource('ResourceQuota'), ['Name', 'Age', 'Request', 'Limit']],
    [resource('PersistentVolume'), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', '(VolumeMode)']],
    [resource('ClusterRole', 'rbac.authorization.k8s.io'), ['Name', 'Created At']],
  ];
  for (const [r, expected] of cases) {
    it(r.kind, () => assert.deepEqual(headers(r), expected));
  }
});

describe('custom resources', () => {
  const widget = (printerColumns?: Array<Record<string, unknown>>) =>
    customResource({
      group: 'example.com',
      version: 'v1',
      kind: 'Widget',
      plural: 'widgets',
      namespaced: true,
      storageVersion: 'v1',
      crd: { name: 'widgets.example.com', preserveUnknownFields: false, printerColumns },
    });
  const object = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: meta('w1'),
    spec: { replicas: 3, size: 2.5, paused: false, ports: [80, 443], labels: { b: '2', a: '<1>' }, ratio: 0.00001 },
    status: {
      lastSync: ago('3h'),
      conditions: [
        { type: 'Progressing', status: 'True' },
        { type: 'Ready', status: 'False', reason: 'Waiting' },
      ],
    },
  };

  const cases: Array<{ name: string; columns?: Array<Record<string, unknown>>; cells: unknown[]; headers?: string[] }> = [
    { name: 'no declared columns shows the age', cells: ['w1', '10m'], headers: ['Name', 'Age'] },
    {
      name: 'typed columns',
      columns: [
        { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
        { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        { name: 'Reason', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].reason", priority: 1 },
        { name: 'Size', type: 'number', jsonPath: '.spec.size' },
        { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
        { name: 'Synced', type: 'date', jsonPath: '.status.lastSync' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
      cells: ['w1', 3, 'False', 'Waiting', 2.5, false, '3h', '10m'],
      headers: ['Name', 'Replicas', 'Ready', '(Reason)', 'Size', 'Paused', 'Synced', 'Age'],
    },
    {
      name: 'values printed as text by a string column',
      columns: [
        { name: 'Replicas', type: 'string', jsonPath: '.spec.replicas' },
        { name: 'Ports', type: 'string', jsonPath: '.spec.ports' },
        { name: 'Labels', type: 'string', jsonPath: '.spec.labels' },
        { name: 'First', type: 'string', jsonPath: '.spec.ports[0]' },
        { name: 'Last', type: 'string', jsonPath: '.spec.ports[-1]' },
        { name: 'Paused', type: 'string', jsonPath: '.spec.paused' },
        { name: 'Ratio', type: 'string', jsonPath: '.spec.ratio' },
      ],
      cells: ['w1', '3', '[80,443]', '{"a":"\\u003c1\\u003e","b":"2"}', '80', '443', 'false', '1e-05'],
    },
    {
      name: 'missing values and mismatched types are empty',
      columns: [
        { name: 'Missing', type: 'string', jsonPath: '.status.observedGeneration' },
        { name: 'NoSuchCondition', type: 'string', jsonPath: '.status.conditions[?(@.type=="Available")].status' },
        { name: 'NotANumber', type: 'integer', jsonPath: '.status.lastSync' },
        { name: 'NotADate', type: 'date', jsonPath: '.spec.labels.b' },
      ],
      cells: ['w1', null, null, null, '<invalid>'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = widget(c.columns);
      const table = toTable(r, [object as KubeObject], { includeObject: 'None', listMeta: {}, now: NOW });
      assert.deepEqual(table.rows[0].cells, c.cells);
      if (c.headers) assert.deepEqual(headers(r), c.headers);
    });
  }
});

describe('Table envelope', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: meta('p', { resourceVersion: '42', labels: { app: 'x' } }), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Succeeded' } };
  const cases: Array<{ name: string; opts: Partial<Parameters<typeof toTable>[2]>; check: (t: ReturnType<typeof toTable>) => void }> = [
    {
      name: 'metadata rows by default carry PartialObjectMetadata',
      opts: { includeObject: 'Metadata', listMeta: { resourceVersion: '100', continue: 'token', remainingItemCount: 3 } },
      check: (t) => {
        assert.equal(t.apiVersion, 'meta.k8s.io/v1');
        assert.equal(t.kind, 'Table');
        assert.deepEqual(t.metadata, { resourceVersion: '100', continue: 'token', remainingItemCount: 3 });
        assert.deepEqual(t.rows[0].object, { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: pod.metadata });
        assert.deepEqual(t.rows[0].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
        assert.deepEqual(t.columnDefinitions[0], { name: 'Name', type: 'string', format: 'name', description: t.columnDefinitions[0].description, priority: 0 });
      },
    },
    {
      name: 'whole objects for includeObject=Object',
      opts: { includeObject: 'Object', listMeta: { resourceVersion: '100' } },
      check: (t) => {
        assert.equal(t.rows[0].object, pod);
        assert.deepEqual(t.metadata, { resourceVersion: '100' });
      },
    },
    {
      name: 'no object for includeObject=None',
      opts: { includeObject: 'None', listMeta: {} },
      check: (t) => assert.equal(t.rows[0].object, null),
    },
    {
      name: 'v1beta1 Tables carry v1beta1 metadata',
      opts: { includeObject: 'Metadata', listMeta: {}, version: 'v1beta1' },
      check: (t) => {
        assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
        assert.equal((t.rows[0].object as { apiVersion: string }).apiVersion, 'meta.k8s.io/v1beta1');
      },
    },
    {
      name: 'no headers when asked',
      opts: { includeObject: 'None', listMeta: {}, noHeaders: true },
      check: (t) => assert.deepEqual(t.columnDefinitions, []),
    },
  ];
  for (const c of cases) {
    it(c.name, () => c.check(toTable(resource('Pod'), [pod as KubeObject], { includeObject: 'None', listMeta: {}, now: NOW, ...c.opts })));
  }

  it('an empty list has no rows', () => {
    assert.deepEqual(toTable(resource('Pod'), [], { includeObject: 'Metadata', listMeta: { resourceVersion: '7' }, now: NOW }).rows, []);
  });
});

describe('humanDuration', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: Array<[number, string]> = [
    [-2 * s, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [999, '0s'],
    [59 * s, '59s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [3 * m + 2 * s, '3m2s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [48 * h, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d + 5 * h, '8d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [731 * d, '2y1d'],
    [8 * 365 * d + 40 * d, '8y'],
  ];
  for (const [ms, text] of cases) {
    it(`${ms}ms is ${text}`, () => assert.equal(humanDuration(ms), text));
  }
});

describe('parseTableAccept', () => {
  const kubectl = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  const cases: Array<[string | undefined, ReturnType<typeof parseTableAccept>]> = [
    [kubectl, { table: true, version: 'v1' }],
    ['application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io', { table: true, version: 'v1' }],
    ['application/json; as=Table; v=v1beta1; g=meta.k8s.io', { table: true, version: 'v1beta1' }],
    ['application/json', { table: false, version: 'v1' }],
    ['*/*', { table: false, version: 'v1' }],
    ['', { table: false, version: 'v1' }],
    [undefined, { table: false, version: 'v1' }],
    ['application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json', { table: false, version: 'v1' }],
    ['application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json', { table: false, version: 'v1' }],
    ['application/json;as=Table;v=v1;g=meta.k8s.io;q=0,application/json', { table: false, version: 'v1' }],
    ['application/json;as=Table;v=v2;g=meta.k8s.io', undefined],
    ['application/json;as=Table;v=v1;g=other.example.com', undefined],
  ];
  for (const [header, expected] of cases) {
    it(JSON.stringify(header), () => assert.deepEqual(parseTableAccept(header), expected));
  }
});

describe('parseIncludeObject', () => {
  const cases: Array<[string | undefined, ReturnType<typeof parseIncludeObject>]> = [
    [undefined, 'Metadata'],
    ['', 'Metadata'],
    ['None', 'None'],
    ['Metadata', 'Metadata'],
    ['Object', 'Object'],
    ['object', undefined],
  ];
  for (const [value, expected] of cases) {
    it(String(value), () => assert.equal(parseIncludeObject(value), expected));
  }
});
