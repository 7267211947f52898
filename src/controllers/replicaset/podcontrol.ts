// Creating and deleting a ReplicaSet's Pods (upstream's RealPodControl): a Pod is the template
// stamped with a generated name and a controller reference, and each create or delete is
// reported as an event on the ReplicaSet with upstream's reasons and messages.
import { ApiError } from '../../api/errors.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { core, type ApiClient } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Pod } from '../runtime/pods.js';
import type { PodTemplateSpec } from './types.js';

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The generateName of a controller's Pods: "name-", or the bare name if that would not be valid. */
export function podNamePrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  // As upstream: the prefix is checked as if a random suffix followed it.
  return prefix.length <= 253 && dnsSubdomain.test(`${prefix}a`) ? prefix : controllerName;
}

/** The Pod a template describes, owned by `ref` (upstream GetPodFromTemplate). */
export function podFromTemplate(template: PodTemplateSpec, namespace: string, controllerName: string, ref: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: podNamePrefix(controllerName), namespace, ownerReferences: [ref] },
    spec: structuredClone(template.spec ?? {}) as Pod['spec'],
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** A namespace being deleted refuses new objects; creating there is pointless, not a failure. */
export function isNamespaceTerminating(err: unknown): boolean {
  if (!(err instanceof ApiError) || err.code !== 403) return false;
  return (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating') || /because it is being terminated/.test(err.message);
}

export class PodControl {
  constructor(private readonly client: ApiClient, private readonly events: EventRecorder) {}

  async createPod(owner: KubeObject, template: PodTemplateSpec, ref: OwnerReference): Promise<Pod> {
    const namespace = owner.metadata.namespace!;
    const pod = podFromTemplate(template, namespace, owner.metadata.name!, ref);
    if (Object.keys(pod.metadata.labels ?? {}).length === 0) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.client.create<Pod>(core('pods', namespace), pod);
      this.events.record(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return created;
    } catch (err) {
      // A timeout may still have created the Pod: the informer will tell.
      if (!(err instanceof ApiError && err.code === 504)) this.events.record(owner, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  async deletePod(owner: KubeObject, pod: Pod): Promise<void> {
    try {
      await this.client.delete(core('pods', pod.metadata.namespace), pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) this.events.record(owner, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
    this.events.record(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
  }
}
