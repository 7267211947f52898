import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../types.js';
import { createCa, createCertificateRequest, generateKeyPem, issue, parseCertificateRequest } from '../certificates/x509.js';
import { render } from './testing.js';
import { validate } from './index.js';

const gk = 'CertificateSigningRequest.certificates.k8s.io';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const requestPem = await createCertificateRequest(await generateKeyPem(), { commonName: 'system:node:n1', organizations: ['system:nodes'] });
const ca = await createCa();
const certPem = (await issue(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'], usage: 'client' })).cert;

function csr(mutate: (c: Record<string, any>) => void = () => undefined): KubeObject {
  const c: Record<string, any> = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'node-csr-1', uid: 'u1' },
    spec: { request: b64(requestPem), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] },
  };
  mutate(c);
  return c as KubeObject;
}

const check = (obj: KubeObject, old?: KubeObject, subresource?: string) => render(validate(gk, obj, old, { subresource }));
const approved = { type: 'Approved', status: 'True', reason: 'R', lastUpdateTime: '2026-01-01T00:00:00Z' };

test('a certificate request parses with its subject and a valid signature', () => {
  const parsed = parseCertificateRequest(requestPem);
  assert.equal(parsed.commonName, 'system:node:n1');
  assert.deepEqual(parsed.organizations, ['system:nodes']);
  assert.equal(parsed.signatureValid, true);
});

const createCases: Array<{ name: string; obj: KubeObject; want: string[] }> = [
  { name: 'valid', obj: csr(), want: [] },
  { name: 'not PEM', obj: csr((c) => (c.spec.request = b64('hello'))), want: ['spec.request: Invalid value: "<certificate request data>": PEM block type must be CERTIFICATE REQUEST'] },
  { name: 'a certificate instead of a request', obj: csr((c) => (c.spec.request = b64(certPem))), want: ['spec.request: Invalid value: "<certificate request data>": PEM block type must be CERTIFICATE REQUEST'] },
  {
    name: 'tampered signature',
    obj: csr((c) => {
      const der = Buffer.from(requestPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
      der[der.length - 5] ^= 0xff;
      c.spec.request = b64(`-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`);
    }),
    want: ['spec.request: Invalid value: "<certificate request data>": x509: ECDSA verification failure'],
  },
  { name: 'no usages', obj: csr((c) => delete c.spec.usages), want: ['spec.usages: Required value: usages must be provided'] },
  { name: 'duplicate usage', obj: csr((c) => (c.spec.usages = ['client auth', 'client auth'])), want: ['spec.usages[1]: Duplicate value: "client auth"'] },
  { name: 'no signer', obj: csr((c) => delete c.spec.signerName), want: ['spec.signerName: Required value: signerName must be provided'] },
  { name: 'signer without path', obj: csr((c) => (c.spec.signerName = 'example.com')), want: ['spec.signerName: Invalid value: "example.com": must be a fully qualified domain and path of the form \'example.com/signer-name\''] },
  { name: 'signer domain of one label', obj: csr((c) => (c.spec.signerName = 'example/signer')), want: ['spec.signerName: Invalid value: "example": should be a domain with at least two segments separated by dots'] },
  { name: 'legacy signer', obj: csr((c) => (c.spec.signerName = 'kubernetes.io/legacy-unknown')), want: ['spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version'] },
  { name: 'too short', obj: csr((c) => (c.spec.expirationSeconds = 599)), want: ['spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)'] },
  { name: 'ten minutes', obj: csr((c) => (c.spec.expirationSeconds = 600)), want: [] },
  {
    name: 'approved and denied',
    obj: csr((c) => (c.status = { conditions: [approved, { type: 'Denied', status: 'True' }] })),
    want: ['status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive'],
  },
  { name: 'approved false', obj: csr((c) => (c.status = { conditions: [{ ...approved, status: 'False' }] })), want: ['status.conditions[0].status: Unsupported value: "False": supported values: "True"'] },
  { name: 'condition without status', obj: csr((c) => (c.status = { conditions: [{ type: 'Custom' }] })), want: ['status.conditions[0].status: Required value'] },
  { name: 'certificate that is not one', obj: csr((c) => (c.status = { certificate: b64(requestPem) })), want: ['status.certificate: Invalid value: "<certificate data>": only CERTIFICATE PEM blocks are allowed, found "CERTIFICATE REQUEST"'] },
];

for (const c of createCases) test(`csr create: ${c.name}`, () => assert.deepEqual(check(c.obj), c.want));

test('csr updates: approval only through approval, the certificate only through status and only once', () => {
  const old = csr((c) => (c.metadata.resourceVersion = '5'));
  const withApproval = csr((c) => {
    c.metadata.resourceVersion = '5';
    c.status = { conditions: [approved] };
  });
  assert.deepEqual(check(withApproval, old, 'approval'), []);
  assert.deepEqual(check(withApproval, old, 'status'), ['status.conditions: Forbidden: updates may not add a condition of type "Approved"']);
  assert.deepEqual(check(withApproval, old, ''), ['status.conditions: Forbidden: updates may not add a condition of type "Approved"']);
  assert.deepEqual(check(old, withApproval, 'approval'), ['status.conditions: Forbidden: updates may not remove a condition of type "Approved"']);

  const issued = csr((c) => {
    c.metadata.resourceVersion = '5';
    c.status = { conditions: [approved], certificate: b64(certPem) };
  });
  assert.deepEqual(check(issued, withApproval, 'status'), []);
  assert.deepEqual(check(issued, withApproval, 'approval'), ['status.certificate: Forbidden: updates may not set certificate content']);
  const reissued = structuredClone(issued);
  (reissued.status as any).certificate = b64(certPem + certPem);
  assert.deepEqual(check(reissued, issued, 'status'), ['status.certificate: Forbidden: updates may not modify existing certificate content']);
});
