// Discovery documents: /api, /apis, /apis/<group>, per group-version resource lists, and the
// aggregated form (apidiscovery.k8s.io/v2 and v2beta1) that kubectl 1.27+ asks for first.
import type { ResourceType } from '../api/resources.js';
import type { ResourceRegistry } from './registry.js';
import { compareVersions } from './registry.js';

const subresourceVerbs: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  binding: ['create'],
  eviction: ['create'],
  log: ['get'],
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
  proxy: ['create', 'delete', 'get', 'patch', 'update'],
  finalize: ['update'],
  token: ['create'],
  ephemeralcontainers: ['get', 'patch', 'update'],
};

const subresourceKind: Record<string, { group: string; version: string; kind: string }> = {
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  binding: { group: '', version: 'v1', kind: 'Binding' },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
};

function subKind(r: ResourceType, sub: string) {
  if (sub === 'log' || sub === 'exec' || sub === 'attach' || sub === 'portforward' || sub === 'proxy') return { group: '', version: 'v1', kind: sub === 'log' ? 'Pod' : `${r.kind}${sub === 'portforward' ? 'PortForwardOptions' : sub === 'proxy' ? 'ProxyOptions' : sub === 'exec' ? 'ExecOptions' : 'AttachOptions'}` };
  return subresourceKind[sub] ?? { group: r.group, version: r.version, kind: r.kind };
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(g: { group: string; versions: string[]; preferred: string }) {
  return {
    name: g.group,
    versions: g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.group}/${g.preferred}`, version: g.preferred },
  };
}

export function apiGroupList(registry: ResourceRegistry) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groupVersions().filter((g) => g.group !== '').map(groupEntry) };
}

export function apiGroup(registry: ResourceRegistry, group: string) {
  const g = registry.groupVersions().find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) } : undefined;
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string) {
  const resources = registry.all().filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const list: unknown[] = [];
  for (const r of resources) {
    const entry: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    list.push(entry);
    for (const sub of r.subresources) {
      const k = subKind(r, sub);
      const e: Record<string, unknown> = { name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, kind: k.kind, verbs: subresourceVerbs[sub] ?? ['get'] };
      if (k.group !== r.group || k.version !== r.version) {
        e.group = k.group;
        e.version = k.version;
      }
      list.push(e);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: list };
}

/** Aggregated discovery for /api (core only) or /apis (every named group). */
export function aggregatedDiscovery(registry: ResourceRegistry, core: boolean, apiVersion: 'apidiscovery.k8s.io/v2' | 'apidiscovery.k8s.io/v2beta1') {
  const groups = registry.groupVersions().filter((g) => (core ? g.group === '' : g.group !== ''));
  const items = groups.map((g) => ({
    metadata: g.group ? { name: g.group } : {},
    versions: [...g.versions].sort(compareVersions).map((v) => ({
      version: v,
      resources: registry
        .all()
        .filter((r) => r.group === g.group && r.version === v)
        .map((r) => {
          const res: Record<string, unknown> = {
            resource: r.plural,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs: r.verbs,
          };
          if (r.shortNames.length) res.shortNames = r.shortNames;
          if (r.categories.length) res.categories = r.categories;
          if (r.subresources.length) {
            res.subresources = r.subresources.map((sub) => ({ subresource: sub, responseKind: subKind(r, sub), verbs: subresourceVerbs[sub] ?? ['get'] }));
          }
          return res;
        }),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

/** Which aggregated discovery version an Accept header asks for, if any. */
export function aggregatedDiscoveryVersion(accept: string | undefined): 'apidiscovery.k8s.io/v2' | 'apidiscovery.k8s.io/v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    if (!/as=APIGroupDiscoveryList/.test(part) || !/g=apidiscovery\.k8s\.io/.test(part)) continue;
    if (!/^\s*application\/json/.test(part)) continue;
    if (/v=v2beta1/.test(part)) return 'apidiscovery.k8s.io/v2beta1';
    if (/v=v2(;|$|\s)/.test(part)) return 'apidiscovery.k8s.io/v2';
  }
  return undefined;
}
