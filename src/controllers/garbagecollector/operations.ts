// What the collector asks of the API server: read an object live, delete it with uid and
// resourceVersion preconditions, take owner references off a dependent, drop a finalizer.
// Kinds are mapped to resources through discovery (upstream's RESTMapper); every write
// carries a precondition so it never acts on an object that changed meanwhile.
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../api/errors.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { parseApiVersion } from '../../api/types.js';
import { ApiClient, type ResourceRef } from '../../client/client.js';
import type { DiscoveredResource } from '../../client/discovery.js';
import type { ObjectIdentity } from './references.js';

/** An owner reference names a kind the server does not serve (yet): retried after the next discovery. */
export class RestMappingError extends Error {
  constructor(apiVersion: string, kind: string) {
    super(`unable to get REST mapping for ${kind}.${apiVersion}`);
  }
}

export interface Mapping {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

/** Kinds to resources, from every served version (not only the preferred ones). */
export class RestMapper {
  private byKind = new Map<string, Mapping>();

  reset(resources: DiscoveredResource[]): void {
    const next = new Map<string, Mapping>();
    for (const r of resources) {
      const key = `${r.group}/${r.version}/${r.kind}`;
      if (!next.has(key)) next.set(key, { group: r.group, version: r.version, plural: r.plural, namespaced: r.namespaced });
    }
    this.byKind = next;
  }

  map(apiVersion: string, kind: string): Mapping {
    const { group, version } = parseApiVersion(apiVersion);
    const m = this.byKind.get(`${group}/${version}/${kind}`);
    if (!m) throw new RestMappingError(apiVersion, kind);
    return m;
  }
}

export const isNotFound = (err: unknown) => err instanceof ApiError && err.code === 404;
export const isConflict = (err: unknown) => err instanceof ApiError && err.code === 409;

export class Operations {
  constructor(private readonly client: ApiClient, private readonly mapper: RestMapper) {}

  private ref(id: ObjectIdentity): { ref: ResourceRef; name: string } {
    const m = this.mapper.map(id.apiVersion, id.kind);
    return { ref: { group: m.group, version: m.version, plural: m.plural, namespace: m.namespaced ? id.namespace || undefined : undefined }, name: id.name };
  }

  get(id: ObjectIdentity): Promise<KubeObject> {
    const { ref, name } = this.ref(id);
    return this.client.get(ref, name);
  }

  /**
   * Delete with the uid (and, when known, resourceVersion) the decision was made on. A
   * conflict caused by a change that left the owner references alone is retried without the
   * resourceVersion, so objects that change often (status) are not starved.
   */
  async delete(id: ObjectIdentity, resourceVersion: string | undefined, ownersAtVersion: OwnerReference[], propagationPolicy: string): Promise<void> {
    const { ref, name } = this.ref(id);
    const preconditions: { uid: string; resourceVersion?: string } = { uid: id.uid };
    if (resourceVersion) preconditions.resourceVersion = resourceVersion;
    try {
      await this.client.delete(ref, name, { preconditions, propagationPolicy });
    } catch (err) {
      if (!isConflict(err) || !resourceVersion) throw err;
      let live: KubeObject;
      try {
        live = await this.client.get(ref, name);
      } catch (getErr) {
        if (isNotFound(getErr)) return;
        throw err;
      }
      if (live.metadata.uid !== id.uid || live.metadata.resourceVersion === resourceVersion || !isDeepStrictEqual(live.metadata.ownerReferences ?? [], ownersAtVersion)) throw err;
      await this.client.delete(ref, name, { preconditions: { uid: id.uid }, propagationPolicy });
    }
  }

  /**
   * Rewrite an object's owner references from its live state (a JSON merge patch that carries
   * the resourceVersion it was computed from, retried on conflict). A missing object is done.
   */
  async updateOwnerReferences(id: ObjectIdentity, change: (refs: OwnerReference[]) => OwnerReference[]): Promise<void> {
    await this.retryOnConflict(id, async (live) => {
      const refs = live.metadata.ownerReferences ?? [];
      const next = change(refs);
      if (isDeepStrictEqual(next, refs)) return;
      const { ref, name } = this.ref(id);
      await this.client.patch(ref, name, { metadata: { ownerReferences: next.length ? next : null, resourceVersion: live.metadata.resourceVersion } }, 'merge');
    });
  }

  async removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void> {
    await this.retryOnConflict(id, async (live) => {
      const finalizers = live.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      const next = finalizers.filter((f) => f !== finalizer);
      const { ref, name } = this.ref(id);
      await this.client.patch(ref, name, { metadata: { finalizers: next.length ? next : null, resourceVersion: live.metadata.resourceVersion } }, 'merge');
    });
  }

  private async retryOnConflict(id: ObjectIdentity, attempt: (live: KubeObject) => Promise<void>): Promise<void> {
    for (let i = 0; ; i++) {
      let live: KubeObject;
      try {
        live = await this.get(id);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      if (live.metadata.uid !== id.uid) return;
      try {
        await attempt(live);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || i >= 4) throw err;
      }
    }
  }
}
