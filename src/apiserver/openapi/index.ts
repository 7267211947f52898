// OpenAPI v3 of the served API, one document per group version as upstream publishes it:
// `/openapi/v3` lists the group versions, each with a URL carrying the content hash of its
// document, and `/openapi/v3/apis/<group>/<version>` (or `/openapi/v3/api/v1`) serves it.
//
// kubectl reads these documents for three things, and the shape here follows what it reads:
//  - `kubectl explain`: finds the kind from the `x-kubernetes-group-version-kind` of the
//    operations under the resource's paths, then the component schema carrying the same GVK,
//    then walks properties / items / additionalProperties / allOf $refs down the field path.
//  - `--validate` (default strict) on create/apply/replace/edit: asks whether some PATCH
//    operation of the kind lists a query parameter "fieldValidation"; if it does, validation is
//    left to the server, otherwise kubectl validates client-side against /openapi/v2.
//  - client-side `kubectl apply`: builds its strategic merge patch from the
//    x-kubernetes-patch-strategy / -merge-key of the kind's schema when the PATCH operation
//    accepts application/strategic-merge-patch+json (built-ins; custom resources get a merge patch).
//
// May import: api (catalogue, schema facts, descriptions). Pure: no I/O.
import { createHash } from 'node:crypto';
import type { ResourceType } from '../../api/resources.js';
import { customDefinitionName, groupVersionPath } from './names.js';
import { resourcePaths, type PathItem } from './paths.js';
import { Components, type GroupVersionKind } from './schemas.js';

export { groupVersionPath } from './names.js';

/** Kinds that are not resources of their own but appear in documents (subresource bodies, responses). */
const auxiliaryKinds: Array<[string, GroupVersionKind]> = [
  ['V1Scale', { group: 'autoscaling', kind: 'Scale', version: 'v1' }],
  ['V1Status', { group: '', kind: 'Status', version: 'v1' }],
];

/** A served document: its JSON text and the hash upstream puts in URLs and ETags. */
export interface OpenApiV3Document {
  body: string;
  /** Upper-case hex SHA-512 of body, as upstream computes it. */
  hash: string;
}

/**
 * The OpenAPI v3 document of one group version, or undefined when no resource is served in it.
 * `groupVersion` is either an apiVersion ("v1", "apps/v1") or a document path ("api/v1",
 * "apis/apps/v1"). `resources` may be the whole catalogue; only that group version's are used.
 */
export function buildOpenApiV3(resources: ResourceType[], groupVersion: string): object | undefined {
  const [group, version] = parseGroupVersion(groupVersion);
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;

  const kinds = new Map<string, GroupVersionKind[]>(auxiliaryKinds.map(([model, gvk]) => [model, [gvk]]));
  for (const r of served) if (r.model && !r.crd) kinds.set(r.model, [{ group, kind: r.kind, version }]);
  const components = new Components(kinds);
  components.addModel('V1Status');
  components.addModel('V1DeleteOptions');
  components.ref('io.k8s.apimachinery.pkg.apis.meta.v1.Patch');

  const paths: Record<string, PathItem> = {};
  for (const r of [...served].sort((a, b) => a.plural.localeCompare(b.plural))) {
    const gvk = { group, kind: r.kind, version };
    let kind: string;
    let list: string;
    if (r.crd) {
      kind = components.addCustom(customDefinitionName(group, version, r.kind), r.crd.schema, gvk);
      list = `${kind}List`;
    } else if (r.model) {
      kind = components.addModel(r.model);
      list = components.addList(r.model, gvk);
    } else {
      continue;
    }
    const scale = r.subresources.includes('scale') ? components.addModel('V1Scale') : undefined;
    Object.assign(paths, resourcePaths(r, { kind, list, scale }));
  }

  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: Object.fromEntries(Object.keys(paths).sort().map((p) => [p, paths[p]])),
    components: { schemas: components.sorted() },
  };
}

const cache = new Map<string, { fingerprint: string; document: OpenApiV3Document }>();

/**
 * The serialised document of one group version with its hash, rebuilt only when the resources
 * of that group version change (a CRD added, removed or edited).
 */
export function openApiV3Document(resources: ResourceType[], groupVersion: string): OpenApiV3Document | undefined {
  const [group, version] = parseGroupVersion(groupVersion);
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  const key = groupVersionPath(group, version);
  const fingerprint = JSON.stringify(served);
  const hit = cache.get(key);
  if (hit?.fingerprint === fingerprint) return hit.document;
  const body = JSON.stringify(buildOpenApiV3(served, key));
  const document = { body, hash: openApiV3Hash(body) };
  cache.set(key, { fingerprint, document });
  return document;
}

/** The `/openapi/v3` discovery document: every served group version with its hashed URL. */
export function openApiV3Index(resources: ResourceType[]): { paths: Record<string, { serverRelativeURL: string }> } {
  const keys = [...new Set(resources.map((r) => groupVersionPath(r.group, r.version)))].sort();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const key of keys) {
    const document = openApiV3Document(resources, key);
    if (document) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${document.hash}` };
  }
  return { paths };
}

/** Upper-case hex SHA-512 of a document's bytes: the `hash` query parameter and the ETag (quoted). */
export function openApiV3Hash(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

/**
 * The answer to `/openapi/v2`: a valid but empty document. kubectl still asks for v2 in two
 * cases — client-side validation of a `kind: List` file (it never checks v3 for List) and of a
 * kind no served group version knows — and a 404 there fails the whole command ("error
 * validating data: the server could not find the requested resource"). An empty document
 * describes no kind, so kubectl skips client-side validation and the server validates each
 * object (kubectl sends fieldValidation on every write). The protobuf form of an empty
 * document is zero bytes; the content type is the one upstream answers with.
 */
export function openApiV2Placeholder(accept: string | undefined): { contentType: string; body: string } {
  if (accept?.includes('protobuf')) return { contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', body: '' };
  return { contentType: 'application/json', body: JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths: {} }) };
}

/** "v1" | "apps/v1" | "api/v1" | "apis/apps/v1" → [group, version]. */
function parseGroupVersion(groupVersion: string): [string, string] {
  const parts = groupVersion.replace(/^\/+|\/+$/g, '').split('/');
  if (parts[0] === 'api' && parts.length === 2) return ['', parts[1]];
  if (parts[0] === 'apis' && parts.length === 3) return [parts[1], parts[2]];
  if (parts.length === 1) return ['', parts[0]];
  return [parts[0], parts[1]];
}
