// The cluster's certificate authority and the certificates it signs: the API server's serving
// certificate (for localhost, 127.0.0.1 and the machine's names) and client certificates
// (admin; the API server's own towards node agents). ECDSA P-256 keys, PEM files under
// <dataDir>/pki, made once and reused. Node agents get theirs through CertificateSigningRequests.
import { createCa, issue, type KeyPairPem } from '../api/certificates/x509.js'; // first: it loads reflect-metadata
import * as x509 from '@peculiar/x509';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { KUBELET_CLIENT_USER } from '../api/certificates/signers.js';

export { createCa, issue, type IssueOptions, type KeyPairPem } from '../api/certificates/x509.js';

export interface ClusterPki {
  ca: KeyPairPem;
  serving: KeyPairPem;
  admin: KeyPairPem;
  /** What the API server presents to node agents (logs, exec, proxy): kubeadm's apiserver-kubelet-client. */
  kubeletClient: KeyPairPem;
}


function writeAtomic(path: string, data: string, mode = 0o600): void {
  writeFileSync(`${path}.tmp`, data, { mode });
  renameSync(`${path}.tmp`, path);
}

export function loadPair(dir: string, name: string): KeyPairPem | undefined {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

export function savePair(dir: string, name: string, pair: KeyPairPem): void {
  writeAtomic(join(dir, `${name}.key`), pair.key);
  writeAtomic(join(dir, `${name}.crt`), pair.cert, 0o644);
}

/** Load the cluster's PKI from <dataDir>/pki, creating what is missing. */
export async function ensurePki(dataDir: string, extraSans: string[] = []): Promise<ClusterPki> {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = loadPair(dir, 'ca');
  if (!ca) {
    ca = await createCa();
    savePair(dir, 'ca', ca);
  }
  const ips = ['127.0.0.1', '::1', ...extraSans.filter((s) => /^[\d.:]+$/.test(s))];
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', hostname(), ...extraSans.filter((s) => !/^[\d.:]+$/.test(s))];
  let serving = loadPair(dir, 'apiserver');
  if (!serving || !coversNames(serving.cert, dns, ips)) {
    serving = await issue(ca, { commonName: 'kube-apiserver', dnsNames: dns, ipAddresses: ips, usage: 'server' });
    savePair(dir, 'apiserver', serving);
  }
  let admin = loadPair(dir, 'admin');
  if (!admin) {
    admin = await issue(ca, { commonName: 'unyo-admin', organizations: ['system:masters'], usage: 'client' });
    savePair(dir, 'admin', admin);
  }
  let kubeletClient = loadPair(dir, 'apiserver-kubelet-client');
  if (!kubeletClient) {
    kubeletClient = await issue(ca, { commonName: KUBELET_CLIENT_USER, organizations: ['system:masters'], usage: 'client' });
    savePair(dir, 'apiserver-kubelet-client', kubeletClient);
  }
  return { ca, serving, admin, kubeletClient };
}

function coversNames(certPem: string, dns: string[], ips: string[]): boolean {
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  if (!san) return false;
  const have = new Set(san.names.items.map((n) => n.value));
  return [...dns, ...ips].every((n) => have.has(n) || (n === '::1' && have.has('0:0:0:0:0:0:0:1')));
}
