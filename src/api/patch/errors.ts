// The two ways a patch fails: the patch cannot be applied (PatchError), or a server-side apply
// would change fields another manager owns (ApplyConflictError). The API turns them into
// Status errors; these classes only carry the facts.

export class PatchError extends Error {
  /**
   * 400 when the patch itself is malformed (not a list of operations, an unknown directive),
   * 422 when a well-formed patch cannot be applied to this object (a failed test, a missing path).
   */
  readonly code: 400 | 422;
  constructor(message: string, code: 400 | 422 = 422) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
  }
}

export interface ApplyConflict {
  /** The manager name, as in managedFields[].manager. */
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
  /** The field as upstream prints it: .spec.template.spec.containers[name="web"].image */
  field: string;
}

export class ApplyConflictError extends Error {
  readonly conflicts: ApplyConflict[];
  constructor(conflicts: ApplyConflict[]) {
    super(conflictMessage(conflicts));
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
  }
}

/** "conflict with "kubectl" using apps/v1" — the manager as upstream names it in messages. */
export function describeManager(c: Pick<ApplyConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') s += ` using ${c.apiVersion ?? ''}`;
  return s;
}

/** Upstream's message: one conflict inline, several grouped by manager. */
function conflictMessage(conflicts: ApplyConflict[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0])}: ${conflicts[0].field}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const who = describeManager(c);
    byManager.set(who, [...(byManager.get(who) ?? []), c.field]);
  }
  const lines: string[] = [];
  for (const who of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${who}:`);
    for (const field of byManager.get(who)!) lines.push(`- ${field}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
