// Int-or-percent values (upstream intstr.GetScaledValueFromIntOrPercent): maxUnavailable,
// maxSurge and the like are a number, or a percentage of a total.

/** An int, or a percentage of `total` rounded up or down; anything else counts as 0 (validation refuses it). */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) {
    const n = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(n) : Math.floor(n);
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return 0;
}
