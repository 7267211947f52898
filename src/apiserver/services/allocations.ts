// What the Service registry allocates, as upstream's service REST storage: cluster IPs on
// create (a requested one, or any free one; none for headless and ExternalName Services),
// node ports for NodePort and LoadBalancer Services (and the health check node port of
// LoadBalancer Services with externalTrafficPolicy Local), the values an update adds or drops,
// and the release of everything a deleted Service held. Each step is a transaction the verb
// commits once the object is stored, or reverts when storing fails.
import { errors, ApiError, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { Store } from '../../store/store.js';
import { AllocatedError, ClaimAllocator, NotInRangeError, RangeFullError, type ClaimOwner } from './allocator.js';
import { CIDRRange, PortRange } from './range.js';

export interface Transaction {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

export interface ServiceRangesOptions {
  /** --service-cluster-ip-range; default 127.16.0.0/16. */
  serviceCIDR?: string;
  /** --service-node-port-range; default 30000-32767. */
  nodePortRange?: { base: number; size: number };
}

export const DEFAULT_SERVICE_CIDR = '127.16.0.0/16';

type Spec = Record<string, any>;

const needsClusterIP = (s: Spec) => s.type !== 'ExternalName';
const needsNodePort = (s: Spec) => s.type === 'NodePort' || s.type === 'LoadBalancer';
const shouldAllocateNodePorts = (s: Spec) => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
const needsHealthCheck = (s: Spec) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
const isHeadless = (s: Spec) => Array.isArray(s.clusterIPs) && s.clusterIPs[0] === 'None';

/** Cluster IPs a Service holds (none when headless or ExternalName). */
export function clusterIPsOf(svc: KubeObject): string[] {
  const s = (svc.spec ?? {}) as Spec;
  if (!needsClusterIP(s)) return [];
  const ips: string[] = Array.isArray(s.clusterIPs) && s.clusterIPs.length ? s.clusterIPs : s.clusterIP ? [s.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None');
}

/** Node ports a Service holds, the health check node port included. */
export function nodePortsOf(svc: KubeObject): number[] {
  const s = (svc.spec ?? {}) as Spec;
  const out = new Set<number>();
  for (const p of s.ports ?? []) if (p?.nodePort) out.add(p.nodePort);
  if (s.healthCheckNodePort) out.add(s.healthCheckNodePort);
  return [...out];
}

export class ServiceAllocations {
  readonly ips: ClaimAllocator;
  readonly ports: ClaimAllocator;

  constructor(store: Store, opts: ServiceRangesOptions = {}, now: () => Date = () => new Date()) {
    this.ips = new ClaimAllocator(store, 'serviceips', new CIDRRange(opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR), 'IP', now);
    const np = opts.nodePortRange ?? { base: 30000, size: 2768 };
    this.ports = new ClaimAllocator(store, 'servicenodeports', new PortRange(np.base, np.size), 'port', now);
  }

  /** The first address of the range: the `kubernetes` Service's. */
  get kubernetesServiceIP(): string {
    return this.ips.range.at(0);
  }

  /**
   * An update that leaves out values the server allocated keeps them (upstream's
   * patchAllocatedValues): a PUT without clusterIP, or a port without its nodePort.
   */
  prepareUpdate(next: KubeObject, old: KubeObject): void {
    const s = (next.spec ?? {}) as Spec;
    const o = (old.spec ?? {}) as Spec;
    if (needsClusterIP(o) && needsClusterIP(s)) {
      if (!s.clusterIP && o.clusterIP) s.clusterIP = o.clusterIP;
      if ((!Array.isArray(s.clusterIPs) || s.clusterIPs.length === 0) && Array.isArray(o.clusterIPs) && o.clusterIPs.length > 0) s.clusterIPs = [...o.clusterIPs];
    }
    if (needsNodePort(o) && needsNodePort(s)) {
      const usedBy = (x: Spec) => new Set<number>((x.ports ?? []).map((p: any) => p?.nodePort).filter(Boolean));
      const oldUsed = usedBy(o);
      const used = new Set([...usedBy(s)].filter((p) => oldUsed.has(p)));
      const byName = new Map<string, number>();
      for (const p of o.ports ?? []) byName.set(p?.name ?? '', p?.nodePort);
      for (const p of s.ports ?? []) {
        if (p && !p.nodePort) {
          const was = byName.get(p.name ?? '');
          if (was && !used.has(was)) p.nodePort = was;
        }
      }
    }
    if (needsHealthCheck(o) && needsHealthCheck(s) && !s.healthCheckNodePort && o.healthCheckNodePort) s.healthCheckNodePort = o.healthCheckNodePort;
  }

  /** Allocate what a new Service needs, writing the values into it. */
  async beginCreate(svc: KubeObject, dryRun: boolean): Promise<Transaction> {
    const owner = ownerOf(svc);
    const txn = new Allocated(this, owner.uid, dryRun);
    try {
      const s = (svc.spec ?? {}) as Spec;
      if (needsClusterIP(s)) await this.allocClusterIPs(svc, txn);
      if (needsNodePort(s)) await this.allocNodePorts(svc, [], txn);
      if (needsHealthCheck(s)) await this.allocHealthCheck(svc, undefined, txn);
    } catch (err) {
      await txn.revert();
      throw err;
    }
    return txn;
  }

  /** Allocate what an update adds; what it drops is released on commit. */
  async beginUpdate(next: KubeObject, old: KubeObject, dryRun: boolean): Promise<Transaction> {
    const owner = ownerOf(old);
    const txn = new Allocated(this, owner.uid, dryRun);
    const s = (next.spec ?? {}) as Spec;
    const o = (old.spec ?? {}) as Spec;
    try {
      if (!needsClusterIP(o) && needsClusterIP(s)) await this.allocClusterIPs(next, txn);
      if (needsClusterIP(o) && !needsClusterIP(s)) for (const ip of clusterIPsOf(old)) txn.releaseOnCommit('ip', ip);
      if (needsNodePort(s)) await this.allocNodePorts(next, nodePortsOf(old), txn);
      if (needsHealthCheck(s)) await this.allocHealthCheck(next, needsHealthCheck(o) ? o.healthCheckNodePort : undefined, txn);
      const keep = new Set(nodePortsOf(next));
      for (const p of nodePortsOf(old)) if (!keep.has(p)) txn.releaseOnCommit('port', String(p));
    } catch (err) {
      await txn.revert();
      throw err;
    }
    return txn;
  }

  /** Free everything a deleted Service held (only values still claimed by its uid). */
  async release(svc: KubeObject): Promise<void> {
    const uid = svc.metadata.uid ?? '';
    for (const ip of clusterIPsOf(svc)) await this.ips.release(ip, uid);
    for (const p of nodePortsOf(svc)) await this.ports.release(String(p), uid);
  }

  private async allocClusterIPs(svc: KubeObject, txn: Allocated): Promise<void> {
    const s = svc.spec as Spec;
    if (isHeadless(s)) return;
    const name = svc.metadata.name ?? '';
    const errs: FieldError[] = [];
    if (s.ipFamilyPolicy === 'RequireDualStack') errs.push({ type: 'FieldValueInvalid', field: 'spec.ipFamilyPolicy', value: s.ipFamilyPolicy, detail: 'this cluster is not configured for dual-stack services' });
    (s.ipFamilies ?? []).forEach((f: string, i: number) => {
      if (f !== 'IPv4') errs.push({ type: 'FieldValueInvalid', field: `spec.ipFamilies[${i}]`, value: f, detail: 'not configured on this cluster' });
    });
    if (errs.length) throw errors.invalid('', 'Service', name, errs);
    const requested: string = (Array.isArray(s.clusterIPs) && s.clusterIPs[0]) || s.clusterIP || '';
    let ip = requested;
    if (requested) {
      try {
        if (await this.ips.allocate(requested, ownerOf(svc), txn.dryRun)) txn.allocated('ip', requested);
      } catch (err) {
        if (err instanceof AllocatedError || err instanceof NotInRangeError) {
          throw errors.invalid('', 'Service', name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: s.clusterIPs ?? [requested], detail: `failed to allocate IP ${requested}: ${err.message}` }]);
        }
        throw err;
      }
    } else {
      try {
        ip = await this.ips.allocateNext(ownerOf(svc), txn.dryRun);
      } catch (err) {
        if (err instanceof RangeFullError) throw errors.internal(`failed to allocate a serviceIP: ${err.message}`);
        throw err;
      }
      txn.allocated('ip', ip);
    }
    s.clusterIP = ip;
    s.clusterIPs = [ip];
  }

  /** Upstream's initNodePorts/updateNodePorts: ports sharing a port number share a node port. */
  private async allocNodePorts(svc: KubeObject, held: number[], txn: Allocated): Promise<void> {
    const s = svc.spec as Spec;
    const name = svc.metadata.name ?? '';
    const ports: any[] = s.ports ?? [];
    const byServicePort = new Map<number, number>();
    const mine = new Set(held);
    const claim = async (np: number, i: number) => {
      if (mine.has(np)) return;
      try {
        if (await this.ports.allocate(String(np), ownerOf(svc), txn.dryRun)) txn.allocated('port', String(np));
        mine.add(np);
      } catch (err) {
        if (err instanceof AllocatedError || err instanceof NotInRangeError) {
          throw errors.invalid('', 'Service', name, [{ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, value: np, detail: err.message }]);
        }
        throw err;
      }
    };
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i];
      if (!p.nodePort && !shouldAllocateNodePorts(s)) continue;
      const shared = byServicePort.get(p.port);
      if (p.nodePort) {
        await claim(p.nodePort, i);
        if (!shared) byServicePort.set(p.port, p.nodePort);
        continue;
      }
      if (shared) {
        p.nodePort = shared;
        continue;
      }
      const requested = ports.find((q) => q.port === p.port && q.nodePort)?.nodePort;
      if (requested) {
        await claim(requested, i);
        p.nodePort = requested;
      } else {
        try {
          const np = Number(await this.ports.allocateNext(ownerOf(svc), txn.dryRun));
          txn.allocated('port', String(np));
          mine.add(np);
          p.nodePort = np;
        } catch (err) {
          if (err instanceof RangeFullError) throw errors.internal(`failed to allocate a nodePort: ${err.message}`);
          throw err;
        }
      }
      byServicePort.set(p.port, p.nodePort);
    }
  }

  private async allocHealthCheck(svc: KubeObject, held: number | undefined, txn: Allocated): Promise<void> {
    const s = svc.spec as Spec;
    if (s.healthCheckNodePort && s.healthCheckNodePort === held) return;
    try {
      if (s.healthCheckNodePort) {
        if (await this.ports.allocate(String(s.healthCheckNodePort), ownerOf(svc), txn.dryRun)) txn.allocated('port', String(s.healthCheckNodePort));
      } else {
        s.healthCheckNodePort = Number(await this.ports.allocateNext(ownerOf(svc), txn.dryRun));
        txn.allocated('port', String(s.healthCheckNodePort));
      }
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw errors.internal(`failed to allocate requested HealthCheck NodePort ${s.healthCheckNodePort ?? 0}: ${(err as Error).message}`);
    }
  }
}

function ownerOf(svc: KubeObject): ClaimOwner {
  return { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '' };
}

/** The values one request allocated (freed on revert) and the ones it gives up (freed on commit). */
class Allocated implements Transaction {
  private readonly added: Array<['ip' | 'port', string]> = [];
  private readonly dropped: Array<['ip' | 'port', string]> = [];

  constructor(private readonly al: ServiceAllocations, private readonly uid: string, readonly dryRun: boolean) {}

  allocated(kind: 'ip' | 'port', value: string): void {
    if (!this.dryRun) this.added.push([kind, value]);
  }

  releaseOnCommit(kind: 'ip' | 'port', value: string): void {
    if (!this.dryRun) this.dropped.push([kind, value]);
  }

  async commit(): Promise<void> {
    await this.free(this.dropped.splice(0));
    this.added.length = 0;
  }

  async revert(): Promise<void> {
    await this.free(this.added.splice(0));
    this.dropped.length = 0;
  }

  private async free(values: Array<['ip' | 'port', string]>): Promise<void> {
    for (const [kind, value] of values) await (kind === 'ip' ? this.al.ips : this.al.ports).release(value, this.uid).catch(() => undefined);
  }
}
