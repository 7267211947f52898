// ObjectMeta validation on create and update, as upstream's apimachinery ValidateObjectMeta and
// ValidateObjectMetaUpdate do it, plus the core API's extra rule for finalizer names.
import type { FieldError } from '../errors.js';
import type { ObjectMeta } from '../types.js';
import { arr, forbidden, immutable, invalid, nonNegative, obj, required, str, validateAnnotations, validateLabels } from './common.js';
import { isQualifiedName, nameIsDNSLabel, type NameValidator } from './names.js';
import { FieldPath } from './path.js';

export interface MetaOptions {
  /** Whether the kind lives in a namespace: then namespace is required, else forbidden. Undefined skips the check. */
  namespaced?: boolean;
  nameFn: NameValidator;
  /** Built-in kinds also require unqualified finalizer names to be one of the standard ones. */
  kubeFinalizers?: boolean;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateObjectMeta(meta: ObjectMeta | undefined, opts: MetaOptions, path = FieldPath.of('metadata')): FieldError[] {
  const m = obj(meta) as ObjectMeta;
  const errs: FieldError[] = [];
  const generateName = str(m.generateName);
  const name = str(m.name);
  if (generateName) errs.push(...opts.nameFn(generateName, true).map((msg) => invalid(path.child('generateName'), generateName, msg)));
  if (!name) errs.push(required(path.child('name'), 'name or generateName is required'));
  else errs.push(...opts.nameFn(name, false).map((msg) => invalid(path.child('name'), name, msg)));

  const namespace = str(m.namespace);
  if (opts.namespaced === true) {
    if (!namespace) errs.push(required(path.child('namespace')));
    else errs.push(...nameIsDNSLabel(namespace, false).map((msg) => invalid(path.child('namespace'), namespace, msg)));
  } else if (opts.namespaced === false) {
    if (namespace) errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  } else if (namespace) {
    errs.push(...nameIsDNSLabel(namespace, false).map((msg) => invalid(path.child('namespace'), namespace, msg)));
  }
  errs.push(...commonMetaChecks(m, path, opts));
  return errs;
}

export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, oldMeta: ObjectMeta | undefined, opts: Pick<MetaOptions, 'kubeFinalizers'> = {}, path = FieldPath.of('metadata')): FieldError[] {
  const m = obj(meta) as ObjectMeta;
  const o = obj(oldMeta) as ObjectMeta;
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const added = arr(m.finalizers).filter((f) => !arr(o.finalizers).includes(f));
    if (added.length > 0) {
      const list = [...new Set(added)].sort().map((f) => JSON.stringify(f)).join(', ');
      errs.push(forbidden(path.child('finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${list}}`));
    }
  }
  if (!m.resourceVersion) errs.push(invalid(path.child('resourceVersion'), m.resourceVersion ?? '', 'must be specified for an update'));
  errs.push(...nonNegative(m.generation, path.child('generation')));
  if ((m.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(path.child('generation'), m.generation ?? 0, 'must not be decremented'));
  errs.push(...immutable(m.name ?? '', o.name ?? '', path.child('name')));
  errs.push(...immutable(m.namespace ?? '', o.namespace ?? '', path.child('namespace')));
  errs.push(...immutable(m.uid ?? '', o.uid ?? '', path.child('uid')));
  errs.push(...immutable(m.creationTimestamp, o.creationTimestamp, path.child('creationTimestamp')));
  errs.push(...immutable(m.deletionTimestamp, o.deletionTimestamp, path.child('deletionTimestamp')));
  errs.push(...immutable(m.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, path.child('deletionGracePeriodSeconds')));
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateManagedFields(m.managedFields, path.child('managedFields')));
  if (opts.kubeFinalizers) arr(m.finalizers).forEach((f, i) => errs.push(...kubeFinalizerName(str(f), path.child('finalizers').index(i))));
  return errs;
}

function commonMetaChecks(m: ObjectMeta, path: FieldPath, opts: MetaOptions): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...nonNegative(m.generation, path.child('generation')));
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(arr(m.finalizers), path.child('finalizers')));
  errs.push(...validateManagedFields(m.managedFields, path.child('managedFields')));
  if (opts.kubeFinalizers) arr(m.finalizers).forEach((f, i) => errs.push(...kubeFinalizerName(str(f), path.child('finalizers').index(i))));
  return errs;
}

export function validateFinalizers(finalizers: string[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers) errs.push(...isQualifiedName(str(f)).map((msg) => invalid(path, f, msg)));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** The core API's rule: a finalizer without a domain prefix must be one of the standard ones. */
export function kubeFinalizerName(value: string, path: FieldPath): FieldError[] {
  if (value.split('/').length === 1 && !STANDARD_FINALIZERS.has(value)) {
    return [invalid(path, value, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

/** Finalizer names in Namespace.spec.finalizers: qualified, and standard when unqualified. */
export function validateFinalizerName(value: string, path: FieldPath): FieldError[] {
  return [...isQualifiedName(value).map((msg) => invalid(path, value, msg)), ...kubeFinalizerName(value, path)];
}

function validateOwnerReferences(refs: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  arr(refs).forEach((raw, i) => {
    const ref = obj(raw);
    const p = path.index(i);
    const apiVersion = str(ref.apiVersion);
    if (!apiVersion) errs.push(required(p.child('apiVersion'), 'must not be empty'));
    else if (apiVersion.split('/').length > 2 || apiVersion.endsWith('/')) errs.push(invalid(p.child('apiVersion'), apiVersion, 'must be <group>/<version> or <version>'));
    if (!ref.kind) errs.push(required(p.child('kind'), 'must not be empty'));
    if (!ref.name) errs.push(required(p.child('name'), 'must not be empty'));
    if (!ref.uid) errs.push(required(p.child('uid'), 'must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') errs.push(invalid(p, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      else firstController = current;
    }
  });
  return errs;
}

function validateManagedFields(entries: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(entries).forEach((raw, i) => {
    const e = obj(raw);
    const p = path.index(i);
    if (e.operation !== 'Apply' && e.operation !== 'Update') errs.push(invalid(p.child('operation'), e.operation ?? '', 'must be `Apply` or `Update`'));
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') errs.push(invalid(p.child('fieldsType'), e.fieldsType, 'must be `FieldsV1`'));
    if (str(e.manager).length > 128) errs.push(invalid(p.child('manager'), e.manager, 'must be no more than 128 characters'));
  });
  return errs;
}
