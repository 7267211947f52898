// Patching objects: JSON patch, JSON merge patch, strategic merge patch, server-side apply,
// and the managedFields bookkeeping every write does. Pure functions over plain JSON; imports
// only ../schema (models and patch facts) and ../types, plus fast-json-patch.
export { PatchError, ApplyConflictError, describeManager, type ApplyConflict } from './errors.js';
export { jsonPatch, maxJsonPatchOperations, type JsonPatchOperation } from './json.js';
export { mergePatch } from './merge.js';
export { strategicMergePatch } from './strategic.js';
export { serverSideApply, beforeFirstApply, type ServerSideApplyOptions } from './apply.js';
export {
  updateManagedFields,
  decodeManagedFields,
  encodeManagedFields,
  toFieldSet,
  compareObjects,
  capUpdateManagers,
  maxUpdateManagers,
  type FieldManager,
  type Comparison,
  type UpdateManagedFieldsOptions,
} from './managedfields.js';
export { FieldSet, pathString, parsePE, serializePE, goJSON, type PathElement } from './fieldpath.js';
export { modelForKind } from './schema.js';
