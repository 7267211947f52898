// One informer per resource for the whole controller manager (client-go's
// SharedInformerFactory): controllers that watch the same resource share one list+watch and
// one cache, so ten controllers cost the API server one watch on Pods, not ten.
import type { KubeObject } from '../../api/types.js';
import { ApiClient, type ResourceRef } from '../../client/client.js';
import { Informer } from '../../client/informer.js';

export class SharedInformers {
  private readonly informers = new Map<string, Informer<any>>();
  private started = false;

  constructor(private readonly client: ApiClient) {}

  /** The informer for a resource across all namespaces, created on first use. */
  get<T extends KubeObject = KubeObject>(ref: Omit<ResourceRef, 'namespace'>): Informer<T> {
    const key = `${ref.group}/${ref.version}/${ref.plural}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<T>(this.client, { group: ref.group, version: ref.version, plural: ref.plural });
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer;
  }

  /** Start every informer asked for so far (and any asked for later) and wait for their first lists. */
  async start(): Promise<void> {
    this.started = true;
    for (const i of this.informers.values()) i.start();
    await this.waitForSync();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  /** Stop and forget the informer of a resource the server no longer serves (a deleted CRD's). */
  remove(ref: Omit<ResourceRef, 'namespace'>): void {
    const key = `${ref.group}/${ref.version}/${ref.plural}`;
    this.informers.get(key)?.stop();
    this.informers.delete(key);
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}

/** The resources controllers watch, by name. */
export const resources = {
  pods: { group: '', version: 'v1', plural: 'pods' },
  nodes: { group: '', version: 'v1', plural: 'nodes' },
  namespaces: { group: '', version: 'v1', plural: 'namespaces' },
  services: { group: '', version: 'v1', plural: 'services' },
  endpoints: { group: '', version: 'v1', plural: 'endpoints' },
  persistentVolumes: { group: '', version: 'v1', plural: 'persistentvolumes' },
  persistentVolumeClaims: { group: '', version: 'v1', plural: 'persistentvolumeclaims' },
  resourceQuotas: { group: '', version: 'v1', plural: 'resourcequotas' },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' },
  certificateSigningRequests: { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests' },
  replicaSets: { group: 'apps', version: 'v1', plural: 'replicasets' },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments' },
  daemonSets: { group: 'apps', version: 'v1', plural: 'daemonsets' },
  statefulSets: { group: 'apps', version: 'v1', plural: 'statefulsets' },
  controllerRevisions: { group: 'apps', version: 'v1', plural: 'controllerrevisions' },
  jobs: { group: 'batch', version: 'v1', plural: 'jobs' },
  cronJobs: { group: 'batch', version: 'v1', plural: 'cronjobs' },
  endpointSlices: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' },
  podDisruptionBudgets: { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets' },
  storageClasses: { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' },
  volumeSnapshots: { group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshots' },
  volumeSnapshotContents: { group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshotcontents' },
  volumeSnapshotClasses: { group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshotclasses' },
} as const satisfies Record<string, Omit<ResourceRef, 'namespace'>>;
