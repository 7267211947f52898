// ResourceLists (name → quantity) as quota arithmetic uses them (upstream pkg/quota/v1
// resources.go): add, subtract, mask to a set of names, compare against limits, and print
// "pods=1,requests.cpu=500m" as admission messages do.
import { compareQuantities, formatQuantity, parseQuantityExact, type Quantity } from '../validation/quantity.js';

export type ResourceList = Record<string, Quantity>;

const ZERO: Quantity = { mantissa: 0n, exponent: 0, format: 'DecimalSI' };

export function quantity(v: string | number | Quantity): Quantity {
  return typeof v === 'object' ? v : parseQuantityExact(v);
}

/** A stored ResourceList (strings) as quantities; malformed entries are skipped. */
export function fromStrings(list: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list ?? {})) {
    try {
      out[k] = quantity(v as string);
    } catch {
      // Validation keeps these out of storage; an old object is not worth failing over.
    }
  }
  return out;
}

export function toStrings(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(list).sort()) out[k] = formatQuantity(list[k]);
  return out;
}

/** Sum keeping the format of the first non-zero term, as Quantity.Add does. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  const exp = Math.min(a.exponent, b.exponent);
  const mantissa = a.mantissa * 10n ** BigInt(a.exponent - exp) + b.mantissa * 10n ** BigInt(b.exponent - exp);
  return { mantissa, exponent: exp, format: a.mantissa === 0n ? b.format : a.format };
}

export function subtractQuantity(a: Quantity, b: Quantity): Quantity {
  return addQuantity(a, { ...b, mantissa: -b.mantissa });
}

export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? addQuantity(out[k], v) : v;
  return out;
}

/** a - b, never below zero per resource. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) {
    const d = k in b ? subtractQuantity(v, b[k]) : v;
    out[k] = d.mantissa < 0n ? ZERO : d;
  }
  return out;
}

export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (n in list) out[n] = list[n];
  return out;
}

export function removeZeros(list: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list)) if (v.mantissa !== 0n) out[k] = v;
  return out;
}

export function negatives(list: ResourceList): string[] {
  return Object.keys(list).filter((k) => list[k].mantissa < 0n).sort();
}

/** Whether every entry of `a` is within `b` (entries `b` lacks are unlimited); the ones that are not. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): { allowed: boolean; exceeded: string[] } {
  const exceeded = Object.keys(a).filter((k) => k in b && compareQuantities(a[k], b[k]) > 0);
  return { allowed: exceeded.length === 0, exceeded };
}

export function equal(a: ResourceList, b: ResourceList): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => k in b && compareQuantities(a[k], b[k]) === 0);
}

export function zero(): Quantity {
  return ZERO;
}

/** "k1=v1,k2=v2", keys sorted (upstream prettyPrint). */
export function prettyPrint(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${formatQuantity(list[k])}`)
    .join(',');
}
