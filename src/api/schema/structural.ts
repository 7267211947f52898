// What the API does with the fields of a request body beyond its type's own rules:
//  - custom resources: the structural-schema behaviour of a CRD's openAPIV3Schema — prune
//    fields the schema does not know, apply defaults, validate — with upstream's messages;
//  - built-in types: find (and drop) fields their model does not have, for fieldValidation.
// Unknown-field paths are written as upstream prints them in `unknown field "…"`:
// "spec.replicass", "spec.template.spec.containers[0].imagee" (no leading dot).
import { isDeepStrictEqual } from 'node:util';
import { isIP } from 'node:net';
import { field, type FieldError } from '../errors.js';
import { modelFields, type FieldType } from './models.js';

/** A CRD schema node (JSONSchemaProps) as stored in the CRD. */
export type JSONSchema = Record<string, any>;

export interface ValidateAndPruneOptions {
  /** The CRD's spec.preserveUnknownFields: keep unknown fields instead of pruning them. */
  preserveUnknownFields?: boolean;
}

export interface ValidateAndPruneResult {
  /** Schema violations, as upstream reports them in an Invalid status. */
  errors: FieldError[];
  /** Paths of the fields that were dropped because the schema does not know them, sorted. */
  unknownFields: string[];
}

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Applies a CRD version's structural schema to a custom resource object, in place and in
 * upstream's order: prune unknown fields (the object root and every
 * x-kubernetes-embedded-resource keep apiVersion, kind and metadata, and metadata loses what
 * ObjectMeta does not have), apply defaults, then validate.
 */
export function validateAndPrune(schema: JSONSchema, obj: Record<string, unknown>, options: ValidateAndPruneOptions = {}): ValidateAndPruneResult {
  const walk: PruneWalk = { prune: !options.preserveUnknownFields, unknown: [], errors: [] };
  pruneValue(obj, schema, '', walk, true);
  applyDefaults(schema, obj);
  const errors = [...walk.errors];
  validateValue(obj, schema, '', errors, true);
  return { errors, unknownFields: walk.unknown.sort() };
}

// ---- pruning ----

interface PruneWalk {
  prune: boolean;
  unknown: string[];
  errors: FieldError[];
}

function pruneValue(x: unknown, s: JSONSchema | undefined, path: string, walk: PruneWalk, root = false, inherited = false): void {
  const preserve = inherited || !walk.prune || s?.['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = root || s?.['x-kubernetes-embedded-resource'] === true;
  if (isPlainObject(x)) {
    if (embedded) coerceTypeMeta(x, path, walk);
    for (const k of Object.keys(x)) {
      if (embedded && META_FIELDS.has(k)) continue;
      const child = join(path, k);
      const prop = s?.properties?.[k] as JSONSchema | undefined;
      if (prop) pruneValue(x[k], prop, child, walk);
      else if (s && s.additionalProperties !== undefined && s.additionalProperties !== false) {
        pruneValue(x[k], isPlainObject(s.additionalProperties) ? s.additionalProperties : undefined, child, walk);
      } else if (!preserve) {
        walk.unknown.push(child);
        delete x[k];
      }
    }
  } else if (Array.isArray(x)) {
    // Items of a list that keeps unknown fields keep theirs too, as upstream's pruning does.
    x.forEach((item, i) => pruneValue(item, s?.items as JSONSchema | undefined, `${path}[${i}]`, walk, false, preserve && walk.prune));
  }
}

/** apiVersion and kind of an embedded object must be strings; metadata keeps only ObjectMeta fields. */
function coerceTypeMeta(x: Record<string, unknown>, path: string, walk: PruneWalk): void {
  for (const k of ['apiVersion', 'kind']) {
    if (k in x && typeof x[k] !== 'string') walk.errors.push(field.invalid(join(path, k), x[k], 'must be a string'));
  }
  if (!('metadata' in x) || x.metadata === null) return;
  if (!isPlainObject(x.metadata)) {
    walk.errors.push(field.invalid(join(path, 'metadata'), x.metadata, 'must be an object'));
    return;
  }
  walk.unknown.push(...pruneUnknownFields('V1ObjectMeta', x.metadata, join(path, 'metadata')));
}

// ---- defaulting ----

/**
 * Fills absent fields (and nulls of non-nullable fields) that have a `default` in the schema,
 * top-down so that defaulted objects get their own fields defaulted; drops other nulls of
 * non-nullable fields, as upstream does before validation. In place.
 */
export function applyDefaults(schema: JSONSchema, obj: unknown): void {
  defaultValue(obj, schema);
}

function defaultValue(x: unknown, s: JSONSchema | undefined): void {
  if (!s) return;
  if (isPlainObject(x)) {
    const properties = (s.properties ?? {}) as Record<string, JSONSchema>;
    for (const [k, prop] of Object.entries(properties)) {
      if (prop.default === undefined) continue;
      if (!(k in x) || (x[k] === null && !prop.nullable)) x[k] = structuredClone(prop.default);
    }
    const additional = isPlainObject(s.additionalProperties) ? (s.additionalProperties as JSONSchema) : undefined;
    for (const k of Object.keys(x)) {
      const prop = properties[k] ?? additional;
      if (!prop) continue;
      if (x[k] === null && !prop.nullable) {
        if (prop.default === undefined) {
          delete x[k];
          continue;
        }
        x[k] = structuredClone(prop.default);
      }
      defaultValue(x[k], prop);
    }
  } else if (Array.isArray(x)) {
    const items = s.items as JSONSchema | undefined;
    if (!items) return;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === null && !items.nullable && items.default !== undefined) x[i] = structuredClone(items.default);
      defaultValue(x[i], items);
    }
  }
}

// ---- validation ----

/** Validates a value against a CRD schema without changing it. Paths are relative to `path`. */
export function validateSchema(schema: JSONSchema, value: unknown, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  validateValue(value, schema, path, errors, false);
  return errors;
}

function validateValue(x: unknown, s: JSONSchema, path: string, errors: FieldError[], root: boolean): void {
  const name = path || '.';
  const expected: string[] = s['x-kubernetes-int-or-string'] === true ? ['integer', 'string'] : typeof s.type === 'string' && s.type ? [s.type] : [];
  if (x === null || x === undefined) {
    if (expected.length > 0 && !s.nullable) errors.push(field.typeInvalid(path, 'null', `${name} in body must be of type ${expected.join(',')}: "null"`));
    return;
  }
  const actual = jsonType(x);
  if (expected.length > 0 && !expected.includes(actual) && !(actual === 'integer' && expected.includes('number'))) {
    errors.push(field.typeInvalid(path, actual, `${name} in body must be of type ${expected.join(',')}: "${actual}"`));
    return;
  }

  if (Array.isArray(s.enum) && !s.enum.some((e: unknown) => isDeepStrictEqual(e, x))) {
    errors.push(field.notSupported(path, x, s.enum.map((e: unknown) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }

  if (typeof x === 'string') validateString(x, s, path, name, errors);
  else if (typeof x === 'number') validateNumber(x, s, path, name, errors);
  else if (Array.isArray(x)) validateArray(x, s, path, name, errors);
  else if (isPlainObject(x)) validateObject(x, s, path, name, errors, root);

  validateCombinators(x, s, path, name, errors);
}

function validateString(x: string, s: JSONSchema, path: string, name: string, errors: FieldError[]): void {
  const length = [...x].length;
  if (typeof s.maxLength === 'number' && length > s.maxLength) {
    errors.push({ type: 'FieldValueTooLong', field: path, detail: `may not be more than ${s.maxLength} bytes` });
  }
  if (typeof s.minLength === 'number' && length < s.minLength) {
    errors.push(field.invalid(path, x, `${name} in body should be at least ${s.minLength} chars long`));
  }
  if (typeof s.pattern === 'string' && !matches(s.pattern, x)) {
    errors.push(field.invalid(path, x, `${name} in body should match '${s.pattern}'`));
  }
  const check = typeof s.format === 'string' ? formats[s.format] : undefined;
  if (check && !check(x)) {
    errors.push(field.typeInvalid(path, x, `${name} in body must be of type ${s.format}: ${JSON.stringify(x)}`));
  }
}

function validateNumber(x: number, s: JSONSchema, path: string, name: string, errors: FieldError[]): void {
  if (typeof s.maximum === 'number') {
    if (s.exclusiveMaximum === true ? x >= s.maximum : x > s.maximum) {
      errors.push(field.invalid(path, x, `${name} in body should be less than ${s.exclusiveMaximum === true ? '' : 'or equal to '}${s.maximum}`));
    }
  }
  if (typeof s.minimum === 'number') {
    if (s.exclusiveMinimum === true ? x <= s.minimum : x < s.minimum) {
      errors.push(field.invalid(path, x, `${name} in body should be greater than ${s.exclusiveMinimum === true ? '' : 'or equal to '}${s.minimum}`));
    }
  }
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0 && !Number.isInteger(Number((x / s.multipleOf).toPrecision(12)))) {
    errors.push(field.invalid(path, x, `${name} in body should be a multiple of ${s.multipleOf}`));
  }
}

function validateArray(x: unknown[], s: JSONSchema, path: string, name: string, errors: FieldError[]): void {
  if (typeof s.maxItems === 'number' && x.length > s.maxItems) {
    errors.push({ type: 'FieldValueTooMany', field: path, value: x.length, detail: `must have at most ${s.maxItems} items` });
  }
  if (typeof s.minItems === 'number' && x.length < s.minItems) {
    errors.push(field.invalid(path, x.length, `${name} in body should have at least ${s.minItems} items`));
  }
  if (s.uniqueItems === true && x.some((v, i) => x.findIndex((w) => isDeepStrictEqual(v, w)) !== i)) {
    errors.push(field.invalid(path, '', `${name} in body shouldn't contain duplicates`));
  }
  const items = isPlainObject(s.items) ? (s.items as JSONSchema) : undefined;
  if (items) x.forEach((item, i) => validateValue(item, items, `${path}[${i}]`, errors, false));
  validateListType(x, s, path, errors);
}

/** x-kubernetes-list-type set and map: no two items (or two items' keys) may be equal. */
function validateListType(x: unknown[], s: JSONSchema, path: string, errors: FieldError[]): void {
  const listType = s['x-kubernetes-list-type'];
  if (listType !== 'set' && listType !== 'map') return;
  const keys: string[] = listType === 'map' && Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : [];
  const seen: unknown[] = [];
  x.forEach((item, i) => {
    const identity = listType === 'set' ? item : isPlainObject(item) ? Object.fromEntries(keys.map((k) => [k, item[k]])) : item;
    if (seen.some((v) => isDeepStrictEqual(v, identity))) errors.push(field.duplicate(`${path}[${i}]`, identity));
    else seen.push(identity);
  });
}

function validateObject(x: Record<string, unknown>, s: JSONSchema, path: string, name: string, errors: FieldError[], root: boolean): void {
  const count = Object.keys(x).length;
  if (typeof s.maxProperties === 'number' && count > s.maxProperties) {
    errors.push({ type: 'FieldValueTooMany', field: path, value: count, detail: `must have at most ${s.maxProperties} items` });
  }
  if (typeof s.minProperties === 'number' && count < s.minProperties) {
    errors.push(field.invalid(path, count, `${name} in body should have at least ${s.minProperties} properties`));
  }
  if (Array.isArray(s.required)) {
    for (const k of s.required as string[]) if (!(k in x)) errors.push(field.required(join(path, k), ''));
  }
  if (!root && s['x-kubernetes-embedded-resource'] === true) validateEmbeddedResource(x, path, errors);
  const properties = (s.properties ?? {}) as Record<string, JSONSchema>;
  const additional = isPlainObject(s.additionalProperties) ? (s.additionalProperties as JSONSchema) : undefined;
  for (const [k, v] of Object.entries(x)) {
    const prop = properties[k] ?? (root && META_FIELDS.has(k) ? undefined : additional);
    if (prop) validateValue(v, prop, join(path, k), errors, false);
  }
}

/** An embedded object must say what it is: apiVersion and kind are required. */
function validateEmbeddedResource(x: Record<string, unknown>, path: string, errors: FieldError[]): void {
  for (const k of ['apiVersion', 'kind']) {
    if (!(k in x)) errors.push(field.required(join(path, k), 'must not be empty'));
    else if (x[k] === '') errors.push(field.invalid(join(path, k), '', 'must not be empty'));
  }
}

function validateCombinators(x: unknown, s: JSONSchema, path: string, name: string, errors: FieldError[]): void {
  const passes = (sub: JSONSchema) => validateSchema(sub, x, path).length === 0;
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) if (isPlainObject(sub)) validateValue(x, sub, path, errors, false);
  if (Array.isArray(s.anyOf) && s.anyOf.length > 0 && !s.anyOf.some((sub: JSONSchema) => passes(sub))) {
    errors.push(field.invalid(path, '', `${name} in body must validate at least one schema (anyOf)`));
  }
  if (Array.isArray(s.oneOf) && s.oneOf.length > 0 && s.oneOf.filter((sub: JSONSchema) => passes(sub)).length !== 1) {
    errors.push(field.invalid(path, '', `${name} in body must validate one and only one schema (oneOf)`));
  }
  if (isPlainObject(s.not) && passes(s.not as JSONSchema)) {
    errors.push(field.invalid(path, '', `${name} in body must not validate the schema (not)`));
  }
}

function jsonType(x: unknown): string {
  if (Array.isArray(x)) return 'array';
  if (typeof x === 'number') return Number.isInteger(x) ? 'integer' : 'number';
  if (typeof x === 'object') return 'object';
  return typeof x;
}

const patternCache = new Map<string, RegExp | null>();

/** CRD patterns are RE2 syntax; the common subset means the same in JavaScript. An unusable pattern matches everything. */
function matches(pattern: string, value: string): boolean {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = null;
    }
    patternCache.set(pattern, re);
  }
  return re === null || re.test(value);
}

/** The string formats checked, as upstream checks them; other formats are accepted as they are. */
const formats: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  datetime: (s) => formats['date-time'](s),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => isIP(s) === 4,
  ipv6: (s) => isIP(s) === 6,
  cidr: (s) => {
    const [ip, bits, extra] = s.split('/');
    const family = isIP(ip ?? '');
    return extra === undefined && family !== 0 && /^\d{1,3}$/.test(bits ?? '') && Number(bits) <= (family === 4 ? 32 : 128);
  },
  mac: (s) => /^[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}$/i.test(s),
  hostname: (s) => s.length <= 255 && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\.?$/i.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
};

// ---- built-in types ----

/**
 * Paths of the fields of `obj` that the built-in model (e.g. "V1Deployment") does not have, in
 * document order: what fieldValidation=Strict rejects with `strict decoding error: unknown
 * field "…"` and Warn reports. Free-form fields (RawExtension, JSON) are not looked into.
 */
export function unknownFields(model: string, obj: unknown): string[] {
  const out: string[] = [];
  walkModel(model, obj, '', out, false);
  return out;
}

/** Like unknownFields, and removes those fields from `obj`, as decoding into the type would. */
export function pruneUnknownFields(model: string, obj: unknown, prefix = ''): string[] {
  const out: string[] = [];
  walkModel(model, obj, prefix, out, true);
  return out;
}

const fieldMaps = new Map<string, Map<string, FieldType> | null>();

function fieldsOf(model: string): Map<string, FieldType> | null {
  let fields = fieldMaps.get(model);
  if (fields === undefined) {
    const list = modelFields(model);
    fields = list ? new Map(list.map((f) => [f.name, f.type])) : null;
    fieldMaps.set(model, fields);
  }
  return fields;
}

function walkModel(model: string, x: unknown, path: string, out: string[], drop: boolean): void {
  if (!isPlainObject(x)) return;
  const fields = fieldsOf(model);
  if (!fields) return;
  for (const k of Object.keys(x)) {
    const type = fields.get(k);
    if (!type) {
      out.push(join(path, k));
      if (drop) delete x[k];
    } else {
      walkType(type, x[k], join(path, k), out, drop);
    }
  }
}

function walkType(type: FieldType, x: unknown, path: string, out: string[], drop: boolean): void {
  if (type.kind === 'object') walkModel(type.model, x, path, out, drop);
  else if (type.kind === 'array' && Array.isArray(x)) x.forEach((item, i) => walkType(type.items, item, `${path}[${i}]`, out, drop));
  else if (type.kind === 'map' && isPlainObject(x)) for (const k of Object.keys(x)) walkType(type.values, x[k], join(path, k), out, drop);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isPlainObject(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
