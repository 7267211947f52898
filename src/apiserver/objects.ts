// How objects are kept in the store and handed out: one key per object, JSON in the storage
// version without resourceVersion (the store's modRevision is the resourceVersion, as etcd's
// is upstream), converted to the version a request asked for.
import type { KeyValue } from '../store/store.js';
import type { KubeObject } from '../api/types.js';
import { apiVersionOf } from '../api/types.js';
import { storageKey, storagePrefix, type ResourceType } from '../api/resources.js';
import { convert } from './conversion.js';

export function objectKey(resource: ResourceType, namespace: string | undefined, name: string): string {
  return storageKey(resource.storageGroup, resource.plural, resource.namespaced ? namespace : undefined, name);
}

/** Prefix of a resource's keys, narrowed to one namespace when given. */
export function collectionPrefix(resource: ResourceType, namespace?: string): string {
  const base = storagePrefix(resource.storageGroup, resource.plural);
  return resource.namespaced && namespace ? `${base}${namespace}/` : base;
}

/** Decode a stored value into the served version of `resource`, with its resourceVersion. */
export function decodeObject(kv: Pick<KeyValue, 'value' | 'modRevision'>, resource: ResourceType): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return resource.version === resource.storageVersion && resource.group === resource.storageGroup ? obj : convert(obj, resource, resource.storageVersion, resource.version);
}

/** Encode an object (in the served version of `resource`) for storage. */
export function encodeObject(obj: KubeObject, resource: ResourceType): string {
  const same = resource.version === resource.storageVersion && resource.group === resource.storageGroup;
  const stored = same ? obj : convert(obj, resource, resource.version, resource.storageVersion, true);
  const { resourceVersion: _rv, ...metadata } = stored.metadata;
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = stored;
  return JSON.stringify({ apiVersion: apiVersionOf(resource.storageGroup, resource.storageVersion), kind: resource.kind, metadata, ...rest });
}

/**
 * The stored JSON with its resourceVersion spliced in, without decoding: the fast path of
 * large lists in the storage version. Values this server wrote start with apiVersion, kind
 * and metadata; anything else takes the decode path.
 */
export function storedJsonWithResourceVersion(kv: Pick<KeyValue, 'value' | 'modRevision'>, resource: ResourceType): string {
  const marker = '"metadata":{';
  const at = kv.value.indexOf(marker);
  if (at < 0 || at > 256 || kv.value.startsWith('"resourceVersion"', at + marker.length)) return JSON.stringify(decodeObject(kv, resource));
  const after = at + marker.length;
  const sep = kv.value[after] === '}' ? '' : ',';
  return `${kv.value.slice(0, after)}"resourceVersion":"${kv.modRevision}"${sep}${kv.value.slice(after)}`;
}
