// apiextensions.k8s.io/v1 CustomResourceDefinition: the name is plural.group, group and names are
// DNS-shaped, exactly one storage version, schemas present, conversion settings consistent, and
// group, plural (and once established, scope and kind) never change.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { arr, forbidden, has, immutable, invalid, notSupported, obj, required, str, type Obj } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';

const spec = FieldPath.of('spec');
const PRINTER_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const PRINTER_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'name', 'password'];
const SCHEMA_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function validateNames(names: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['plural', 'singular']) {
    const v = str(names[f]);
    if (v && isDNS1035Label(v).length > 0) errs.push(invalid(path.child(f), v, isDNS1035Label(v).join(',')));
  }
  for (const f of ['kind', 'listKind']) {
    const v = str(names[f]);
    const msgs = isDNS1035Label(v.toLowerCase());
    if (v && msgs.length > 0) errs.push(invalid(path.child(f), v, `may have mixed case, but should otherwise match: ${msgs.join(',')}`));
  }
  arr(names.shortNames).forEach((n, i) => {
    const msgs = isDNS1035Label(String(n));
    if (msgs.length > 0) errs.push(invalid(path.child('shortNames').index(i), n, msgs.join(',')));
  });
  if (names.kind && names.kind === names.listKind) errs.push(invalid(path.child('listKind'), names.listKind, 'kind and listKind may not be the same'));
  arr(names.categories).forEach((c, i) => {
    const msgs = isDNS1035Label(String(c));
    if (msgs.length > 0) errs.push(invalid(path.child('categories').index(i), c, msgs.join(',')));
  });
  return errs;
}

/** The structural basics: every schema node names a known type, and the root is an object. */
function validateSchema(schema: Obj, path: FieldPath, root: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (root) {
    if (!schema.type) errs.push(required(path.child('type'), 'must not be empty at the root'));
    else if (schema.type !== 'object') errs.push(invalid(path.child('type'), schema.type, 'must be object at the root'));
    if (schema.nullable === true) errs.push(forbidden(FieldPath.of(`${path}.nullable`), 'nullable cannot be true at the root'));
  }
  if (schema.type && !SCHEMA_TYPES.includes(schema.type)) errs.push(notSupported(path.child('type'), schema.type, SCHEMA_TYPES));
  if (schema.uniqueItems === true) errs.push(forbidden(path.child('uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (isObject(schema.properties) && Object.keys(schema.properties).length > 0 && (schema.additionalProperties === false || isObject(schema.additionalProperties))) {
    errs.push(forbidden(path.child('additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  for (const [k, v] of Object.entries(obj(schema.properties))) errs.push(...validateSchema(obj(v), path.child('properties').key(k), false));
  if (isObject(schema.items)) errs.push(...validateSchema(schema.items, path.child('items'), false));
  if (isObject(schema.additionalProperties)) errs.push(...validateSchema(schema.additionalProperties, path.child('additionalProperties'), false));
  return errs;
}

function validateColumn(col: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!col.name) errs.push(required(path.child('name')));
  if (!col.type) errs.push(required(path.child('type'), `must be one of ${PRINTER_TYPES.join(',')}`));
  else if (!PRINTER_TYPES.includes(col.type)) errs.push(invalid(path.child('type'), col.type, `must be one of ${PRINTER_TYPES.join(',')}`));
  if (col.format && !PRINTER_FORMATS.includes(col.format)) errs.push(invalid(path.child('format'), col.format, `must be one of ${PRINTER_FORMATS.join(',')}`));
  if (!col.jsonPath) errs.push(required(path.child('JSONPath')));
  else if (!str(col.jsonPath).startsWith('.')) errs.push(invalid(path.child('JSONPath'), col.jsonPath, 'must be a simple json path starting with .'));
  return errs;
}

function validateConversion(conversion: unknown, preserveUnknownFields: boolean): FieldError[] {
  if (!isObject(conversion)) return [];
  const p = spec.child('conversion');
  const errs: FieldError[] = [];
  const strategy = str(conversion.strategy);
  if (strategy && strategy !== 'None' && preserveUnknownFields) errs.push(invalid(p.child('strategy'), strategy, 'must be None if spec.preserveUnknownFields is true'));
  if (!strategy) errs.push(required(p.child('strategy')));
  else if (!['None', 'Webhook'].includes(strategy)) errs.push(notSupported(p.child('strategy'), strategy, ['None', 'Webhook']));
  if (strategy === 'Webhook') {
    const webhook = obj(conversion.webhook);
    const cc = webhook.clientConfig;
    const ccPath = p.child('webhookClientConfig');
    if (!isObject(cc)) errs.push(required(ccPath, 'required when strategy is set to Webhook'));
    else if (has(cc, 'url') === has(cc, 'service')) errs.push(required(ccPath, 'exactly one of url or service is required'));
    else if (has(cc, 'url') && !/^https:\/\//.test(str(cc.url))) errs.push(invalid(ccPath.child('url'), cc.url, "'https' is the only allowed URL scheme"));
    else if (isObject(cc.service)) {
      if (!cc.service.name) errs.push(required(ccPath.child('service', 'name'), 'service name is required'));
      if (!cc.service.namespace) errs.push(required(ccPath.child('service', 'namespace'), 'service namespace is required'));
      if (has(cc.service, 'port') && !(cc.service.port >= 1 && cc.service.port <= 65535)) errs.push(invalid(ccPath.child('service', 'port'), cc.service.port, 'port is not valid: must be between 1 and 65535, inclusive'));
    }
    const versions = arr(webhook.conversionReviewVersions);
    if (versions.length === 0) errs.push(required(p.child('conversionReviewVersions')));
    else if (!versions.includes('v1') && !versions.includes('v1beta1')) errs.push(invalid(p.child('conversionReviewVersions'), versions, 'must include at least one of v1, v1beta1'));
  } else if (isObject(conversion.webhook)) {
    if (isObject(conversion.webhook.clientConfig)) errs.push(forbidden(p.child('webhookClientConfig'), 'should not be set when strategy is not set to Webhook'));
    if (arr(conversion.webhook.conversionReviewVersions).length > 0) errs.push(forbidden(p.child('conversionReviewVersions'), 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function validateCRDSpec(s: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const group = str(s.group);
  if (!group) errs.push(required(spec.child('group')));
  else if (isDNS1123Subdomain(group).length > 0) errs.push(invalid(spec.child('group'), group, isDNS1123Subdomain(group).join(',')));
  else if (group.split('.').length < 2) errs.push(invalid(spec.child('group'), group, 'should be a domain with at least one dot'));
  if (!s.scope) errs.push(required(spec.child('scope')));
  else if (!['Cluster', 'Namespaced'].includes(s.scope)) errs.push(notSupported(spec.child('scope'), s.scope, ['Cluster', 'Namespaced']));
  const preserveUnknownFields = s.preserveUnknownFields === true;
  const versions = arr(s.versions).map(obj);
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const p = spec.child('versions').index(i);
    if (v.storage === true) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const nameErrs = isDNS1035Label(str(v.name));
    if (nameErrs.length > 0) errs.push(invalid(p.child('name'), str(v.name), nameErrs.join(',')));
    const schema = obj(v.schema).openAPIV3Schema;
    if (!isObject(schema)) {
      errs.push(required(p.child('schema').child('openAPIV3Schema'), 'schemas are required'));
    } else {
      errs.push(...validateSchema(schema, p.child('schema', 'openAPIV3Schema'), true));
    }
    if (!v.deprecated && has(v, 'deprecationWarning')) errs.push(invalid(p.child('deprecationWarning'), v.deprecationWarning, 'can only be set for deprecated versions'));
    if (has(v, 'deprecationWarning') && str(v.deprecationWarning).length > 256) errs.push(invalid(p.child('deprecationWarning'), v.deprecationWarning, 'must be <= 256 characters long'));
    arr(v.additionalPrinterColumns).forEach((c, j) => errs.push(...validateColumn(obj(c), p.child('additionalPrinterColumns').index(j))));
    const scale = obj(obj(v.subresources).scale);
    if (isObject(obj(v.subresources).scale)) {
      const sp = p.child('subresources', 'scale');
      if (!scale.specReplicasPath) errs.push(required(sp.child('specReplicasPath')));
      else if (!str(scale.specReplicasPath).startsWith('.spec.')) errs.push(invalid(sp.child('specReplicasPath'), scale.specReplicasPath, 'should be a json path under .spec'));
      if (!scale.statusReplicasPath) errs.push(required(sp.child('statusReplicasPath')));
      else if (!str(scale.statusReplicasPath).startsWith('.status.')) errs.push(invalid(sp.child('statusReplicasPath'), scale.statusReplicasPath, 'should be a json path under .status'));
      if (scale.labelSelectorPath && !/^\.(spec|status)\./.test(str(scale.labelSelectorPath))) errs.push(invalid(sp.child('labelSelectorPath'), scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
    }
  });
  if (!unique) errs.push(invalid(spec.child('versions'), versions, 'must contain unique version names'));
  if (storage !== 1) errs.push(invalid(spec.child('versions'), versions, 'must have exactly one version marked as storage version'));
  const names = obj(s.names);
  for (const f of ['plural', 'singular', 'kind', 'listKind']) if (!names[f]) errs.push(required(spec.child('names', f)));
  errs.push(...validateNames(names, spec.child('names')));
  errs.push(...validateConversion(s.conversion, preserveUnknownFields));
  return errs;
}

export function validateCustomResourceDefinition(crd: KubeObject, old?: KubeObject): FieldError[] {
  const s = obj(crd.spec);
  const names = obj(s.names);
  const errs: FieldError[] = [];
  if (old) {
    errs.push(...validateObjectMetaUpdate(crd.metadata, old.metadata));
  } else {
    const requiredName = `${str(names.plural)}.${str(s.group)}`;
    errs.push(...validateObjectMeta(crd.metadata, {
      namespaced: false,
      nameFn: (name, prefix) => [...nameIsDNSSubdomain(name, prefix), ...(name !== requiredName ? ['must be spec.names.plural+"."+spec.group'] : [])],
    }));
  }
  errs.push(...validateCRDSpec(s));
  const acceptedNames = obj(obj(crd.status).acceptedNames);
  errs.push(...validateNames(acceptedNames, FieldPath.of('status', 'acceptedNames')));
  const stored = arr(obj(crd.status).storedVersions);
  const storedPath = FieldPath.of('status').child('storedVersions');
  if (stored.length === 0) errs.push(invalid(storedPath, stored, 'must have at least one stored version'));
  else {
    const versions = arr(s.versions).map(obj);
    for (const v of versions) if (v.storage === true && !stored.includes(v.name)) errs.push(invalid(storedPath, stored, `must have the storage version ${v.name}`));
    const names = new Set(versions.map((v) => v.name));
    stored.forEach((v, i) => {
      if (!names.has(v)) errs.push(invalid(storedPath.index(i), v, `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`));
    });
  }
  if (old) {
    const o = obj(old.spec);
    const established = arr(obj(old.status).conditions).some((c) => obj(c).type === 'Established' && obj(c).status === 'True');
    if (established) {
      errs.push(...immutable(s.scope, o.scope, spec.child('scope')));
      errs.push(...immutable(names.kind, obj(o.names).kind, spec.child('names', 'kind')));
    }
    errs.push(...immutable(s.group, o.group, spec.child('group')));
    errs.push(...immutable(names.plural, obj(o.names).plural, spec.child('names', 'plural')));
  }
  return errs;
}
