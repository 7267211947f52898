// The resources the server is serving right now: the built-in catalogue plus the versions of
// every established CustomResourceDefinition. Lookups by URL (group, version, plural) and by
// kind; a generation counter lets discovery and OpenAPI documents be cached until it changes.
import { builtinResources, customResource, type ResourceType } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';

export class ResourceRegistry {
  private resources: ResourceType[] = [...builtinResources];
  private byPath = new Map<string, ResourceType>();
  /** Bumped on every change, so cached documents know when to rebuild. */
  generation = 0;
  private listeners: Array<() => void> = [];

  constructor() {
    this.index();
  }

  private index(): void {
    this.byPath.clear();
    for (const r of this.resources) this.byPath.set(`${r.group}/${r.version}/${r.plural}`, r);
    this.generation++;
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  all(): ResourceType[] {
    return this.resources;
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** Any served version of group+plural (used to tell "unknown version" from "unknown resource"). */
  versionsOf(group: string, plural: string): ResourceType[] {
    return this.resources.filter((r) => r.group === group && r.plural === plural);
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.resources.find((r) => r.group === group && r.version === version && r.kind === kind);
  }

  groupVersions(): Array<{ group: string; versions: string[]; preferred: string }> {
    const groups = new Map<string, string[]>();
    for (const r of this.resources) {
      const v = groups.get(r.group) ?? [];
      if (!v.includes(r.version)) v.push(r.version);
      groups.set(r.group, v);
    }
    return [...groups].map(([group, versions]) => {
      const sorted = [...versions].sort(compareVersions);
      return { group, versions: sorted, preferred: sorted[0] };
    });
  }

  /** Replace the set of custom resources with those served by these CRDs. */
  setCustomResourceDefinitions(crds: KubeObject[]): void {
    const custom: ResourceType[] = [];
    for (const crd of crds) {
      const spec = crd.spec as any;
      if (!spec?.names?.plural || crd.metadata.deletionTimestamp) continue;
      const established = ((crd.status as any)?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
      if (!established) continue;
      const storage = (spec.versions ?? []).find((v: any) => v.storage)?.name ?? spec.versions?.[0]?.name;
      for (const v of spec.versions ?? []) {
        if (!v.served) continue;
        const subresources: string[] = [];
        if (v.subresources?.status) subresources.push('status');
        if (v.subresources?.scale) subresources.push('scale');
        custom.push(
          customResource({
            group: spec.group,
            version: v.name,
            kind: spec.names.kind,
            listKind: spec.names.listKind ?? `${spec.names.kind}List`,
            plural: spec.names.plural,
            singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
            namespaced: spec.scope !== 'Cluster',
            shortNames: spec.names.shortNames ?? [],
            categories: spec.names.categories ?? [],
            subresources,
            scale: v.subresources?.scale,
            storageVersion: storage,
            crd: {
              name: crd.metadata.name!,
              schema: v.schema?.openAPIV3Schema,
              preserveUnknownFields: Boolean(spec.preserveUnknownFields),
              printerColumns: v.additionalPrinterColumns,
            },
          }),
        );
      }
    }
    const before = JSON.stringify(this.resources.filter((r) => r.crd));
    if (before === JSON.stringify(custom)) return;
    this.resources = [...builtinResources, ...custom];
    this.index();
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { rank: 0, major: 0, minor: 0, v };
    return { rank: m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, major: Number(m[1]), minor: Number(m[3] ?? 0), v };
  };
  const x = parse(a);
  const y = parse(b);
  if (x.rank !== y.rank) return y.rank - x.rank;
  if (x.rank === 0) return a < b ? -1 : a > b ? 1 : 0;
  if (x.major !== y.major) return y.major - x.major;
  return y.minor - x.minor;
}
