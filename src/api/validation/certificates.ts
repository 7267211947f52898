// certificates.k8s.io/v1 CertificateSigningRequest, with upstream's rules: the request must be
// a PEM certificate request whose signature checks out, usages known and not repeated, a
// "domain/name" signer, at least 600 s asked for; Approved, Denied and Failed conditions only
// True, Approved and Denied exclusive, none of them ever removed. Which update path may change
// what: Approved/Denied only through `approval`, the certificate only through `status` and only
// once; a plain update changes neither (the registry keeps spec and status as stored).
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { knownKeyUsages, parseCertificateRequest, pemCertificates } from '../certificates/x509.js';
import { arr, deepEqual, duplicate, forbidden, has, invalid, notSupported, obj, required, str, tooLong } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Label, isDNS1123Subdomain, nameIsPathSegment } from './names.js';
import { FieldPath } from './path.js';

export interface CertificateValidationOptions {
  /** The update path: '' (the object), 'status' (the signer) or 'approval' (approvers). */
  subresource?: string;
}

const decode = (b64: unknown) => Buffer.from(str(b64), 'base64').toString('utf8');

export function validateCertificateSigningRequest(csr: KubeObject, old?: KubeObject, opts: CertificateValidationOptions = {}): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(csr.metadata, old.metadata) : [];
  errs.push(...validateObjectMeta(csr.metadata, { namespaced: false, nameFn: nameIsPathSegment }));
  const spec = obj(csr.spec);
  const specPath = FieldPath.of('spec');
  try {
    if (!parseCertificateRequest(decode(spec.request)).signatureValid) throw new Error('x509: ECDSA verification failure');
  } catch (err) {
    errs.push(invalid(specPath.child('request'), '<certificate request data>', (err as Error).message));
  }
  const usages = arr(spec.usages);
  if (usages.length === 0) errs.push(required(specPath.child('usages'), 'usages must be provided'));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (!knownKeyUsages.includes(u)) errs.push(notSupported(specPath.child('usages').index(i), u, knownKeyUsages));
    if (seen.has(u)) errs.push(duplicate(specPath.child('usages').index(i), u));
    seen.add(u);
  });
  const signerName = str(spec.signerName);
  if (signerName === 'kubernetes.io/legacy-unknown') errs.push(invalid(specPath.child('signerName'), signerName, 'the legacy signerName is not allowed via this API version'));
  else errs.push(...validateSignerName(specPath.child('signerName'), signerName));
  if (has(spec, 'expirationSeconds') && !(spec.expirationSeconds >= 600)) {
    errs.push(invalid(specPath.child('expirationSeconds'), spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  const status = obj(csr.status);
  errs.push(...validateConditions(arr(status.conditions)));
  if (str(status.certificate)) {
    try {
      pemCertificates(decode(status.certificate));
    } catch (err) {
      errs.push(invalid(FieldPath.of('status', 'certificate'), '<certificate data>', (err as Error).message));
    }
  }
  if (old) errs.push(...validateUpdate(csr, old, opts.subresource ?? ''));
  return errs;
}

const trueOnly = new Set(['Approved', 'Denied', 'Failed']);

function validateConditions(conditions: any[]): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.of('status', 'conditions');
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditions.forEach((c, i) => {
    const type = str(c?.type);
    const status = str(c?.status);
    if (!type) errs.push(required(path.index(i).child('type')));
    const allowed = trueOnly.has(type) ? ['True'] : ['False', 'True', 'Unknown'];
    if (!status) errs.push(required(path.index(i).child('status')));
    else if (!allowed.includes(status)) errs.push(notSupported(path.index(i).child('status'), status, allowed));
    if (type === 'Approved') {
      approved = true;
      if (denied) errs.push(invalid(path.index(i).child('type'), type, 'Approved and Denied conditions are mutually exclusive'));
    } else if (type === 'Denied') {
      denied = true;
      if (approved) errs.push(invalid(path.index(i).child('type'), type, 'Approved and Denied conditions are mutually exclusive'));
    }
    if (seen.has(type)) errs.push(duplicate(path.index(i).child('type'), type));
    seen.add(type);
  });
  return errs;
}

function validateUpdate(csr: KubeObject, old: KubeObject, subresource: string): FieldError[] {
  const errs: FieldError[] = [];
  const conditions = FieldPath.of('status', 'conditions');
  const of = (o: KubeObject, type: string) => arr(obj(o.status).conditions).filter((c) => c?.type === type);
  for (const type of ['Approved', 'Denied', 'Failed']) {
    if (of(csr, type).length < of(old, type).length) errs.push(forbidden(conditions, `updates may not remove a condition of type "${type}"`));
  }
  if (subresource !== 'approval') {
    for (const type of ['Approved', 'Denied']) {
      const now = of(csr, type);
      const before = of(old, type);
      if (now.length > before.length) errs.push(forbidden(conditions, `updates may not add a condition of type "${type}"`));
      else if (now.length === before.length && !deepEqual(now, before)) errs.push(forbidden(conditions, `updates may not modify a condition of type "${type}"`));
    }
  }
  const cert = str(obj(csr.status).certificate);
  const oldCert = str(obj(old.status).certificate);
  if (cert !== oldCert) {
    if (subresource !== 'status') errs.push(forbidden(FieldPath.of('status', 'certificate'), 'updates may not set certificate content'));
    else if (oldCert) errs.push(forbidden(FieldPath.of('status', 'certificate'), 'updates may not modify existing certificate content'));
  }
  return errs;
}

/** "example.com/signer-name": a domain of at least two DNS labels, a path of DNS subdomains. */
export function validateSignerName(path: FieldPath, signerName: string): FieldError[] {
  if (!signerName) return [required(path, 'signerName must be provided')];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const errs: FieldError[] = [];
  const [domain, name] = segments;
  if (domain.length > 253) errs.push(tooLong(path, 253));
  const labels = domain.split('.');
  for (const label of labels) {
    const bad = isDNS1123Label(label);
    if (bad.length) {
      errs.push(...bad.map((m) => invalid(path, domain, `validating label "${label}": ${m}`)));
      break;
    }
  }
  if (labels.length < 2) errs.push(invalid(path, domain, 'should be a domain with at least two segments separated by dots'));
  for (const label of name.split('.')) {
    const bad = isDNS1123Subdomain(label);
    if (bad.length) {
      errs.push(...bad.map((m) => invalid(path, name, `validating label "${label}": ${m}`)));
      break;
    }
  }
  if (signerName.length > 253 + 253 + 63 + 1 + 1) errs.push(tooLong(path, 571));
  return errs;
}
