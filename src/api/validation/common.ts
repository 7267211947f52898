// Helpers every kind's validation shares: typed access to untyped JSON, the field error builders
// upstream's validators use most (non-negative, immutable, not found), label selectors, labels,
// annotations and int-or-percent values.
import { field, type FieldError } from '../errors.js';
import { isObject } from '../types.js';
import { isQualifiedName, isLabelValue, isValidPercent, byteLength } from './names.js';
import type { FieldPath } from './path.js';

export type Obj = Record<string, any>;

export const IS_NEGATIVE_ERROR_MSG = 'must be greater than or equal to 0';
export const FIELD_IMMUTABLE_ERROR_MSG = 'field is immutable';
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function obj(value: unknown): Obj {
  return isObject(value) ? value : {};
}

export function arr(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function has(o: Obj, key: string): boolean {
  return o[key] !== undefined && o[key] !== null;
}

/** Mirrors upstream's field.NotFound; errors.ts has no "Not found" type yet, so the text is carried in detail. */
export function notFound(path: FieldPath, value: unknown): FieldError {
  return { type: 'FieldValueNotFound' as FieldError['type'], field: path.toString(), value };
}

export function required(path: FieldPath, detail = ''): FieldError {
  return field.required(path.toString(), detail);
}

export function invalid(path: FieldPath, value: unknown, detail: string): FieldError {
  return field.invalid(path.toString(), value, detail);
}

export function notSupported(path: FieldPath, value: unknown, supported: string[]): FieldError {
  return field.notSupported(path.toString(), value, supported);
}

export function duplicate(path: FieldPath, value: unknown): FieldError {
  return field.duplicate(path.toString(), value);
}

export function forbidden(path: FieldPath, detail: string): FieldError {
  return field.forbidden(path.toString(), detail);
}

export function tooLong(path: FieldPath, max: number): FieldError {
  return field.tooLong(path.toString(), max);
}

export function tooMany(path: FieldPath, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field: path.toString(), value: actual, detail: `must have at most ${max} ${max === 1 ? 'item' : 'items'}` };
}

export function nonNegative(value: unknown, path: FieldPath): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(path, value, IS_NEGATIVE_ERROR_MSG)] : [];
}

/** Semantic deep equality of JSON values (absent and null are the same). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (b === undefined || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

export function immutable(newValue: unknown, oldValue: unknown, path: FieldPath): FieldError[] {
  return deepEqual(newValue, oldValue) ? [] : [invalid(path, newValue ?? null, FIELD_IMMUTABLE_ERROR_MSG)];
}

export function validateLabelName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/** Label maps: every key a qualified name, every value a label value; errors sit on the map's path. */
export function validateLabels(labels: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(obj(labels))) {
    errs.push(...validateLabelName(k, path));
    errs.push(...isLabelValue(String(v ?? '')).map((m) => invalid(path, v, m)));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(obj(annotations))) {
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => invalid(path, k, m)));
    total += byteLength(k) + byteLength(String(v ?? ''));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export interface LabelSelectorOptions {
  allowInvalidLabelValue?: boolean;
}

export function validateLabelSelector(selector: unknown, path: FieldPath, opts: LabelSelectorOptions = {}): FieldError[] {
  if (!isObject(selector)) return [];
  const errs = validateLabels(selector.matchLabels, path.child('matchLabels'));
  arr(selector.matchExpressions).forEach((expr, i) => {
    const p = path.child('matchExpressions').index(i);
    const e = obj(expr);
    const values = arr(e.values);
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(p.child('operator'), e.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(str(e.key), p.child('key')));
    if (!opts.allowInvalidLabelValue) {
      values.forEach((v, j) => errs.push(...isLabelValue(String(v)).map((m) => invalid(p.child('values').index(j), v, m))));
    }
  });
  return errs;
}

/**
 * A label selector as upstream's LabelSelectorAsSelector sees it: undefined selects nothing,
 * {} selects everything, and an unknown operator is an error.
 */
export interface CompiledSelector {
  empty: boolean;
  matches(labels: Record<string, string> | undefined): boolean;
}

export function compileSelector(selector: unknown): CompiledSelector | Error {
  if (!isObject(selector)) return { empty: false, matches: () => false };
  const matchLabels = obj(selector.matchLabels);
  const exprs = arr(selector.matchExpressions).map(obj);
  for (const e of exprs) {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) return new Error(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
  }
  const empty = Object.keys(matchLabels).length === 0 && exprs.length === 0;
  return {
    empty,
    matches(labels) {
      const l = labels ?? {};
      for (const [k, v] of Object.entries(matchLabels)) if (l[k] !== v) return false;
      for (const e of exprs) {
        const present = Object.prototype.hasOwnProperty.call(l, e.key);
        const values = arr(e.values).map(String);
        if (e.operator === 'In' && !(present && values.includes(l[e.key]))) return false;
        if (e.operator === 'NotIn' && present && values.includes(l[e.key])) return false;
        if (e.operator === 'Exists' && !present) return false;
        if (e.operator === 'DoesNotExist' && present) return false;
      }
      return true;
    },
  };
}

/** A map selector (Service, ReplicationController): empty selects nothing for validation purposes. */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => (labels ?? {})[k] === v);
}

/** The numeric value of an int-or-percent ("25%" → 25, 3 → 3), or undefined when malformed. */
export function intOrPercentValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && isValidPercent(value).length === 0) return Number(value.slice(0, -1));
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

export function validatePositiveIntOrPercent(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value === 'string') return isValidPercent(value).map((m) => invalid(path, value, m));
  if (typeof value === 'number') return nonNegative(value, path);
  return [invalid(path, value ?? null, "must be an integer or percentage (e.g '5%%')")];
}

export function isNotMoreThan100Percent(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value !== 'string' || isValidPercent(value).length > 0) return [];
  return Number(value.slice(0, -1)) > 100 ? [invalid(path, value, 'must not be greater than 100%')] : [];
}

/** A compact description of how two JSON values differ, standing in for upstream's cmp.Diff output. */
export function describeDiff(oldValue: unknown, newValue: unknown, path = ''): string {
  const lines: string[] = [];
  const walk = (a: unknown, b: unknown, p: string) => {
    if (deepEqual(a, b)) return;
    if (isObject(a) && isObject(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[k], b[k], p ? `${p}.${k}` : k);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((v, i) => walk(v, b[i], `${p}[${i}]`));
      return;
    }
    lines.push(`- ${p}: ${JSON.stringify(a ?? null)}`, `+ ${p}: ${JSON.stringify(b ?? null)}`);
  };
  walk(oldValue, newValue, path);
  return lines.join('\n');
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
