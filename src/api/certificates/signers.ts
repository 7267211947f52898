// The built-in signers of certificates.k8s.io and what each will sign (upstream's
// pkg/apis/certificates helpers): node client certificates (kube-apiserver-client-kubelet),
// other API client certificates (kube-apiserver-client) and node serving certificates
// (kubelet-serving). Used by the approving and signing controllers.
import type { ParsedCertificateRequest } from './x509.js';

export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
/** The user node agents accept the API server as (kubeadm's apiserver-kubelet-client certificate). */
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

/** The node-client usages: client auth, with digital signature and key encipherment allowed. */
const clientUsages = new Set(['client auth', 'digital signature', 'key encipherment']);
const servingUsages = new Set(['server auth', 'digital signature', 'key encipherment']);

function usagesWithin(usages: string[], allowed: Set<string>, needed: string): string | undefined {
  const bad = usages.filter((u) => !allowed.has(u));
  if (bad.length) return `usages not allowed: ${bad.join(', ')} (allowed: ${[...allowed].join(', ')})`;
  if (!usages.includes(needed)) return `usages must include "${needed}"`;
  return undefined;
}

/**
 * Why a request is not a node client certificate request (undefined: it is one):
 * `CN=system:node:<name>, O=system:nodes`, no subject alternative names, client usages.
 */
export function nodeClientRequestError(csr: ParsedCertificateRequest, usages: string[]): string | undefined {
  if (csr.organizations.length !== 1 || csr.organizations[0] !== NODES_GROUP) return `subject organization is not ${NODES_GROUP}`;
  if (csr.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (csr.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (csr.ipAddresses.length) return 'IP subjectAltNames are not allowed';
  if (csr.uris.length) return 'URI subjectAltNames are not allowed';
  if (!csr.commonName.startsWith(NODE_USER_PREFIX) || csr.commonName.length === NODE_USER_PREFIX.length) return `subject common name does not begin with ${NODE_USER_PREFIX}`;
  return usagesWithin(usages, clientUsages, 'client auth');
}

/** Why a built-in signer refuses a request (undefined: it signs it); unknown signers are not ours. */
export function signerRefusal(signerName: string, csr: ParsedCertificateRequest, usages: string[]): string | undefined {
  switch (signerName) {
    case KUBE_APISERVER_CLIENT_KUBELET_SIGNER:
      return nodeClientRequestError(csr, usages);
    case KUBE_APISERVER_CLIENT_SIGNER:
      if (csr.organizations.includes('system:masters')) return 'use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed';
      return usagesWithin(usages, clientUsages, 'client auth');
    case KUBELET_SERVING_SIGNER:
      if (csr.organizations.length !== 1 || csr.organizations[0] !== NODES_GROUP) return `subject organization is not ${NODES_GROUP}`;
      if (!csr.commonName.startsWith(NODE_USER_PREFIX)) return `subject common name does not begin with ${NODE_USER_PREFIX}`;
      if (csr.dnsNames.length + csr.ipAddresses.length === 0) return 'DNS or IP subjectAltName is required';
      if (csr.emailAddresses.length || csr.uris.length) return 'Email and URI subjectAltNames are not allowed';
      return usagesWithin(usages, servingUsages, 'server auth');
    default:
      return `unknown signer ${signerName}`;
  }
}

export const builtinSigners = [KUBE_APISERVER_CLIENT_KUBELET_SIGNER, KUBE_APISERVER_CLIENT_SIGNER, KUBELET_SERVING_SIGNER];
