// Volume pieces shared by pods and the storage kinds: host paths, CSI driver names, and the
// PersistentVolumeClaim spec (claims and pods' ephemeral volume templates use the same rules).
import type { FieldError } from '../errors.js';
import { isObject } from '../types.js';
import { arr, forbidden, has, invalid, notSupported, obj, required, str, validateLabelSelector, type Obj } from './common.js';
import { isDNS1123Label, isDNS1123Subdomain } from './names.js';
import type { FieldPath } from './path.js';
import { formatQuantity, isNegative, isZero, parseQuantityExact, quantityError } from './quantity.js';

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export function hasBacksteps(p: string): boolean {
  return p.replace(/\\/g, '/').split('/').includes('..');
}

export function pathNoBacksteps(p: string, path: FieldPath): FieldError[] {
  return hasBacksteps(p) ? [invalid(path, p, "must not contain '..'")] : [];
}

export function validateHostPath(src: Obj, path: FieldPath): FieldError[] {
  if (!src.path) return [required(path.child('path'))];
  const errs = pathNoBacksteps(str(src.path), path.child('path'));
  if (typeof src.type === 'string' && !HOST_PATH_TYPES.includes(src.type)) errs.push(notSupported(path.child('type'), src.type, HOST_PATH_TYPES));
  return errs;
}

export function validateCSIDriverName(driver: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!driver) errs.push(required(path));
  if (driver.length > 63) errs.push({ type: 'FieldValueTooLong', field: path.toString(), detail: 'may not be more than 63 bytes' });
  errs.push(...isDNS1123Subdomain(driver.toLowerCase()).map((m) => invalid(path, driver, m)));
  return errs;
}

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const VOLUME_MODES = ['Block', 'Filesystem'];

export function className(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => invalid(path, value, m));
}

export function validateAccessModes(modes: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let rwop = false;
  let other = false;
  for (const mode of arr(modes)) {
    if (!ACCESS_MODES.includes(mode)) errs.push(notSupported(path, mode, ACCESS_MODES));
    if (mode === 'ReadWriteOncePod') rwop = true;
    else if (ACCESS_MODES.includes(mode)) other = true;
  }
  if (rwop && other) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

export function positiveQuantity(value: unknown, path: FieldPath): FieldError[] {
  const err = quantityError(value);
  if (err) return [invalid(path, value ?? null, err)];
  const q = parseQuantityExact(value as string);
  if (isNegative(q) || isZero(q)) return [invalid(path, formatQuantity(q), 'must be greater than zero')];
  return [];
}

function dataSourceErrors(ds: Obj, path: FieldPath, withNamespace: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!ds.name) errs.push(required(path.child('name')));
  if (!ds.kind) errs.push(required(path.child('kind')));
  const apiGroup = str(ds.apiGroup);
  if (!apiGroup && ds.kind !== 'PersistentVolumeClaim') errs.push(invalid(path, ds.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (apiGroup) errs.push(...isDNS1123Subdomain(apiGroup).map((m) => invalid(path.child('apiGroup'), apiGroup, m)));
  if (withNamespace && ds.namespace) errs.push(...isDNS1123Label(str(ds.namespace)).map((m) => invalid(path.child('namespace'), ds.namespace, m)));
  return errs;
}

export function validatePersistentVolumeClaimSpec(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (arr(spec.accessModes).length === 0) errs.push(required(path.child('accessModes'), 'at least 1 access mode is required'));
  if (isObject(spec.selector)) errs.push(...validateLabelSelector(spec.selector, path.child('selector')));
  errs.push(...validateAccessModes(spec.accessModes, path.child('accessModes')));
  const storagePath = path.child('resources').key('storage');
  const storage = obj(obj(spec.resources).requests).storage;
  if (storage === undefined) errs.push(required(storagePath));
  else errs.push(...positiveQuantity(storage, storagePath));
  if (spec.storageClassName) errs.push(...className(str(spec.storageClassName), path.child('storageClassName')));
  if (has(spec, 'volumeMode') && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported(path.child('volumeMode'), spec.volumeMode, VOLUME_MODES));
  if (isObject(spec.dataSource)) errs.push(...dataSourceErrors(spec.dataSource, path.child('dataSource'), false));
  if (isObject(spec.dataSourceRef)) errs.push(...dataSourceErrors(spec.dataSourceRef, path.child('dataSourceRef'), true));
  if (isObject(spec.dataSourceRef) && spec.dataSourceRef.namespace) {
    if (isObject(spec.dataSource)) errs.push(invalid(path, path.child('dataSource').toString(), 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (isObject(spec.dataSource) && isObject(spec.dataSourceRef)) {
    const a = spec.dataSource;
    const b = spec.dataSourceRef;
    if ((a.apiGroup ?? null) !== (b.apiGroup ?? null) || a.kind !== b.kind || a.name !== b.name) errs.push(invalid(path, path.child('dataSource').toString(), 'must match dataSourceRef'));
  }
  if (spec.volumeAttributesClassName) errs.push(...className(str(spec.volumeAttributesClassName), path.child('volumeAttributesClassName')));
  return errs;
}
