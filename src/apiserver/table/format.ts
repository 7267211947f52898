// Cell formatting shared by the printers: labels and label selectors, container lists,
// access modes, "a,b,c + 2 more..." lists, and safe reads of loosely typed JSON.

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

export function arr(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

export function obj(value: unknown): Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, any>) : {};
}

/** An int-or-string (PDB minAvailable, ports) as its printed form: 3 → "3", "50%" → "50%". */
export function intOrString(value: unknown): string {
  if (typeof value === 'number') return String(Math.trunc(value));
  return str(value);
}

/**
 * A resource quantity as stored ("500m", "1Gi"); "0" when absent, as an unset quantity prints.
 * Quantities are shown as written, not re-canonicalized.
 */
export function quantity(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : '0';
}

/** "True"/"False" for a set boolean, "<unset>" for a missing one. */
export function boolPtr(value: unknown): string {
  if (typeof value !== 'boolean') return '<unset>';
  return value ? 'True' : 'False';
}

/** Labels as "k1=v1,k2=v2" sorted by key; "<none>" when there are none. */
export function formatLabels(labels: unknown): string {
  const entries = Object.entries(obj(labels)).sort(([a], [b]) => compare(a, b));
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${str(v)}`).join(',');
}

/** Byte-wise string order, as Go sorts strings (localeCompare would not). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A metav1.LabelSelector in selector syntax ("app=web,tier in (a,b),!legacy"), requirements
 * sorted by key. Undefined or empty selectors give ''; malformed ones throw.
 */
export function labelSelectorString(selector: unknown): string {
  const sel = obj(selector);
  const requirements: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(obj(sel.matchLabels))) {
    requirements.push({ key, text: `${key}=${str(value)}` });
  }
  for (const expr of arr(sel.matchExpressions)) {
    const key = str(expr?.key);
    const values = arr(expr?.values).map(str).sort(compare);
    switch (expr?.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) throw new Error(`values: must be specified for ${expr.operator}`);
        requirements.push({ key, text: `${key} ${expr.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) throw new Error(`values: must be empty for ${expr.operator}`);
        requirements.push({ key, text: expr.operator === 'Exists' ? key : `!${key}` });
        break;
      default:
        throw new Error(`${String(expr?.operator)} is not a valid label selector operator`);
    }
  }
  // Stable sort keeps matchLabels before matchExpressions for the same key.
  return requirements
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => compare(a.key, b.key) || a.i - b.i)
    .map((r) => r.text)
    .join(',');
}

/** A label selector cell: "<none>" when empty, "<error>" when malformed. */
export function formatLabelSelector(selector: unknown): string {
  try {
    return labelSelectorString(selector) || '<none>';
  } catch {
    return '<error>';
  }
}

/** Container names and images of a pod spec, each comma-joined in spec order. */
export function containerCells(podSpec: unknown): [string, string] {
  const containers = arr(obj(podSpec).containers);
  return [containers.map((c) => str(c?.name)).join(','), containers.map((c) => str(c?.image)).join(',')];
}

/** Access modes abbreviated in a fixed order regardless of how they are listed: "RWO,ROX". */
export function accessModes(modes: unknown): string {
  const present = new Set(arr(modes));
  const order: Array<[string, string]> = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return order.filter(([mode]) => present.has(mode)).map(([, short]) => short).join(',');
}

/** "a,b,c" or, past `max` items, "a,b,c + 4 more..." where 4 counts the items left out. */
export function listWithMore(items: string[], max: number, empty: string): string {
  if (items.length === 0) return empty;
  const shown = items.slice(0, max).join(',');
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}

/** The group of an apiVersion: "apps/v1" → "apps", "v1" → "". */
export function groupOf(apiVersion: unknown): string {
  const v = str(apiVersion);
  const slash = v.indexOf('/');
  return slash < 0 ? '' : v.slice(0, slash);
}
