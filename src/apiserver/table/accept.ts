// Recognising a request for the Table form of a response. kubectl get asks with
//   Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json
// and prints whatever comes back: a Table, or plain objects it formats itself.

export type TableVersion = 'v1' | 'v1beta1';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseMediaRanges(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const clause of header.split(',')) {
    const [type, ...rawParams] = clause.split(';').map((s) => s.trim());
    if (!type) continue;
    const params: Record<string, string> = {};
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    }
    if (params.q !== undefined && Number(params.q) === 0) continue;
    ranges.push({ type: type.toLowerCase(), params });
  }
  return ranges;
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*']);

/**
 * What an Accept header asks for:
 * - `{table: true, version}` when it accepts a JSON Table of meta.k8s.io v1 or v1beta1
 *   (v1 whenever it is offered, wherever it appears in the list);
 * - `{table: false, version: 'v1'}` when it asks for no Table but for plain objects
 *   (or when there is no header at all);
 * - `undefined` when every range asks for a form other than plain objects that we cannot
 *   produce (a Table of another group or version, or in another encoding, or another `as=`
 *   shape): the caller answers 406 Not Acceptable.
 */
export function parseTableAccept(acceptHeader: string | undefined): { table: boolean; version: TableVersion } | undefined {
  const ranges = parseMediaRanges(acceptHeader ?? '');
  if (ranges.length === 0) return { table: false, version: 'v1' };
  const offered = new Set<TableVersion>();
  let plain = false;
  for (const r of ranges) {
    if (r.params.as === undefined) {
      plain = true;
      continue;
    }
    if (r.params.as !== 'Table' || !JSON_TYPES.has(r.type) || r.params.g !== 'meta.k8s.io') continue;
    if (r.params.v === 'v1' || r.params.v === 'v1beta1') offered.add(r.params.v);
  }
  if (offered.has('v1')) return { table: true, version: 'v1' };
  if (offered.has('v1beta1')) return { table: true, version: 'v1beta1' };
  return plain ? { table: false, version: 'v1' } : undefined;
}

/**
 * The includeObject query parameter of a Table request. Absent means Metadata, which is what
 * kubectl get relies on (it sends includeObject=Object only with --sort-by). Undefined for an
 * unrecognised value, which the caller rejects with 400 BadRequest.
 */
export function parseIncludeObject(value: string | null | undefined): IncludeObject | undefined {
  if (value === undefined || value === null || value === '') return 'Metadata';
  return value === 'None' || value === 'Metadata' || value === 'Object' ? value : undefined;
}
