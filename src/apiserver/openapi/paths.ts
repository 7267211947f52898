// The paths of an OpenAPI v3 document: for each resource its collection, item, status and
// scale paths with the operations its verbs allow. Every operation carries
// x-kubernetes-group-version-kind and x-kubernetes-action as upstream's do; kubectl relies on
// them: `explain` finds a resource's kind from its paths, and the field-validation check looks
// for the fieldValidation query parameter among the parameters of each PATCH operation of a kind.
import type { ResourceType } from '../../api/resources.js';
import { operationGroupVersion, operationTag } from './names.js';
import type { GroupVersionKind, Schema } from './schemas.js';

export type PathItem = Record<string, unknown>;

interface Param {
  name: string;
  in: 'path' | 'query';
  description: string;
  required?: boolean;
  schema: Schema;
}

const str = { type: 'string' };
const bool = { type: 'boolean' };
const int = { type: 'integer' };

const q = (name: string, schema: Schema, description: string): Param => ({ name, in: 'query', description, schema });

const params = {
  pretty: q('pretty', str, 'If true, the response is indented for reading.'),
  dryRun: q('dryRun', str, 'When "All", the request is processed fully (admission, validation, defaulting) but nothing is persisted.'),
  fieldManager: q('fieldManager', str, 'Name of the actor making the change, recorded in managedFields. Required for apply patches; at most 128 printable characters.'),
  fieldValidation: q('fieldValidation', str, 'What the server does with unknown or duplicate fields in the body: Ignore drops them silently, Warn drops them and returns a warning for each (the default), Strict rejects the request.'),
  force: q('force', bool, 'For apply patches only: take ownership of fields owned by other managers instead of failing with a conflict.'),
  labelSelector: q('labelSelector', str, 'Only return objects whose labels match this selector.'),
  fieldSelector: q('fieldSelector', str, 'Only return objects whose fields match this selector.'),
  limit: q('limit', int, 'Maximum number of objects to return; a continue token is returned when more remain.'),
  continue: q('continue', str, 'Token from a previous paged list to fetch the next page.'),
  resourceVersion: q('resourceVersion', str, 'Which version of the data may be served; for watches, where to start.'),
  resourceVersionMatch: q('resourceVersionMatch', str, 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  timeoutSeconds: q('timeoutSeconds', int, 'Time limit of a list or watch call.'),
  watch: q('watch', bool, 'Stream changes (ADDED, MODIFIED, DELETED events) instead of returning a list.'),
  allowWatchBookmarks: q('allowWatchBookmarks', bool, 'Let a watch send BOOKMARK events carrying only a resourceVersion.'),
  sendInitialEvents: q('sendInitialEvents', bool, 'Start a watch with synthetic ADDED events for the current objects, followed by a bookmark.'),
  gracePeriodSeconds: q('gracePeriodSeconds', int, 'Seconds before the object is deleted; zero deletes immediately. Defaults to the kind\'s own value.'),
  propagationPolicy: q('propagationPolicy', str, 'How dependents are garbage collected: Orphan, Background or Foreground.'),
  orphanDependents: q('orphanDependents', bool, 'Deprecated: use propagationPolicy. Whether dependents are orphaned.'),
  ignoreStoreReadErrorWithClusterBreakingPotential: q('ignoreStoreReadErrorWithClusterBreakingPotential', bool, 'Delete an object that can no longer be read from storage. Dangerous; needs extra permission.'),
};

const listParams = [params.allowWatchBookmarks, params.continue, params.fieldSelector, params.labelSelector, params.limit, params.resourceVersion, params.resourceVersionMatch, params.sendInitialEvents, params.timeoutSeconds, params.watch];
const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation];
const patchParams = [...writeParams, params.force];
const deleteParams = [params.dryRun, params.gracePeriodSeconds, params.ignoreStoreReadErrorWithClusterBreakingPotential, params.orphanDependents, params.propagationPolicy];
const deleteCollectionParams = [params.continue, params.dryRun, params.fieldSelector, params.gracePeriodSeconds, params.ignoreStoreReadErrorWithClusterBreakingPotential, params.labelSelector, params.limit, params.orphanDependents, params.propagationPolicy, params.resourceVersion, params.resourceVersionMatch, params.sendInitialEvents, params.timeoutSeconds];

const pathParam = (name: string, description: string): Param => ({ name, in: 'path', description, required: true, schema: str });

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function body(schemaName: string, types = ['application/json', 'application/yaml']) {
  return { content: Object.fromEntries(types.map((t) => [t, { schema: ref(schemaName) }])) };
}

const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
/** Custom resources take no strategic merge patch; kubectl apply then computes a JSON merge patch. */
const CUSTOM_PATCH_TYPES = PATCH_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json');

export interface ResourceSchemas {
  /** Component name of the kind, e.g. "io.k8s.api.apps.v1.Deployment". */
  kind: string;
  /** Component name of the list kind. */
  list: string;
  /** Component name of autoscaling/v1 Scale, when the resource has a scale subresource. */
  scale?: string;
}

const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const SCALE_GVK: GroupVersionKind = { group: 'autoscaling', kind: 'Scale', version: 'v1' };

/** The paths of one resource, keyed by URL template. */
export function resourcePaths(r: ResourceType, names: ResourceSchemas): Record<string, PathItem> {
  const gvk: GroupVersionKind = { group: r.group, kind: r.kind, version: r.version };
  const root = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const scopePrefix = r.namespaced ? `${root}/namespaces/{namespace}` : root;
  const collection = `${scopePrefix}/${r.plural}`;
  const item = `${collection}/{name}`;
  const stem = operationGroupVersion(r.group, r.version);
  const scoped = r.namespaced ? 'Namespaced' : '';
  const tags = [operationTag(r.group, r.version)];
  const verbs = new Set(r.verbs);
  const patchTypes = r.crd ? CUSTOM_PATCH_TYPES : PATCH_TYPES;
  const namespaceParam = pathParam('namespace', 'Namespace of the objects.');
  const scopeParams = r.namespaced ? [namespaceParam, params.pretty] : [params.pretty];

  // Operation ids as upstream spells them: readAppsV1NamespacedDeployment, deleteCoreV1CollectionNamespacedPod.
  const id = (verb: string, suffix = '', collection = '') => `${verb}${stem}${collection}${scoped}${r.kind}${suffix}`;
  const op = (action: string, operationId: string, description: string, opGvk: GroupVersionKind, extra: Record<string, unknown>) => ({
    description,
    operationId,
    ...extra,
    tags,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': opGvk,
  });
  const ok = (schema: string, codes: string[] = ['200']) => ({
    responses: {
      ...Object.fromEntries(codes.map((c) => [c, { description: codeText[c], ...body(schema) }])),
      '401': { description: 'Unauthorized' },
    },
  });

  const paths: Record<string, PathItem> = {};

  const collectionItem: PathItem = { parameters: scopeParams };
  if (verbs.has('list')) collectionItem.get = op('list', id('list'), `List or watch ${r.kind} objects.`, gvk, { parameters: listParams, ...ok(names.list) });
  if (verbs.has('create')) collectionItem.post = op('post', id('create'), `Create a ${r.kind}.`, gvk, { parameters: writeParams, requestBody: { ...body(names.kind, ['*/*']), required: true }, ...ok(names.kind, ['200', '201', '202']) });
  if (verbs.has('deletecollection')) collectionItem.delete = op('deletecollection', id('delete', '', 'Collection'), `Delete a collection of ${r.kind} objects.`, gvk, { parameters: deleteCollectionParams, requestBody: body(DELETE_OPTIONS, ['*/*']), ...ok(STATUS) });
  if (Object.keys(collectionItem).length > 1) paths[collection] = collectionItem;

  if (r.namespaced && verbs.has('list')) {
    paths[`${root}/${r.plural}`] = {
      parameters: [params.pretty],
      get: op('list', `list${stem}${r.kind}ForAllNamespaces`, `List or watch ${r.kind} objects across all namespaces.`, gvk, { parameters: listParams, ...ok(names.list) }),
    };
  }

  const itemParams = [pathParam('name', `Name of the ${r.kind}.`), ...scopeParams];
  const itemPath: PathItem = { parameters: itemParams };
  if (verbs.has('get')) itemPath.get = op('get', id('read'), `Read the given ${r.kind}.`, gvk, ok(names.kind));
  if (verbs.has('update')) itemPath.put = op('put', id('replace'), `Replace the given ${r.kind}.`, gvk, { parameters: writeParams, requestBody: { ...body(names.kind, ['*/*']), required: true }, ...ok(names.kind, ['200', '201']) });
  if (verbs.has('patch')) itemPath.patch = op('patch', id('patch'), `Partially update the given ${r.kind}.`, gvk, { parameters: patchParams, requestBody: { ...body(PATCH, patchTypes), required: true }, ...ok(names.kind, ['200', '201']) });
  if (verbs.has('delete')) itemPath.delete = op('delete', id('delete'), `Delete the given ${r.kind}.`, gvk, { parameters: deleteParams, requestBody: body(DELETE_OPTIONS, ['*/*']), ...ok(STATUS, ['200', '202']) });
  if (Object.keys(itemPath).length > 1) paths[item] = itemPath;

  // Subresources read and written as a whole object: the kind itself for status, Scale for scale.
  const subresource = (name: 'status' | 'scale', schema: string, subGvk: GroupVersionKind, nameParam: Param): PathItem => {
    const suffix = name === 'status' ? 'Status' : 'Scale';
    return {
      parameters: [nameParam, ...scopeParams],
      get: op('get', id('read', suffix), `Read the ${name} of the given ${r.kind}.`, subGvk, ok(schema)),
      put: op('put', id('replace', suffix), `Replace the ${name} of the given ${r.kind}.`, subGvk, { parameters: writeParams, requestBody: { ...body(schema, ['*/*']), required: true }, ...ok(schema, ['200', '201']) }),
      patch: op('patch', id('patch', suffix), `Partially update the ${name} of the given ${r.kind}.`, subGvk, { parameters: patchParams, requestBody: { ...body(PATCH, patchTypes), required: true }, ...ok(schema, ['200', '201']) }),
    };
  };
  if (r.subresources.includes('status')) paths[`${item}/status`] = subresource('status', names.kind, gvk, itemParams[0]);
  if (r.subresources.includes('scale') && names.scale) paths[`${item}/scale`] = subresource('scale', names.scale, SCALE_GVK, pathParam('name', 'Name of the Scale.'));

  return paths;
}

const codeText: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
