// The apps/v1 ReplicaSet as its controller reads it, and the pod template it stamps Pods from.
import type { LabelSelectorSpec } from '../../api/labels.js';
import type { KubeObject, ObjectMeta } from '../../api/types.js';
import type { ResourceRef } from '../../client/client.js';

export interface PodTemplateSpec {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers' | 'name' | 'namespace'>;
  spec?: Record<string, unknown>;
}

export interface ReplicaSetCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSet extends KubeObject {
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector: LabelSelectorSpec;
    template: PodTemplateSpec;
  };
  status?: ReplicaSetStatus;
}

export const replicaSetsRef = (namespace?: string): ResourceRef => ({ group: 'apps', version: 'v1', plural: 'replicasets', namespace });

/** spec.replicas (defaulted to 1 by the API server; treated as 1 if missing, as upstream's pointer default). */
export const specReplicas = (rs: ReplicaSet): number => rs.spec.replicas ?? 1;

/** A reference to the ReplicaSet for events (list items carry no kind). */
export function replicaSetObject(rs: ReplicaSet): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: rs.metadata };
}
