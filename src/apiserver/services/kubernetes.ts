// The `kubernetes` Service in `default`, which Pods use to reach the API server, with its
// Endpoints and EndpointSlice naming this server's address: upstream's kubernetes service
// controller and endpoint reconciler, which the API server runs itself. The Service gets the
// first address of the Service range; the Endpoints carry the skip-mirror label so the
// mirroring controller leaves them alone.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { storageKey } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { applyDefaults } from '../../api/defaults/index.js';
import { ConflictError, KeyExistsError, type Store } from '../../store/store.js';
import type { ServiceAllocations } from './allocations.js';

const rfc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface ApiEndpoint {
  ip: string;
  port: number;
}

export class KubernetesService {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly allocations: ServiceAllocations,
    private readonly endpoint: ApiEndpoint,
    private readonly now: () => Date,
    /** How often the objects are checked again (upstream's endpoint reconciler: 10 s). */
    private readonly intervalMs = 10_000,
  ) {}

  async start(): Promise<void> {
    await this.reconcile().catch((err) => console.error(`kubernetes service: ${(err as Error).message}`));
    this.timer = setInterval(() => void this.reconcile().catch((err) => console.error(`kubernetes service: ${(err as Error).message}`)), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async reconcile(): Promise<void> {
    await this.ensureService();
    await this.ensure(storageKey('', 'endpoints', 'default', 'kubernetes'), (old) => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: this.meta(old, { 'endpointslice.kubernetes.io/skip-mirror': 'true' }),
      subsets: [{ addresses: [{ ip: this.endpoint.ip }], ports: [{ name: 'https', port: this.endpoint.port, protocol: 'TCP' }] }],
    }));
    await this.ensure(storageKey('discovery.k8s.io', 'endpointslices', 'default', 'kubernetes'), (old) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: this.meta(old, { 'kubernetes.io/service-name': 'kubernetes' }),
      addressType: 'IPv4',
      endpoints: [{ addresses: [this.endpoint.ip], conditions: { ready: true } }],
      ports: [{ name: 'https', port: this.endpoint.port, protocol: 'TCP' }],
    }));
  }

  private meta(old: KubeObject | undefined, labels: Record<string, string>): KubeObject['metadata'] {
    return {
      name: 'kubernetes',
      namespace: 'default',
      uid: old?.metadata.uid ?? randomUUID(),
      creationTimestamp: old?.metadata.creationTimestamp ?? rfc(this.now()),
      labels,
    };
  }

  /** The Service is created once, with its cluster IP; an existing one is left as it is. */
  private async ensureService(): Promise<void> {
    const key = storageKey('', 'services', 'default', 'kubernetes');
    if (await this.store.get(key)) return;
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...this.meta(undefined, { component: 'apiserver', provider: 'kubernetes' }) },
      spec: {
        clusterIP: this.allocations.kubernetesServiceIP,
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: this.endpoint.port }],
        sessionAffinity: 'None',
        type: 'ClusterIP',
      },
    };
    applyDefaults('Service', svc, 'v1');
    let txn;
    try {
      txn = await this.allocations.beginCreate(svc, false);
    } catch (err) {
      // Another API server of the cluster holds the address while it creates the Service.
      if (/already allocated/.test((err as Error).message)) return;
      throw err;
    }
    try {
      await this.store.create(key, JSON.stringify(svc));
      await txn.commit();
    } catch (err) {
      await txn.revert();
      if (!(err instanceof KeyExistsError)) throw err;
    }
  }

  /** Write the object when it is missing or differs from what it should be. */
  private async ensure(key: string, build: (old?: KubeObject) => KubeObject): Promise<void> {
    const kv = await this.store.get(key);
    const old = kv ? (JSON.parse(kv.value) as KubeObject) : undefined;
    const want = build(old);
    if (old && isDeepStrictEqual(old, want)) return;
    try {
      if (kv) await this.store.update(key, JSON.stringify(want), kv.modRevision);
      else await this.store.create(key, JSON.stringify(want));
    } catch (err) {
      // Someone else wrote it meanwhile: the next pass looks again.
      if (!(err instanceof ConflictError || err instanceof KeyExistsError)) throw err;
    }
  }
}
