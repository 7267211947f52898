import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { builtinResources, customResource, type ResourceType } from '../../api/resources.js';
import { patchMeta } from '../../api/schema/patchmeta.js';
import { buildOpenApiV3, openApiV3Document, openApiV3Index, openApiV2Placeholder } from './index.js';
import { customDefinitionName, definitionName, operationGroupVersion, operationTag } from './names.js';

type Doc = { paths: Record<string, any>; components: { schemas: Record<string, any> } };

const widgetSchema = {
  type: 'object',
  properties: {
    spec: { type: 'object', properties: { size: { type: 'integer' }, port: { 'x-kubernetes-int-or-string': true } } },
    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
};
const widget = customResource({
  group: 'stable.example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
  storageVersion: 'v1',
  subresources: ['status', 'scale'],
  crd: { name: 'widgets.stable.example.com', schema: widgetSchema, preserveUnknownFields: false },
});
const resources: ResourceType[] = [...builtinResources, widget];

function doc(gv: string): Doc {
  const d = buildOpenApiV3(resources, gv);
  assert.ok(d, `no document for ${gv}`);
  return d as Doc;
}

const allGroupVersions = [...new Set(resources.map((r) => (r.group ? `${r.group}/${r.version}` : r.version)))];

test('definition names follow upstream packages', () => {
  const cases: Array<[string, string]> = [
    ['V1Deployment', 'io.k8s.api.apps.v1.Deployment'],
    ['V1Pod', 'io.k8s.api.core.v1.Pod'],
    ['V1ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'],
    ['V1LabelSelector', 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'],
    ['CoreV1Event', 'io.k8s.api.core.v1.Event'],
    ['EventsV1Event', 'io.k8s.api.events.v1.Event'],
    ['V1Scale', 'io.k8s.api.autoscaling.v1.Scale'],
    ['V2HorizontalPodAutoscaler', 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler'],
    ['V1Endpoint', 'io.k8s.api.discovery.v1.Endpoint'],
    ['V1EndpointAddress', 'io.k8s.api.core.v1.EndpointAddress'],
    ['RbacV1Subject', 'io.k8s.api.rbac.v1.Subject'],
    ['V1JSONSchemaProps', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps'],
    ['ApiextensionsV1WebhookClientConfig', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig'],
  ];
  for (const [model, name] of cases) assert.equal(definitionName(model), name);
  assert.equal(customDefinitionName('stable.example.com', 'v1', 'Widget'), 'com.example.stable.v1.Widget');
  assert.equal(operationGroupVersion('rbac.authorization.k8s.io', 'v1'), 'RbacAuthorizationV1');
  assert.equal(operationGroupVersion('', 'v1'), 'CoreV1');
  assert.equal(operationTag('apps', 'v1'), 'apps_v1');
});

test('index lists every group version with the upper-case SHA-512 of its document', () => {
  const index = openApiV3Index(resources);
  assert.deepEqual(Object.keys(index.paths).sort(), allGroupVersions.map((gv) => (gv.includes('/') ? `apis/${gv}` : `api/${gv}`)).sort());
  for (const [key, { serverRelativeURL }] of Object.entries(index.paths)) {
    const m = /^\/openapi\/v3\/(.+)\?hash=([0-9A-F]{128})$/.exec(serverRelativeURL);
    assert.ok(m, serverRelativeURL);
    assert.equal(m[1], key);
    const d = openApiV3Document(resources, key)!;
    assert.equal(m[2], createHash('sha512').update(d.body).digest('hex').toUpperCase());
  }
});

test('documents are cached until the resources of their group version change', () => {
  const a = openApiV3Document(resources, 'apis/stable.example.com/v1')!;
  assert.equal(openApiV3Document(resources, 'stable.example.com/v1'), a);
  const changed = { ...widget, crd: { ...widget.crd!, schema: { ...widgetSchema, description: 'changed' } } };
  const b = openApiV3Document([...builtinResources, changed], 'apis/stable.example.com/v1')!;
  assert.notEqual(b.hash, a.hash);
  assert.equal(buildOpenApiV3(resources, 'apis/nothing.example.com/v1'), undefined);
});

test('every $ref resolves within its document', () => {
  for (const gv of allGroupVersions) {
    const d = doc(gv);
    const refs = new Set<string>();
    JSON.stringify(d, (k, v) => {
      if (k === '$ref' && typeof v === 'string') refs.add(v);
      return v;
    });
    for (const ref of refs) {
      const name = ref.replace('#/components/schemas/', '');
      assert.ok(d.components.schemas[name], `${gv}: dangling ${ref}`);
    }
  }
});

// kubectl explain: finds the GVK on an operation of the resource's paths, then the schema whose
// x-kubernetes-group-version-kind contains exactly that object.
test('explain can resolve every resource to its kind schema', () => {
  for (const r of resources) {
    const d = doc(r.group ? `${r.group}/${r.version}` : r.version);
    const prefix = r.group ? `/apis/${r.group}` : '/api';
    const candidates = [
      `${prefix}/${r.version}/${r.plural}`,
      `${prefix}/${r.version}/${r.plural}/{name}`,
      `${prefix}/${r.version}/namespaces/{namespace}/${r.plural}`,
      `${prefix}/${r.version}/namespaces/{namespace}/${r.plural}/{name}`,
    ];
    const gvks = candidates.flatMap((p) => ['get', 'post', 'put', 'patch', 'delete'].map((m) => d.paths[p]?.[m]?.['x-kubernetes-group-version-kind']).filter(Boolean));
    assert.ok(gvks.length > 0, `${r.plural}: no operation with a GVK`);
    for (const gvk of gvks) assert.deepEqual(gvk, { group: r.group, kind: r.kind, version: r.version });
    const kinds = Object.values(d.components.schemas).filter((s) => (s['x-kubernetes-group-version-kind'] ?? []).some((g: unknown) => JSON.stringify(g) === JSON.stringify(gvks[0])));
    assert.equal(kinds.length, 1, `${r.plural}: ${kinds.length} schemas carry its GVK`);
  }
});

// kubectl's QueryParamVerifierV3 takes the first PATCH operation of the kind it meets (map
// order) and needs fieldValidation among that operation's own query parameters.
test('every PATCH operation lists fieldValidation, dryRun, fieldManager and force', () => {
  for (const gv of allGroupVersions) {
    for (const [path, item] of Object.entries(doc(gv).paths)) {
      if (!item.patch) continue;
      assert.ok(item.patch['x-kubernetes-group-version-kind'], path);
      assert.equal(item.patch['x-kubernetes-action'], 'patch');
      const names = item.patch.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
      for (const n of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) assert.ok(names.includes(n), `${path}: no ${n}`);
    }
  }
});

test('operations carry their action and verbs map to methods', () => {
  const d = doc('apps/v1');
  const coll = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
  assert.equal(coll.get['x-kubernetes-action'], 'list');
  assert.equal(coll.post['x-kubernetes-action'], 'post');
  assert.equal(coll.delete['x-kubernetes-action'], 'deletecollection');
  assert.equal(coll.delete.operationId, 'deleteAppsV1CollectionNamespacedDeployment');
  const item = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.deepEqual(Object.keys(item).filter((k) => k !== 'parameters').sort(), ['delete', 'get', 'patch', 'put']);
  assert.equal(item.get.operationId, 'readAppsV1NamespacedDeployment');
  assert.equal(d.paths['/apis/apps/v1/deployments'].get.operationId, 'listAppsV1DeploymentForAllNamespaces');
  const scale = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.ok(d.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  // Namespaces cannot be deleted as a collection, and are cluster-scoped.
  const core = doc('v1');
  assert.equal(core.paths['/api/v1/namespaces'].delete, undefined);
  assert.ok(core.paths['/api/v1/nodes/{name}/status'].patch);
});

// kubectl apply builds a strategic merge patch from v3 only when PATCH accepts it; custom
// resources must not offer it, so kubectl sends a JSON merge patch.
test('strategic merge patch is offered for built-ins only', () => {
  const smp = 'application/strategic-merge-patch+json';
  assert.ok(doc('apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch.requestBody.content[smp]);
  const custom = doc('stable.example.com/v1').paths['/apis/stable.example.com/v1/namespaces/{namespace}/widgets/{name}'].patch.requestBody.content;
  assert.equal(custom[smp], undefined);
  assert.ok(custom['application/merge-patch+json']);
  assert.ok(custom['application/apply-patch+yaml']);
});

test('built-in schemas: refs through allOf, extensions, required, special types', () => {
  const s = doc('apps/v1').components.schemas;
  const deployment = s['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.deepEqual(deployment.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  assert.equal(deployment.required, undefined);
  assert.deepEqual(s['io.k8s.api.apps.v1.DeploymentList'].required, ['items']);
  assert.deepEqual(s['io.k8s.api.apps.v1.DeploymentList']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'DeploymentList', version: 'v1' }]);
  assert.ok(s['io.k8s.api.apps.v1.DeploymentSpec'].required.includes('selector'));
  assert.deepEqual(s['io.k8s.api.core.v1.Container'].required, ['name']);
  assert.deepEqual(s['io.k8s.api.core.v1.PodSpec'].required, ['containers']);
  assert.equal(s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].required, undefined);

  const maxSurge = s['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties.maxSurge;
  assert.deepEqual(maxSurge.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
  assert.ok(maxSurge.description);
  const intOrString = s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(intOrString['x-kubernetes-int-or-string'], true);
  assert.equal(intOrString.format, 'int-or-string');
  assert.deepEqual(s['io.k8s.apimachinery.pkg.apis.meta.v1.Time'], { description: s['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].description, type: 'string', format: 'date-time' });
  assert.deepEqual(s['io.k8s.api.core.v1.ResourceRequirements'].properties.limits.additionalProperties.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' }]);
  assert.deepEqual(s['io.k8s.api.core.v1.Container'].properties.ports.items.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerPort' }]);
  assert.deepEqual(s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.generation, { description: s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.generation.description, type: 'integer', format: 'int64' });
});

test('patch facts become x-kubernetes extensions', () => {
  const containers = doc('v1').components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
  const meta = patchMeta('V1PodSpec', 'containers');
  assert.equal(containers['x-kubernetes-patch-strategy'], meta.patchStrategy);
  assert.equal(containers['x-kubernetes-patch-merge-key'], meta.patchMergeKey);
  assert.equal(containers['x-kubernetes-list-type'], meta.listType);
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], meta.listMapKeys);
});

test('custom resource schema: CRD schema plus apiVersion, kind and metadata', () => {
  const s = doc('stable.example.com/v1').components.schemas;
  const w = s['com.example.stable.v1.Widget'];
  assert.deepEqual(w['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'Widget', version: 'v1' }]);
  assert.equal(w.type, 'object');
  assert.deepEqual(Object.keys(w.properties).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.deepEqual(w.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  assert.equal(w.properties.spec.properties.port['x-kubernetes-int-or-string'], true);
  assert.ok(s['com.example.stable.v1.WidgetList']);
  assert.ok(s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  assert.deepEqual(widgetSchema.properties.spec.properties, { size: { type: 'integer' }, port: { 'x-kubernetes-int-or-string': true } }, 'the CRD schema is not modified');
});

test('openapi/v2 placeholder is an empty document', () => {
  assert.deepEqual(openApiV2Placeholder('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), { contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', body: '' });
  assert.equal(JSON.parse(openApiV2Placeholder('application/json').body).swagger, '2.0');
});
