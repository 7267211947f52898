// Builders for the deployment controller's unit tests.
import type { ReplicaSet } from '../../replicaset/types.js';
import type { Deployment, IntOrPercent } from '../types.js';

export function deployment(replicas: number, opts: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent; strategy?: string; annotations?: Record<string, string>; statusReplicas?: number } = {}): Deployment {
  const strategy = opts.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1, annotations: opts.annotations },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'unyo/web:1' }] } },
      strategy: strategy === 'RollingUpdate' ? { type: strategy, rollingUpdate: { maxSurge: opts.maxSurge ?? '25%', maxUnavailable: opts.maxUnavailable ?? '25%' } } : { type: strategy },
    },
    status: opts.statusReplicas === undefined ? undefined : { replicas: opts.statusReplicas },
  };
}

export function replicaSet(name: string, replicas: number, opts: { available?: number; created?: string; revision?: number; annotations?: Record<string, string>; image?: string } = {}): ReplicaSet {
  const annotations: Record<string, string> = { ...(opts.annotations ?? {}) };
  if (opts.revision !== undefined) annotations['deployment.kubernetes.io/revision'] = String(opts.revision);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `${name}-uid`, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z', annotations },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', 'pod-template-hash': name } }, spec: { containers: [{ name: 'web', image: opts.image ?? `unyo/web:${name}` }] } },
    },
    status: { replicas, availableReplicas: opts.available ?? replicas, readyReplicas: opts.available ?? replicas },
  };
}
