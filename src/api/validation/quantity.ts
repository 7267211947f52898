// Resource quantities ("500m", "1Gi", "2e3") as upstream's resource.Quantity parses, compares and
// prints them. Values are exact: a BigInt mantissa times a power of ten, rounded up to nano units
// as upstream does, so "1024Mi" prints back as "1Gi" and "0.5" as "500m" just as kubectl shows.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** An exact quantity: mantissa × 10^exponent, remembered with the format it was written in. */
export interface Quantity {
  mantissa: bigint;
  exponent: number;
  format: QuantityFormat;
}

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_NUMERIC_ERROR = "unable to parse quantity's numeric part";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {}

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const NANO = -9;

interface Split {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** Splits "-1.5Gi" into sign, integer digits, fraction digits and suffix, as upstream's scanner does. */
function split(str: string): Split {
  let pos = 0;
  const end = str.length;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && str[i] >= '0' && str[i] <= '9') i++;
  let num = str.slice(pos, i) || '0';
  pos = i;
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && str[i] >= '0' && str[i] <= '9') i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos])) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && str[pos] >= '0' && str[pos] <= '9') pos++;
  if (pos < end) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  if (num === '') num = '0';
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  if (suffix in decimalSuffixes) return { base: 10, exponent: decimalSuffixes[suffix], format: 'DecimalSI' };
  if (suffix in binarySuffixes) return { base: 2, exponent: binarySuffixes[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[-+]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  throw new QuantityError(QUANTITY_SUFFIX_ERROR);
}

const TEN = 10n;
function pow10(n: number): bigint {
  return TEN ** BigInt(n);
}

/** Parses a quantity exactly; throws QuantityError with upstream's message when malformed. */
export function parseQuantityExact(input: string | number): Quantity {
  const str = typeof input === 'number' ? numberText(input) : String(input).trim();
  if (str.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const { positive, num, denom, suffix } = split(str);
  const { base, exponent, format } = interpretSuffix(suffix);
  if (!/^\d*$/.test(num + denom)) throw new QuantityError(QUANTITY_NUMERIC_ERROR);
  let mantissa = BigInt(num + denom || '0');
  let exp = -denom.length;
  if (base === 10) exp += exponent;
  else mantissa *= 1n << BigInt(exponent);
  if (!positive) mantissa = -mantissa;
  if (exp < NANO && mantissa !== 0n) {
    // Upstream rounds non-zero values up (away from zero) to the nano scale so a tiny request
    // still asks for something.
    const divisor = pow10(NANO - exp);
    const magnitude = mantissa < 0n ? -mantissa : mantissa;
    let q = magnitude / divisor;
    if (q * divisor !== magnitude) q += 1n;
    mantissa = mantissa < 0n ? -q : q;
    exp = NANO;
  }
  return normalize({ mantissa, exponent: exp, format });
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return 'NaN';
  return Number.isInteger(n) ? BigInt(n).toString() : String(n);
}

/** Strips trailing decimal zeros into the exponent so equal values compare equal structurally. */
function normalize(q: Quantity): Quantity {
  let { mantissa, exponent } = q;
  if (mantissa === 0n) return { mantissa, exponent: 0, format: q.format };
  while (mantissa % TEN === 0n) {
    mantissa /= TEN;
    exponent++;
  }
  return { mantissa, exponent, format: q.format };
}

export function isQuantity(value: unknown): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  try {
    parseQuantityExact(value);
    return true;
  } catch {
    return false;
  }
}

/** The error detail for a malformed quantity, or undefined when it parses. */
export function quantityError(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return QUANTITY_FORMAT_ERROR;
  try {
    parseQuantityExact(value);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The quantity in base units as a JS number ("500m" → 0.5, "1Gi" → 1073741824). */
export function parseQuantity(input: string | number): number {
  const q = parseQuantityExact(input);
  return q.exponent >= 0 ? Number(q.mantissa) * 10 ** q.exponent : Number(q.mantissa) / 10 ** -q.exponent;
}

/** The value in thousandths of a unit, rounded up as upstream's MilliValue does ("100m" → 100, "1" → 1000). */
export function milliValue(input: string | number | Quantity): bigint {
  const q = typeof input === 'object' ? input : parseQuantityExact(input);
  const exp = q.exponent + 3;
  if (exp >= 0) return q.mantissa * pow10(exp);
  const divisor = pow10(-exp);
  const magnitude = q.mantissa < 0n ? -q.mantissa : q.mantissa;
  let r = magnitude / divisor;
  if (r * divisor !== magnitude) r += 1n;
  return q.mantissa < 0n ? -r : r;
}

/** The value rounded up to a whole number of units, as upstream's Value does. */
export function integerValue(input: string | number | Quantity): bigint {
  const m = milliValue(input);
  const whole = m / 1000n;
  return whole * 1000n === m || m < 0n ? whole : whole + 1n;
}

export function compareQuantities(a: string | number | Quantity, b: string | number | Quantity): -1 | 0 | 1 {
  const x = typeof a === 'object' ? a : parseQuantityExact(a);
  const y = typeof b === 'object' ? b : parseQuantityExact(b);
  const exp = Math.min(x.exponent, y.exponent);
  const xs = x.mantissa * pow10(x.exponent - exp);
  const ys = y.mantissa * pow10(y.exponent - exp);
  return xs < ys ? -1 : xs > ys ? 1 : 0;
}

export function isZero(q: Quantity): boolean {
  return q.mantissa === 0n;
}

export function isNegative(q: Quantity): boolean {
  return q.mantissa < 0n;
}

/** True when the quantity is a whole number of units. */
export function isInteger(q: Quantity): boolean {
  return q.exponent >= 0 || q.mantissa % pow10(-q.exponent) === 0n;
}

/** Prints a quantity the way upstream serializes it (its canonical form). */
export function formatQuantity(q: Quantity): string {
  if (q.mantissa === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = compareQuantities(q, { mantissa: -1024n, exponent: 0, format }) > 0 && compareQuantities(q, { mantissa: 1024n, exponent: 0, format }) < 0;
    if (small || !isInteger(q)) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let amount = q.mantissa * pow10(q.exponent);
    let power = 0;
    while (power < binarySuffixByPower.length - 1 && amount % 1024n === 0n) {
      amount /= 1024n;
      power++;
    }
    return `${amount}${binarySuffixByPower[power]}`;
  }
  let { mantissa, exponent } = normalize(q);
  const rem = exponent % 3;
  if (rem === 1 || rem === -2) {
    mantissa *= 10n;
    exponent -= 1;
  } else if (rem === 2 || rem === -1) {
    mantissa *= 100n;
    exponent -= 2;
  }
  if (format === 'DecimalSI') {
    const suffix = decimalSuffixByExponent.get(exponent);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
  }
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}

/** The canonical spelling of a quantity string ("1024Mi" → "1Gi", "0.5" → "500m", "1000m" → "1"). */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantityExact(input));
}

/** Builds a quantity from a count of base units in the given format ("DecimalSI" for CPU, "BinarySI" for memory). */
export function quantityFromNumber(value: number, format: QuantityFormat = 'DecimalSI'): Quantity {
  const milli = BigInt(Math.ceil(value * 1000));
  return normalize({ mantissa: milli, exponent: -3, format });
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const exp = Math.min(a.exponent, b.exponent);
  return normalize({ mantissa: a.mantissa * pow10(a.exponent - exp) + b.mantissa * pow10(b.exponent - exp), exponent: exp, format: a.format });
}
