// The cluster's DNS records, answered from the Services and EndpointSlices the proxy watches
// (the records of the Kubernetes DNS specification, as CoreDNS's kubernetes plugin serves them):
//   <svc>.<ns>.svc.<domain>              A: the cluster IP; headless: each ready endpoint's address
//   <hostname>.<svc>.<ns>.svc.<domain>   A: the endpoint with that hostname (StatefulSet Pods)
//   <a-b-c-d>.<svc>.<ns>.svc.<domain>    A: the endpoint with that address
//   _<port>._<proto>.<svc>.<ns>.svc...   SRV: the named port (to the Service, or to each endpoint)
//   <svc>.<ns>.svc.<domain>              CNAME for ExternalName Services
//   <a-b-c-d>.<ns>.pod.<domain>          A: that address
//   <d>.<c>.<b>.<a>.in-addr.arpa         PTR: the Service or headless endpoint holding the address
// Other names under the domain do not exist (NXDOMAIN); names outside it are not ours (the
// server forwards them). AAAA questions for existing names get an empty answer: IPv4 only.
import type { KubeObject } from '../../api/types.js';
import { RCODE, TYPE, CLASS_IN, type ResourceRecord, type Question } from './wire.js';

type Obj = Record<string, any>;

export interface DNSView {
  service(namespace: string, name: string): KubeObject | undefined;
  /** The EndpointSlices of a Service (label kubernetes.io/service-name). */
  slicesOf(namespace: string, name: string): KubeObject[];
  /** The Service whose cluster IP this is. */
  serviceByIP(ip: string): KubeObject | undefined;
  /** The headless Service endpoint with this address: its Service and hostname. */
  endpointByIP(ip: string): { service: KubeObject; hostname?: string } | undefined;
}

export interface Answer {
  rcode: number;
  answers: ResourceRecord[];
  additionals: ResourceRecord[];
  authorities: ResourceRecord[];
}

const isHeadless = (svc: KubeObject) => (svc.spec as Obj | undefined)?.clusterIP === 'None';
const dashed = (ip: string) => ip.replace(/\./g, '-');
const ipFromDashed = (label: string) => (/^\d{1,3}(-\d{1,3}){3}$/.test(label) ? label.replace(/-/g, '.') : undefined);

/** Ready endpoints of a Service: ready unless marked not ready (an unset condition counts as ready). */
export function readyEndpoints(slices: KubeObject[]): Array<{ address: string; hostname?: string }> {
  const out = new Map<string, { address: string; hostname?: string }>();
  for (const s of slices) {
    if ((s as Obj).addressType !== 'IPv4') continue;
    for (const ep of (s as Obj).endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const address of ep.addresses ?? []) if (!out.has(address)) out.set(address, { address, hostname: ep.hostname });
    }
  }
  return [...out.values()];
}

export class ClusterDNS {
  private readonly domain: string;

  constructor(private readonly view: DNSView, domain = 'cluster.local', private readonly ttl = 5) {
    this.domain = domain.toLowerCase().replace(/\.$/, '');
  }

  /** Whether a name is the cluster's to answer. */
  owns(name: string): boolean {
    const n = name.toLowerCase().replace(/\.$/, '');
    return n === this.domain || n.endsWith(`.${this.domain}`) || (n.endsWith('.in-addr.arpa') && this.reverseTarget(n) !== undefined);
  }

  answer(q: Question): Answer {
    const name = q.name.toLowerCase().replace(/\.$/, '');
    const out: Answer = { rcode: RCODE.NOERROR, answers: [], additionals: [], authorities: [] };
    const nx = () => ({ ...out, rcode: RCODE.NXDOMAIN, authorities: [this.soa()] });
    const nodata = () => ({ ...out, authorities: [this.soa()] });
    if (name.endsWith('.in-addr.arpa')) {
      const target = this.reverseTarget(name);
      if (!target) return nx();
      if (q.type === TYPE.PTR || q.type === TYPE.ANY) out.answers.push(this.rr(q.name, TYPE.PTR, { kind: 'PTR', target }));
      return out.answers.length ? out : nodata();
    }
    if (name === this.domain) return nodata();
    const labels = name.slice(0, -(this.domain.length + 1)).split('.');
    const zone = labels[labels.length - 1];
    if (zone === 'pod') {
      if (labels.length < 3) return nodata();
      const ip = labels.length === 3 ? ipFromDashed(labels[0]) : undefined;
      if (!ip) return nx();
      return this.addresses(q, [ip], out) ?? nodata();
    }
    if (zone !== 'svc') return nx();
    // svc.<domain> and <ns>.svc.<domain> exist as names without records.
    if (labels.length < 3) return nodata();
    const ns = labels[labels.length - 2];
    const svcName = labels[labels.length - 3];
    const svc = this.view.service(ns, svcName);
    if (!svc) return nx();
    const prefix = labels.slice(0, -3);
    const fqdn = `${svcName}.${ns}.svc.${this.domain}`;
    const spec = (svc.spec ?? {}) as Obj;
    if (spec.type === 'ExternalName') {
      if (prefix.length > 0) return nx();
      out.answers.push(this.rr(q.name, TYPE.CNAME, { kind: 'CNAME', target: String(spec.externalName).replace(/\.$/, '') }));
      return out;
    }
    const endpoints = isHeadless(svc) ? readyEndpoints(this.view.slicesOf(ns, svcName)) : [];
    // SRV: _port._proto.<svc>... or all ports on the Service name itself.
    if (prefix.length === 2 && prefix[0].startsWith('_') && prefix[1].startsWith('_')) {
      const ports = ((spec.ports ?? []) as Obj[]).filter((p) => (p.name ?? '') === prefix[0].slice(1) && String(p.protocol ?? 'TCP').toLowerCase() === prefix[1].slice(1));
      if (ports.length === 0) return nx();
      if (q.type === TYPE.SRV || q.type === TYPE.ANY) this.srv(q.name, svc, fqdn, ports, endpoints, out);
      return out.answers.length ? out : nodata();
    }
    if (prefix.length === 1) {
      // One endpoint of a headless Service, by hostname or dashed address.
      if (!isHeadless(svc)) return nx();
      const ep = endpoints.find((e) => e.hostname === prefix[0]) ?? endpoints.find((e) => dashed(e.address) === prefix[0]);
      if (!ep) return nx();
      return this.addresses(q, [ep.address], out) ?? nodata();
    }
    if (prefix.length > 0) return nx();
    if (q.type === TYPE.SRV) {
      this.srv(q.name, svc, fqdn, (spec.ports ?? []).filter((p: Obj) => p.name), endpoints, out);
      return out.answers.length ? out : nodata();
    }
    const ips = isHeadless(svc) ? endpoints.map((e) => e.address) : (spec.clusterIPs ?? [spec.clusterIP]).filter((ip: string) => ip && ip !== 'None');
    return this.addresses(q, ips, out) ?? nodata();
  }

  private addresses(q: Question, ips: string[], out: Answer): Answer | undefined {
    if (q.type !== TYPE.A && q.type !== TYPE.ANY) return undefined;
    for (const ip of ips) if (!ip.includes(':')) out.answers.push(this.rr(q.name, TYPE.A, { kind: 'A', address: ip }));
    return out.answers.length ? out : undefined;
  }

  private srv(qname: string, svc: KubeObject, fqdn: string, ports: Obj[], endpoints: Array<{ address: string; hostname?: string }>, out: Answer): void {
    for (const p of ports) {
      if (!isHeadless(svc)) {
        out.answers.push(this.rr(qname, TYPE.SRV, { kind: 'SRV', priority: 0, weight: 100, port: p.port, target: fqdn }));
        out.additionals.push(this.rr(fqdn, TYPE.A, { kind: 'A', address: (svc.spec as Obj).clusterIP }));
        continue;
      }
      for (const ep of endpoints) {
        const target = `${ep.hostname ?? dashed(ep.address)}.${fqdn}`;
        const port = typeof p.targetPort === 'number' ? p.targetPort : p.port;
        out.answers.push(this.rr(qname, TYPE.SRV, { kind: 'SRV', priority: 0, weight: Math.floor(100 / Math.max(1, endpoints.length)), port, target }));
        out.additionals.push(this.rr(target, TYPE.A, { kind: 'A', address: ep.address }));
      }
    }
  }

  /** The name an address reverses to, when it is a Service's or a headless endpoint's. */
  private reverseTarget(name: string): string | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(name);
    if (!m) return undefined;
    const ip = `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
    const svc = this.view.serviceByIP(ip);
    if (svc) return `${svc.metadata.name}.${svc.metadata.namespace}.svc.${this.domain}`;
    const ep = this.view.endpointByIP(ip);
    if (ep) return `${ep.hostname ?? dashed(ip)}.${ep.service.metadata.name}.${ep.service.metadata.namespace}.svc.${this.domain}`;
    return undefined;
  }

  private rr(name: string, type: number, data: ResourceRecord['data']): ResourceRecord {
    return { name: name.replace(/\.$/, ''), type, class: CLASS_IN, ttl: this.ttl, data };
  }

  /** The authority record of negative answers: resolvers cache a miss for its minimum TTL. */
  private soa(): ResourceRecord {
    return { name: this.domain, type: TYPE.SOA, class: CLASS_IN, ttl: this.ttl, data: { kind: 'SOA', mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: Math.floor(Date.now() / 1000), refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl } };
  }
}
