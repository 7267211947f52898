// Small helpers the defaulting code of every kind shares: setting absent fields, walking lists,
// and writing quantities back in the canonical spelling upstream serializes them with.
import { isObject } from '../types.js';
import { formatQuantity, parseQuantityExact, type Quantity } from '../validation/quantity.js';

export type Obj = Record<string, any>;

/** Sets `o[key]` to `value` when it is absent (undefined or null). */
export function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** The object at `o[key]`, created empty when absent. */
export function ensureObject(o: Obj, key: string): Obj {
  if (!isObject(o[key])) o[key] = {};
  return o[key];
}

export function each(list: unknown, fn: (item: Obj) => void): void {
  if (Array.isArray(list)) for (const item of list) if (isObject(item)) fn(item);
}

export function maybe(value: unknown, fn: (o: Obj) => void): void {
  if (isObject(value)) fn(value);
}

function roundUpToMilli(q: Quantity): Quantity {
  if (q.exponent >= -3) return q;
  const divisor = 10n ** BigInt(-3 - q.exponent);
  const magnitude = q.mantissa < 0n ? -q.mantissa : q.mantissa;
  let m = magnitude / divisor;
  if (m * divisor !== magnitude) m += 1n;
  return { mantissa: q.mantissa < 0n ? -m : m, exponent: -3, format: q.format };
}

/** Rewrites one quantity field canonically ("1024Mi" → "1Gi"); malformed values are left for validation. */
export function canonicalizeQuantity(o: Obj, key: string): void {
  const v = o[key];
  if (typeof v !== 'string' && typeof v !== 'number') return;
  try {
    o[key] = formatQuantity(parseQuantityExact(v));
  } catch {
    // Left as written; validation reports it.
  }
}

/**
 * Rewrites a resource list canonically, rounding each value up to a thousandth of a unit as
 * upstream's ResourceList defaulting does ("0.0001" cpu becomes "1m").
 */
export function canonicalizeResourceList(list: unknown): void {
  if (!isObject(list)) return;
  for (const [k, v] of Object.entries(list)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    try {
      list[k] = formatQuantity(roundUpToMilli(parseQuantityExact(v)));
    } catch {
      // Left as written; validation reports it.
    }
  }
}

export function canonicalizeRequirements(resources: unknown): void {
  if (!isObject(resources)) return;
  canonicalizeResourceList(resources.limits);
  canonicalizeResourceList(resources.requests);
}
