// The Service proxy (kube-proxy's role, in user space): it watches Services and EndpointSlices
// through the API and listens on every clusterIP:port of a TCP Service port (cluster IPs are
// loopback addresses, so any of them can be bound) and on 0.0.0.0:nodePort for NodePort and
// LoadBalancer Services, handing each connection to that port's balancer. Endpoint changes
// apply to new connections at once; connections already open stay with their endpoint until
// they end. UDP and SCTP ports are not proxied (said once per port in the log).
import net from 'node:net';
import type { KubeObject } from '../api/types.js';
import { Informer } from '../client/informer.js';
import type { ApiClient } from '../client/client.js';
import { ServicePortBalancer, type Backend } from './tcp.js';
import type { DNSView } from './dns/cluster.js';

type Obj = Record<string, any>;

const services = { group: '', version: 'v1', plural: 'services' };
const endpointSlices = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' };
const serviceNameLabel = 'kubernetes.io/service-name';

export interface ServiceProxyOptions {
  client: ApiClient;
  /** Address:port pairs the proxy must leave alone (its own DNS server). */
  reserved?: Set<string>;
  /** Where node ports listen; 0.0.0.0 as upstream. */
  nodePortAddress?: string;
  log?: (line: string) => void;
}

interface Listener {
  server: net.Server;
  balancer: ServicePortBalancer;
  listening: boolean;
}

/** Ready endpoints for a Service port, and the serving-but-terminating ones kept for fallback. */
export function backendsFor(servicePort: Obj, slices: KubeObject[]): { ready: Backend[]; servingTerminating: Backend[] } {
  const ready = new Map<string, Backend>();
  const fallback = new Map<string, Backend>();
  const name = servicePort.name ?? '';
  const protocol = servicePort.protocol ?? 'TCP';
  for (const s of slices) {
    const slice = s as Obj;
    if (slice.addressType !== 'IPv4') continue;
    const port = (slice.ports ?? []).find((p: Obj) => (p.name ?? '') === name && (p.protocol ?? 'TCP') === protocol)?.port;
    if (!port) continue;
    for (const ep of slice.endpoints ?? []) {
      const c = ep.conditions ?? {};
      for (const ip of ep.addresses ?? []) {
        const b = { ip, port };
        if (c.ready !== false) ready.set(`${ip}:${port}`, b);
        else if (c.serving === true && c.terminating === true) fallback.set(`${ip}:${port}`, b);
      }
    }
  }
  const byAddress = (a: Backend, b: Backend) => a.ip.localeCompare(b.ip) || a.port - b.port;
  return { ready: [...ready.values()].sort(byAddress), servingTerminating: [...fallback.values()].sort(byAddress) };
}

export class ServiceProxy implements DNSView {
  readonly services: Informer;
  readonly slices: Informer;
  private readonly listeners = new Map<string, Listener>();
  private readonly balancers = new Map<string, ServicePortBalancer>();
  private readonly warned = new Set<string>();
  private readonly log: (line: string) => void;
  private scheduled = false;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly opts: ServiceProxyOptions) {
    this.log = opts.log ?? ((line) => console.error(line));
    this.services = new Informer(opts.client, services);
    this.slices = new Informer(opts.client, endpointSlices);
    this.slices.addIndex('service', (s) => (s.metadata.labels?.[serviceNameLabel] ? [`${s.metadata.namespace}/${s.metadata.labels[serviceNameLabel]}`] : []));
    this.services.addIndex('clusterIP', (s) => ((s.spec as Obj | undefined)?.clusterIPs ?? []).filter((ip: string) => ip !== 'None'));
    this.slices.addIndex('address', (s) => ((s as Obj).endpoints ?? []).flatMap((e: Obj) => e.addresses ?? []));
    const kick = () => this.schedule();
    for (const i of [this.services, this.slices]) i.on({ add: kick, update: kick, delete: kick });
  }

  async start(): Promise<void> {
    this.services.start();
    this.slices.start();
    await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
    this.sync();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.services.stop();
    this.slices.stop();
    for (const l of this.listeners.values()) l.server.close();
    for (const b of this.balancers.values()) for (const c of b.connections) c.destroy();
    this.listeners.clear();
  }

  /** Changes come in bursts (a rollout touches many slices): sync once per turn of the event loop. */
  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sync();
    });
  }

  /** Make the listeners and balancers match the Services and their endpoints. */
  sync(): void {
    if (this.stopped) return;
    const wanted = new Map<string, ServicePortBalancer>();
    const liveBalancers = new Set<string>();
    for (const svc of this.services.list()) {
      const spec = (svc.spec ?? {}) as Obj;
      if (spec.type === 'ExternalName') continue;
      const clusterIP: string | undefined = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
      const slices = this.slices.byIndex('service', `${svc.metadata.namespace}/${svc.metadata.name}`);
      const affinity = spec.sessionAffinity === 'ClientIP' ? { timeoutSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 } : undefined;
      for (const port of (spec.ports ?? []) as Obj[]) {
        const protocol = port.protocol ?? 'TCP';
        const id = `${svc.metadata.namespace}/${svc.metadata.name}:${port.name || port.port}`;
        if (protocol !== 'TCP') {
          if (!this.warned.has(id) && !(clusterIP && this.opts.reserved?.has(`${clusterIP}:${port.port}`))) {
            this.warned.add(id);
            this.log(`proxy: ${id}/${protocol}: only TCP is proxied; ${protocol} traffic to this port is not forwarded`);
          }
          continue;
        }
        if (!clusterIP) continue;
        let balancer = this.balancers.get(id);
        if (!balancer) this.balancers.set(id, (balancer = new ServicePortBalancer(id)));
        const { ready, servingTerminating } = backendsFor(port, slices);
        balancer.setBackends(ready, servingTerminating, affinity);
        liveBalancers.add(id);
        if (!this.opts.reserved?.has(`${clusterIP}:${port.port}`)) wanted.set(`${clusterIP}:${port.port}`, balancer);
        if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && port.nodePort) wanted.set(`${this.opts.nodePortAddress ?? '0.0.0.0'}:${port.nodePort}`, balancer);
      }
    }
    for (const [addr, l] of this.listeners) {
      if (wanted.get(addr) === l.balancer) continue;
      l.server.close();
      this.listeners.delete(addr);
    }
    for (const id of this.balancers.keys()) if (!liveBalancers.has(id)) this.balancers.delete(id);
    for (const [addr, balancer] of wanted) if (!this.listeners.has(addr)) this.listen(addr, balancer);
  }

  private listen(addr: string, balancer: ServicePortBalancer): void {
    const i = addr.lastIndexOf(':');
    const host = addr.slice(0, i);
    const port = Number(addr.slice(i + 1));
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (sock) => balancer.handle(sock, this.log));
    const l: Listener = { server, balancer, listening: false };
    this.listeners.set(addr, l);
    server.on('error', (err: NodeJS.ErrnoException) => {
      this.log(`proxy: cannot listen on ${addr} for ${balancer.name}: ${err.code ?? err.message}; trying again in 5s`);
      if (this.listeners.get(addr) === l) this.listeners.delete(addr);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.sync(), 5000);
      this.retryTimer.unref();
    });
    server.listen({ host, port, backlog: 1024 }, () => {
      l.listening = true;
    });
  }

  /** Addresses the proxy listens on now, for status and tests. */
  listening(): string[] {
    return [...this.listeners].filter(([, l]) => l.listening).map(([a]) => a);
  }

  // DNSView: what the cluster DNS answers from.
  service(namespace: string, name: string): KubeObject | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  slicesOf(namespace: string, name: string): KubeObject[] {
    return this.slices.byIndex('service', `${namespace}/${name}`);
  }

  serviceByIP(ip: string): KubeObject | undefined {
    return this.services.byIndex('clusterIP', ip)[0];
  }

  endpointByIP(ip: string): { service: KubeObject; hostname?: string } | undefined {
    for (const slice of this.slices.byIndex('address', ip)) {
      const name = slice.metadata.labels?.[serviceNameLabel];
      const svc = name ? this.service(slice.metadata.namespace!, name) : undefined;
      if (!svc || (svc.spec as Obj | undefined)?.clusterIP !== 'None') continue;
      const ep = ((slice as Obj).endpoints ?? []).find((e: Obj) => (e.addresses ?? []).includes(ip));
      return { service: svc, hostname: ep?.hostname };
    }
    return undefined;
  }
}
