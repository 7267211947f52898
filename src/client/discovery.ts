// What an API server serves, learnt through discovery (/api, /apis and one resource list per
// group version), as client-go's discovery client does. Controllers that act on every kind
// (the garbage collector, the namespace controller) use it instead of a fixed list, so custom
// resources are covered as soon as their CRD is served. A group version that fails to answer
// is reported and left out; the rest is still returned.
import { ApiClient } from './client.js';

export interface DiscoveredResource {
  group: string;
  version: string;
  /** The resource's plural name, as in URLs. */
  plural: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  /**
   * The version client-go's ServerPreferredResources picks for this group+resource: the
   * group's preferred version if it serves the resource, else the first version that does.
   */
  preferred: boolean;
}

export interface DiscoveryResult {
  resources: DiscoveredResource[];
  /** Group versions that could not be read, with why ("apps/v1" → error). */
  failed: Map<string, Error>;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

export async function discoverResources(client: ApiClient): Promise<DiscoveryResult> {
  const groups: Array<{ name: string; versions: string[]; preferred: string }> = [];
  const core = await client.request<{ versions?: string[] }>('GET', '/api');
  groups.push({ name: '', versions: core.versions ?? ['v1'], preferred: core.versions?.[0] ?? 'v1' });
  const named = await client.request<{ groups?: Array<{ name: string; versions: Array<{ version: string }>; preferredVersion?: { version: string } }> }>('GET', '/apis');
  for (const g of named.groups ?? []) {
    const versions = g.versions.map((v) => v.version);
    groups.push({ name: g.name, versions, preferred: g.preferredVersion?.version ?? versions[0] });
  }
  const failed = new Map<string, Error>();
  const lists = await Promise.all(
    groups.flatMap((g) =>
      g.versions.map(async (version) => {
        const groupVersion = g.name ? `${g.name}/${version}` : version;
        try {
          const list = await client.request<{ resources?: ApiResource[] }>('GET', g.name ? `/apis/${groupVersion}` : `/api/${version}`);
          return { group: g, version, resources: list.resources ?? [] };
        } catch (err) {
          failed.set(groupVersion, err as Error);
          return { group: g, version, resources: [] as ApiResource[] };
        }
      }),
    ),
  );
  const resources: DiscoveredResource[] = [];
  const preferredVersionOf = new Map<string, string>();
  for (const g of groups) {
    // The preferred version first, then the others in the server's order.
    const order = [g.preferred, ...g.versions.filter((v) => v !== g.preferred)];
    for (const version of order) {
      const list = lists.find((l) => l.group === g && l.version === version);
      for (const r of list?.resources ?? []) {
        if (r.name.includes('/')) continue;
        const key = `${g.name}/${r.name}`;
        if (!preferredVersionOf.has(key)) preferredVersionOf.set(key, version);
        resources.push({ group: g.name, version, plural: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [], preferred: preferredVersionOf.get(key) === version });
      }
    }
  }
  return { resources, failed };
}

/** The key a resource is known by in maps: "group/version/plural" ("/v1/pods" for the core group). */
export function resourceKey(r: { group: string; version: string; plural: string }): string {
  return `${r.group}/${r.version}/${r.plural}`;
}

/** Whether the resource supports every one of the verbs. */
export function supportsVerbs(r: DiscoveredResource, ...verbs: string[]): boolean {
  return verbs.every((v) => r.verbs.includes(v));
}
