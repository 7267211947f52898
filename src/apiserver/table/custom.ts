// Rows for kinds without a dedicated printer: custom resources, whose columns come from their
// CRD version's additionalPrinterColumns, and every other kind, shown as NAME and CREATED AT.
import { parseTimestamp, since } from './duration.js';
import { evaluateJSONPath, parseJSONPath } from './jsonpath.js';
import { NAME, column, type Cell, type ColumnDefinition, type Printer } from './model.js';
import { compare, str } from './format.js';

/** NAME and CREATED AT (an absolute UTC time), for kinds with no printer of their own. */
export const defaultPrinter: Printer = {
  columns: [NAME, column('Created At', 'date', 'When the object was created (metadata.creationTimestamp).')],
  print: (o) => ({ cells: [str(o.metadata?.name), rfc3339(parseTimestamp(o.metadata?.creationTimestamp))] }),
};

function rfc3339(t: number | undefined): string {
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A CRD version with no printer columns shows its age, as if it declared this one. */
const defaultCustomColumns: Array<Record<string, any>> = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since the object was created (metadata.creationTimestamp).' }];

/** A printer for one custom resource version from its additionalPrinterColumns. */
export function customPrinter(printerColumns: Array<Record<string, any>> | undefined): Printer {
  const declared = printerColumns && printerColumns.length > 0 ? printerColumns : defaultCustomColumns;
  const columns: ColumnDefinition[] = [NAME];
  const paths: Array<ReturnType<typeof parseJSONPath> | undefined> = [];
  for (const c of declared) {
    const jsonPath = str(c.jsonPath ?? c.JSONPath);
    let steps: ReturnType<typeof parseJSONPath> | undefined;
    try {
      steps = parseJSONPath(jsonPath);
    } catch {
      // The CRD was admitted with a path we cannot read; the column stays empty rather than failing the list.
      steps = undefined;
    }
    paths.push(steps);
    columns.push({
      name: str(c.name),
      type: str(c.type),
      format: str(c.format),
      description: str(c.description) || `Custom resource definition column (in JSONPath format): ${jsonPath}`,
      priority: typeof c.priority === 'number' ? Math.trunc(c.priority) : 0,
    });
  }
  return {
    columns,
    print(o, { now }) {
      const cells: Cell[] = [str(o.metadata?.name)];
      columns.slice(1).forEach((col, i) => {
        const steps = paths[i];
        const results = steps ? evaluateJSONPath(steps, o) : [];
        cells.push(results.length === 0 ? null : customCell(col.type, results[0], now));
      });
      return { cells };
    },
  };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The first value a column's path selects, typed by the column's declared type. */
export function customCell(type: string, value: unknown, now: Date): Cell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return printValue(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      if (typeof value !== 'string') return null;
      if (value === '' || value === 'null') return '<unknown>';
      if (!RFC3339.test(value)) return '<invalid>';
      return since(value, now);
  }
  return null;
}

/** A value as kubectl's JSONPath prints it: scalars as text, objects and arrays as compact JSON. */
function printValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  return goJSON(value);
}

/** Integers in full; fractions the way Go prints a float64, "1e-05" style below 1e-4. */
function formatNumber(n: number): string {
  if (Number.isInteger(n) || Math.abs(n) >= 1e-4) return String(n);
  return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

/** JSON with object keys sorted and <, >, & escaped, byte for byte what Go's encoder writes. */
function goJSON(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (typeof v === 'object' && v !== null) {
      const record = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(record).sort(compare).map((k) => [k, sortKeys(record[k])]));
    }
    return v;
  };
  return JSON.stringify(sortKeys(value))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
