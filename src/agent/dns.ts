// A Pod's resolver configuration, as the kubelet builds its resolv.conf from dnsPolicy and
// dnsConfig: ClusterFirst (the default) asks the cluster DNS first, with the search list that
// makes `web`, `web.default` and `web.default.svc` resolve, and ndots:5; Default uses the
// node's resolv.conf; None only dnsConfig. Host-network Pods use the node's unless their policy
// is ClusterFirstWithHostNet. The agent writes the result into the Pod's directory and every
// container sees it at /etc/resolv.conf.
import type { KubeObject } from '../api/types.js';

export interface ClusterDNSConfig {
  /** The cluster DNS addresses (kubelet --cluster-dns); empty when there is none. */
  servers: string[];
  /** kubelet --cluster-domain. */
  domain: string;
}

export interface ResolverConfig {
  nameservers: string[];
  searches: string[];
  options: string[];
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

export function parseResolvConf(text: string): ResolverConfig {
  const out: ResolverConfig = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...values] = line.split(/\s+/);
    if (key === 'nameserver' && values[0]) out.nameservers.push(values[0]);
    else if (key === 'search' || key === 'domain') out.searches = values;
    else if (key === 'options') out.options.push(...values);
  }
  return out;
}

export function formatResolvConf(c: ResolverConfig): string {
  const lines = c.nameservers.map((n) => `nameserver ${n}`);
  if (c.searches.length) lines.push(`search ${c.searches.join(' ')}`);
  if (c.options.length) lines.push(`options ${c.options.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** Which resolver a Pod gets; `fallback` is set when ClusterFirst had no cluster DNS to use. */
export function podDNS(pod: KubeObject, cluster: ClusterDNSConfig, host: ResolverConfig): { config: ResolverConfig; fallback?: string } {
  const spec = (pod.spec ?? {}) as Record<string, any>;
  const policy: string = spec.dnsPolicy ?? 'ClusterFirst';
  let kind: 'cluster' | 'host' | 'none' = 'cluster';
  if (policy === 'None') kind = 'none';
  else if (policy === 'Default') kind = 'host';
  else if (policy === 'ClusterFirst' && spec.hostNetwork) kind = 'host';
  let fallback: string | undefined;
  if (kind === 'cluster' && cluster.servers.length === 0) {
    kind = 'host';
    fallback = `pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`;
  }
  let config: ResolverConfig;
  if (kind === 'cluster') {
    const d = cluster.domain;
    config = { nameservers: [...cluster.servers], searches: [`${pod.metadata.namespace}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ['ndots:5'] };
  } else if (kind === 'host') config = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  else config = { nameservers: [], searches: [], options: [] };
  const extra = spec.dnsConfig ?? {};
  const unique = (xs: string[]) => [...new Set(xs)];
  config.nameservers = unique([...config.nameservers, ...(extra.nameservers ?? [])]).slice(0, MAX_NAMESERVERS);
  config.searches = unique([...config.searches, ...(extra.searches ?? [])]).slice(0, MAX_SEARCHES);
  // Pod options replace the same-named ones ("ndots:2" replaces "ndots:5").
  const options = new Map<string, string>();
  for (const o of config.options) options.set(o.split(':')[0], o);
  for (const o of extra.options ?? []) options.set(o.name, o.value !== undefined && o.value !== null ? `${o.name}:${o.value}` : o.name);
  config.options = [...options.values()];
  return { config, fallback };
}
