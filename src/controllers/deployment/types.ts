// The apps/v1 Deployment as its controller reads it, and what every part of the controller
// works with: the API client, the caches of ReplicaSets and Pods, the event recorder, the clock.
import type { LabelSelectorSpec } from '../../api/labels.js';
import type { KubeObject } from '../../api/types.js';
import type { ApiClient, ResourceRef } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { Clock } from '../runtime/clock.js';
import type { Pod } from '../runtime/pods.js';
import type { PodTemplateSpec, ReplicaSet } from '../replicaset/types.js';

export type IntOrPercent = number | string;

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    selector: LabelSelectorSpec;
    template: PodTemplateSpec;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: DeploymentStatus;
}

export const deploymentsRef = (namespace?: string): ResourceRef => ({ group: 'apps', version: 'v1', plural: 'deployments', namespace });

/** spec.replicas (defaulted to 1 by the API server). */
export const desiredReplicas = (d: Deployment): number => d.spec.replicas ?? 1;

/** A reference to the Deployment for events (list items carry no kind). */
export function deploymentObject(d: Deployment): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata };
}

/** What the parts of the deployment controller (sync, rolling, recreate, rollback, progress) share. */
export interface DeploymentDeps {
  client: ApiClient;
  events: EventRecorder;
  clock: Clock;
  replicaSets: Informer<ReplicaSet>;
  pods: Informer<Pod>;
}

export type { Pod, ReplicaSet };
