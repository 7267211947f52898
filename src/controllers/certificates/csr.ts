// What the two certificate controllers share: the CertificateSigningRequest shape, its
// conditions, and its request decoded.
import type { KubeObject } from '../../api/types.js';
import { parseCertificateRequest, type ParsedCertificateRequest } from '../../api/certificates/x509.js';

export interface CertificateSigningRequest extends KubeObject {
  spec: { request: string; signerName: string; usages?: string[]; expirationSeconds?: number; username?: string; groups?: string[] };
  status?: { certificate?: string; conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string; lastTransitionTime?: string }> };
}

export const hasCondition = (csr: CertificateSigningRequest, type: string) => (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** Approved or denied already: nothing for an approver to do. */
export const isDecided = (csr: CertificateSigningRequest) => hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied');

/** The PEM request inside spec.request, parsed; undefined when it does not parse. */
export function parsedRequest(csr: CertificateSigningRequest): ParsedCertificateRequest | undefined {
  try {
    return parseCertificateRequest(Buffer.from(csr.spec.request ?? '', 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}
