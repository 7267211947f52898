// Navigation over the field structure of the built-in types (models.json, derived from
// @kubernetes/client-node's model metadata by scripts/gen-models.js).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const raw = require('./models.json') as Record<string, Array<{ name: string; type: string; format?: string }>>;

export type FieldType =
  | { kind: 'object'; model: string }
  | { kind: 'array'; items: FieldType }
  | { kind: 'map'; values: FieldType }
  | { kind: 'string'; format?: string }
  | { kind: 'integer'; format?: string }
  | { kind: 'number'; format?: string }
  | { kind: 'boolean' }
  | { kind: 'date-time' }
  | { kind: 'int-or-string' }
  | { kind: 'any' };

export interface ModelField {
  name: string;
  type: FieldType;
}

function parse(type: string, format?: string): FieldType {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return { kind: 'array', items: parse(arr[1]) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { kind: 'map', values: parse(map[1]) };
  switch (type) {
    case 'string':
      return format ? { kind: 'string', format } : { kind: 'string' };
    case 'number':
      return format === 'double' || format === 'float' ? { kind: 'number', format } : { kind: 'integer', format: format || 'int64' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'Date':
      return { kind: 'date-time' };
    case 'IntOrString':
      return { kind: 'int-or-string' };
    case 'any':
    case 'object':
      return { kind: 'any' };
    default:
      return raw[type] ? { kind: 'object', model: type } : { kind: 'any' };
  }
}

const cache = new Map<string, ModelField[]>();

/** The fields of a model ("V1DeploymentSpec"), or undefined for an unknown model. */
export function modelFields(model: string): ModelField[] | undefined {
  let fields = cache.get(model);
  if (!fields) {
    const attrs = raw[model];
    if (!attrs) return undefined;
    fields = attrs.map((a) => ({ name: a.name, type: parse(a.type, a.format) }));
    cache.set(model, fields);
  }
  return fields;
}

/** The type of one field of a model, or undefined if the model has no such field. */
export function fieldType(model: string, field: string): FieldType | undefined {
  return modelFields(model)?.find((f) => f.name === field)?.type;
}

export function modelNames(): string[] {
  return Object.keys(raw);
}
