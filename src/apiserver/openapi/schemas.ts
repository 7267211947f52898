// Component schemas of an OpenAPI v3 document: built-in models turned into upstream-shaped
// definitions (named like "io.k8s.api.apps.v1.Deployment", nested types referenced through
// `allOf: [{$ref}]`, patch and list-type extensions, required fields), synthesised List kinds,
// and custom resource schemas taken from their CRD.
import { modelFields, type FieldType } from '../../api/schema/models.js';
import { patchMeta } from '../../api/schema/patchmeta.js';
import { fieldDescription, listDescription, modelDescription, standardFieldDescriptions } from '../../api/schema/descriptions.js';
import { definitionName, special } from './names.js';
import { requiredFields } from './required.js';

export type Schema = Record<string, unknown>;

export interface GroupVersionKind {
  group: string;
  kind: string;
  version: string;
}

export const GVK_EXTENSION = 'x-kubernetes-group-version-kind';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const objectMeta = `${META}.ObjectMeta`;
const listMeta = `${META}.ListMeta`;

/** Types client-node folds into primitives, published as the components upstream has. */
const specialSchemas: Record<string, Schema> = {
  [special.time]: { description: 'A timestamp in RFC 3339 form with second precision, in UTC.', type: 'string', format: 'date-time' },
  [special.microTime]: { description: 'A timestamp in RFC 3339 form with microsecond precision, in UTC.', type: 'string', format: 'date-time' },
  [special.fieldsV1]: { description: 'A set of field paths, encoded as a JSON object tree, owned by one field manager.', type: 'object' },
  [special.patch]: { description: 'The body of a patch request; its format is given by the Content-Type.', type: 'object' },
  [special.intOrString]: {
    description: 'A value that is either an integer or a string, such as a port number or name, or a count or percentage.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  },
  [special.quantity]: {
    description: 'An amount of a resource written as a decimal number with an optional suffix: binary (Ki, Mi, Gi, ...), decimal (k, M, G, ...) or milli (m), such as "500m", "2Gi" or "1.5".',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  [special.rawExtension]: { description: 'An embedded object of any type.', type: 'object' },
  [special.json]: { description: 'Any JSON value.' },
  [special.jsonSchemaPropsOrArray]: { description: 'A schema, or a list of schemas.' },
  [special.jsonSchemaPropsOrBool]: { description: 'A schema, or a boolean allowing or forbidding everything.' },
  [special.jsonSchemaPropsOrStringArray]: { description: 'A schema, or a list of property names.' },
  [special.customResourceSubresourceStatus]: { description: 'Enables the status subresource; has no fields.', type: 'object' },
};

type Build = (c: Components) => Schema;
const refTo = (name: string): Build => (c) => c.ref(name);
const mapOf = (values: Build): Build => (c) => ({ type: 'object', additionalProperties: values(c) });
const arrayOf = (items: Build): Build => (c) => ({ type: 'array', items: items(c) });
const quantityMap = mapOf(refTo(special.quantity));
const microTime = refTo(special.microTime);

/** Fields whose client-node type is looser than upstream's; each gets the upstream shape. */
const specialFields: Record<string, Record<string, Build>> = {
  V1ManagedFieldsEntry: { fieldsV1: refTo(special.fieldsV1) },
  V1ControllerRevision: { data: refTo(special.rawExtension) },
  CoreV1Event: { eventTime: microTime },
  CoreV1EventSeries: { lastObservedTime: microTime },
  EventsV1Event: { eventTime: microTime },
  EventsV1EventSeries: { lastObservedTime: microTime },
  V1LeaseSpec: { acquireTime: microTime, renewTime: microTime },
  V1CertificateSigningRequestSpec: { extra: mapOf(arrayOf(() => ({ type: 'string' }))) },
  V1Secret: { data: mapOf(() => ({ type: 'string', format: 'byte' })) },
  V1ConfigMap: { binaryData: mapOf(() => ({ type: 'string', format: 'byte' })) },
  V1PodSpec: { overhead: quantityMap },
  V1ResourceRequirements: { limits: quantityMap, requests: quantityMap },
  V1VolumeResourceRequirements: { limits: quantityMap, requests: quantityMap },
  V1ContainerStatus: { allocatedResources: quantityMap },
  V1NodeStatus: { allocatable: quantityMap, capacity: quantityMap },
  V1PersistentVolumeSpec: { capacity: quantityMap },
  V1PersistentVolumeClaimStatus: { allocatedResources: quantityMap, capacity: quantityMap },
  V1LimitRangeItem: { default: quantityMap, defaultRequest: quantityMap, max: quantityMap, maxLimitRequestRatio: quantityMap, min: quantityMap },
  V1ResourceQuotaSpec: { hard: quantityMap },
  V1ResourceQuotaStatus: { hard: quantityMap, used: quantityMap },
  V1EmptyDirVolumeSource: { sizeLimit: refTo(special.quantity) },
  V1ResourceFieldSelector: { divisor: refTo(special.quantity) },
  V2MetricTarget: { averageValue: refTo(special.quantity), value: refTo(special.quantity) },
  V2MetricValueStatus: { averageValue: refTo(special.quantity), value: refTo(special.quantity) },
  V1JSONSchemaProps: {
    default: refTo(special.json),
    example: refTo(special.json),
    enum: arrayOf(refTo(special.json)),
    items: refTo(special.jsonSchemaPropsOrArray),
    additionalItems: refTo(special.jsonSchemaPropsOrBool),
    additionalProperties: refTo(special.jsonSchemaPropsOrBool),
    dependencies: mapOf(refTo(special.jsonSchemaPropsOrStringArray)),
  },
  V1CustomResourceSubresources: { status: refTo(special.customResourceSubresourceStatus) },
};

/**
 * The component schemas of one document. Adding a model adds everything it references, so a
 * document is self-contained; `kinds` gives the GVKs to stamp on the kind schemas.
 */
export class Components {
  readonly schemas: Record<string, Schema> = {};

  constructor(private readonly kinds: Map<string, GroupVersionKind[]>) {}

  /** A reference to a component, adding special components on first use. */
  ref(name: string): Schema {
    if (!this.schemas[name] && specialSchemas[name]) this.schemas[name] = specialSchemas[name];
    return { allOf: [{ $ref: `#/components/schemas/${name}` }] };
  }

  /** Adds a client-node model (and what it references); returns its definition name. */
  addModel(model: string): string {
    const name = definitionName(model);
    if (this.schemas[name]) return name;
    const schema: Schema = {};
    this.schemas[name] = schema;
    const description = modelDescription(model);
    if (description) schema.description = description;
    const properties: Record<string, Schema> = {};
    for (const f of [...(modelFields(model) ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
      properties[f.name] = this.property(model, f.name, f.type);
    }
    schema.properties = properties;
    const required = requiredFields[model];
    if (required) schema.required = required;
    schema.type = 'object';
    const gvks = this.kinds.get(model);
    if (gvks) schema[GVK_EXTENSION] = gvks;
    return name;
  }

  /** Adds the List kind of a model ("io.k8s.api.apps.v1.DeploymentList"); returns its name. */
  addList(model: string, gvk: GroupVersionKind): string {
    const item = this.addModel(model);
    const name = `${item}List`;
    this.addModel('V1ListMeta');
    const text = listDescription(gvk.kind);
    this.schemas[name] = {
      description: text[''],
      properties: {
        apiVersion: { description: standardFieldDescriptions.apiVersion, type: 'string' },
        items: { description: text.items, items: this.ref(item), type: 'array' },
        kind: { description: standardFieldDescriptions.kind, type: 'string' },
        metadata: { ...this.ref(listMeta), description: text.metadata },
      },
      required: ['items'],
      type: 'object',
      [GVK_EXTENSION]: [{ ...gvk, kind: `${gvk.kind}List` }],
    };
    return name;
  }

  /**
   * Adds a custom resource kind from its CRD version schema, with the apiVersion, kind and
   * metadata every object has, and its List. Returns the kind's definition name.
   */
  addCustom(name: string, schema: Schema | undefined, gvk: GroupVersionKind): string {
    this.addModel('V1ObjectMeta');
    this.addModel('V1ListMeta');
    const root = publishedCustomSchema(schema ? structuredClone(schema) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    root.properties = {
      ...(root.properties as Record<string, Schema> | undefined),
      apiVersion: { description: standardFieldDescriptions.apiVersion, type: 'string' },
      kind: { description: standardFieldDescriptions.kind, type: 'string' },
      metadata: { ...this.ref(objectMeta), description: standardFieldDescriptions.metadata },
    };
    root.type = 'object';
    root[GVK_EXTENSION] = [gvk];
    this.schemas[name] = root;
    const text = listDescription(gvk.kind);
    this.schemas[`${name}List`] = {
      description: text[''],
      properties: {
        apiVersion: { description: standardFieldDescriptions.apiVersion, type: 'string' },
        items: { description: text.items, items: this.ref(name), type: 'array' },
        kind: { description: standardFieldDescriptions.kind, type: 'string' },
        metadata: { ...this.ref(listMeta), description: text.metadata },
      },
      required: ['items'],
      type: 'object',
      [GVK_EXTENSION]: [{ ...gvk, kind: `${gvk.kind}List` }],
    };
    return name;
  }

  /** Sorted copy of the schemas, so that equal inputs give byte-equal documents. */
  sorted(): Record<string, Schema> {
    return Object.fromEntries(Object.keys(this.schemas).sort().map((k) => [k, this.schemas[k]]));
  }

  private property(model: string, field: string, type: FieldType): Schema {
    const build = specialFields[model]?.[field];
    const schema: Schema = build ? build(this) : this.typeSchema(type);
    const description = fieldDescription(model, field);
    if (description) schema.description = description;
    const meta = patchMeta(model, field);
    if (meta.listMapKeys) schema['x-kubernetes-list-map-keys'] = meta.listMapKeys;
    if (meta.listType) schema['x-kubernetes-list-type'] = meta.listType;
    if (meta.mapType) schema['x-kubernetes-map-type'] = meta.mapType;
    if (meta.patchMergeKey) schema['x-kubernetes-patch-merge-key'] = meta.patchMergeKey;
    if (meta.patchStrategy) schema['x-kubernetes-patch-strategy'] = meta.patchStrategy;
    return schema;
  }

  private typeSchema(type: FieldType): Schema {
    switch (type.kind) {
      case 'object':
        return this.ref(this.addModel(type.model));
      case 'array':
        return { type: 'array', items: this.typeSchema(type.items) };
      case 'map':
        return { type: 'object', additionalProperties: this.typeSchema(type.values) };
      case 'string':
        return type.format ? { type: 'string', format: type.format } : { type: 'string' };
      case 'integer':
        return { type: 'integer', format: type.format ?? 'int64' };
      case 'number':
        return { type: 'number', format: type.format ?? 'double' };
      case 'boolean':
        return { type: 'boolean' };
      case 'date-time':
        return this.ref(special.time);
      case 'int-or-string':
        return this.ref(special.intOrString);
      case 'any':
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }
  }
}

/**
 * A CRD schema as published: embedded resources gain the apiVersion/kind/metadata fields
 * every object has, as upstream does, so that explain and clients see them.
 */
function publishedCustomSchema(schema: Schema): Schema {
  if (schema['x-kubernetes-embedded-resource'] === true) {
    schema.properties = {
      apiVersion: { type: 'string', description: standardFieldDescriptions.apiVersion },
      kind: { type: 'string', description: standardFieldDescriptions.kind },
      metadata: { type: 'object', description: standardFieldDescriptions.metadata },
      ...(schema.properties as Record<string, Schema> | undefined),
    };
  }
  for (const key of ['properties', 'patternProperties', 'definitions']) {
    const children = schema[key];
    if (isObject(children)) for (const child of Object.values(children)) if (isObject(child)) publishedCustomSchema(child);
  }
  for (const key of ['items', 'additionalProperties', 'not']) {
    const child = schema[key];
    if (isObject(child)) publishedCustomSchema(child);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const child of list) if (isObject(child)) publishedCustomSchema(child);
  }
  return schema;
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
