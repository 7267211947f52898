// JSON patch (RFC 6902) through fast-json-patch, with its failures turned into PatchErrors
// that say which operation failed and why.
import jsonpatch from 'fast-json-patch';
import { PatchError } from './errors.js';

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** Upstream refuses patches with more operations than this. */
export const maxJsonPatchOperations = 10000;

const reasons: Record<string, string> = {
  OPERATION_NOT_AN_OBJECT: 'the operation is not an object',
  OPERATION_OP_INVALID: 'unknown op (want add, remove, replace, move, copy or test)',
  OPERATION_PATH_INVALID: 'path must be a JSON pointer starting with "/"',
  OPERATION_FROM_REQUIRED: 'from is required for move and copy',
  OPERATION_VALUE_REQUIRED: 'value is required for add, replace and test',
  OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED: 'value is required for add, replace and test',
  OPERATION_PATH_CANNOT_ADD: 'the parent of the path does not exist',
  OPERATION_PATH_UNRESOLVABLE: 'the path does not exist',
  OPERATION_FROM_UNRESOLVABLE: 'the from path does not exist',
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: 'the array index is not an unsigned integer',
  OPERATION_VALUE_OUT_OF_BOUNDS: 'the array index is out of bounds',
  TEST_OPERATION_FAILED: 'test failed: the value differs',
};

const malformed = new Set(['OPERATION_NOT_AN_OBJECT', 'OPERATION_OP_INVALID', 'OPERATION_PATH_INVALID', 'OPERATION_FROM_REQUIRED', 'OPERATION_VALUE_REQUIRED', 'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED']);

/** Apply RFC 6902 operations to a copy of `doc`. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a list of operations', 400);
  if (ops.length > maxJsonPatchOperations) {
    throw new PatchError(`the allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${ops.length}`, 400);
  }
  try {
    return jsonpatch.applyPatch(structuredClone(doc), ops as jsonpatch.Operation[], true, true).newDocument;
  } catch (err) {
    if (err instanceof jsonpatch.JsonPatchError) {
      const op = err.operation as Partial<JsonPatchOperation> | undefined;
      const which = `operation ${(err.index ?? 0) + 1}${op && typeof op === 'object' && op.op ? ` (${op.op} ${op.path ?? ''})` : ''}`;
      throw new PatchError(`${which}: ${reasons[err.name] ?? err.message}`, malformed.has(err.name) ? 400 : 422);
    }
    throw new PatchError(`invalid JSON patch: ${(err as Error).message}`, 400);
  }
}
