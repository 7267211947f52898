// Keys, certificates and certificate requests (what upstream keeps in client-go's util/cert and
// keyutil and in pkg/apis/certificates): pure cryptography, no files. ECDSA P-256 keys as PEM
// (PKCS#8), certificates and PKCS#10 requests as PEM. The cluster CA, the certificates it
// issues, the requests node agents submit and their signing all go through here.
import 'reflect-metadata'; // @peculiar/x509 needs the Reflect metadata API loaded first
import * as x509 from '@peculiar/x509';
import { X509Certificate, createHash, createPrivateKey, createPublicKey, randomBytes, verify, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface KeyPairPem {
  cert: string;
  key: string;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** A private key PEM (PKCS#8 or SEC1) as a key pair WebCrypto signs with. */
async function importKeyPair(pem: string): Promise<CryptoKeyPair> {
  const key = createPrivateKey(pem);
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const ec = { name: 'ECDSA', namedCurve: 'P-256' };
  const privateKey = (await webcrypto.subtle.importKey('pkcs8', der, ec, false, ['sign'])) as unknown as CryptoKey;
  const publicKey = (await webcrypto.subtle.importKey('spki', spki, ec, true, ['verify'])) as unknown as CryptoKey;
  return { privateKey, publicKey };
}

/** A new private key, PEM. */
export async function generateKeyPem(): Promise<string> {
  return exportKeyPem((await newKeys()).privateKey);
}

const serial = () => randomBytes(16).toString('hex').replace(/^[89a-f]/, '1');
const years = (n: number) => new Date(Date.now() + n * 365 * 24 * 3600 * 1000);

export async function createCa(commonName = 'unyo-ca'): Promise<KeyPairPem> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: years(10),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKeyPem(keys.privateKey) };
}

export interface IssueOptions {
  commonName: string;
  /** Subject organizations: Kubernetes reads them as the user's groups. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  /** `peer`: both server and client authentication, as etcd members present to one another. */
  usage: 'server' | 'client' | 'peer';
}

const extendedUsages = {
  server: [x509.ExtendedKeyUsage.serverAuth],
  client: [x509.ExtendedKeyUsage.clientAuth],
  peer: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
};

const subjectOf = (commonName: string, organizations: string[] = []) => [`CN=${commonName}`, ...organizations.map((o) => `O=${o}`)].join(', ');

function altNames(dnsNames: string[] = [], ipAddresses: string[] = []): x509.Extension[] {
  const names = [...dnsNames.map((value) => ({ type: 'dns' as const, value })), ...ipAddresses.map((value) => ({ type: 'ip' as const, value }))];
  return names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [];
}

/** Issue a certificate (and its new key) signed by the CA. */
export async function issue(ca: KeyPairPem, opts: IssueOptions): Promise<KeyPairPem> {
  const keys = await newKeys();
  const caCert = new x509.X509Certificate(ca.cert);
  const caKeys = await importKeyPair(ca.key);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: subjectOf(opts.commonName, opts.organizations),
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: years(opts.usage === 'client' ? 1 : 5),
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(extendedUsages[opts.usage]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ...altNames(opts.dnsNames, opts.ipAddresses),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKeyPem(keys.privateKey) };
}

/** A self-signed serving certificate (what a kubelet makes for itself when it has none). */
export async function selfSignedServing(commonName: string, dnsNames: string[], ipAddresses: string[]): Promise<KeyPairPem> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: years(1),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ...altNames(dnsNames, ipAddresses),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKeyPem(keys.privateKey) };
}

/** A PKCS#10 request for `CN=commonName, O=organizations...`, signed with the key (PEM). */
export async function createCertificateRequest(keyPem: string, subject: { commonName: string; organizations?: string[] }): Promise<string> {
  const keys = await importKeyPair(keyPem);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subjectOf(subject.commonName, subject.organizations), keys, signingAlgorithm: alg });
  return csr.toString('pem');
}

/** What a certificate request asks for, read from its PEM. */
export interface ParsedCertificateRequest {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** The request's signature checks out against its own public key (proof of possession). */
  signatureValid: boolean;
}

/**
 * Parse a PEM certificate request (one CERTIFICATE REQUEST block); throws with upstream's
 * wording when it is not one.
 */
export function parseCertificateRequest(pem: string): ParsedCertificateRequest {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  if (m[1] !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const der = Buffer.from(m[2].replace(/\s+/g, ''), 'base64');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch (err) {
    throw new Error(`x509: malformed certificate request: ${(err as Error).message}`);
  }
  const name = csr.subjectName;
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const names = (type: string) => (san?.names.items ?? []).filter((n) => n.type === type).map((n) => n.value);
  return {
    commonName: name.getField('CN')[0] ?? '',
    organizations: name.getField('O'),
    dnsNames: names('dns'),
    ipAddresses: names('ip'),
    emailAddresses: names('email'),
    uris: names('url'),
    signatureValid: checkSignature(der, csr),
  };
}

/**
 * Verify a request's signature synchronously: the signed part is the first element of the
 * outer DER SEQUENCE (CertificationRequestInfo), checked against the request's own key.
 */
function checkSignature(der: Buffer, csr: x509.Pkcs10CertificateRequest): boolean {
  try {
    const info = firstElement(der);
    const key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    const hash = (csr.signatureAlgorithm as { hash?: { name?: string } }).hash?.name?.replace('-', '').toLowerCase();
    const type = key.asymmetricKeyType;
    return verify(type === 'ed25519' || type === 'ed448' ? null : (hash ?? 'sha256'), info, key, Buffer.from(csr.signature));
  } catch {
    return false;
  }
}

/** The bytes (header included) of the first element inside a DER SEQUENCE. */
function firstElement(der: Buffer): Buffer {
  const header = (at: number): { start: number; length: number } => {
    let len = der[at + 1];
    let start = at + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i];
      start += n;
    }
    return { start, length: len };
  };
  const outer = header(0);
  const inner = header(outer.start);
  return der.subarray(outer.start, inner.start + inner.length);
}

/** Key usages of certificates.k8s.io, as X.509 key usage bits and extended key usages. */
const keyUsageBits: Record<string, number> = {
  signing: x509.KeyUsageFlags.digitalSignature,
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};
const extendedKeyUsages: Record<string, string> = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

/** Every key usage a CertificateSigningRequest may ask for. */
export const knownKeyUsages = [...Object.keys(keyUsageBits), ...Object.keys(extendedKeyUsages)].sort();

/**
 * Sign a request with the CA: its subject and names as requested, the usages given, valid
 * from five minutes ago (clock skew) until notAfter (never beyond the CA's own notAfter).
 */
export async function signCertificateRequest(ca: KeyPairPem, requestPem: string, opts: { usages: string[]; notAfter: Date; now?: Date }): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(requestPem);
  const caCert = new x509.X509Certificate(ca.cert);
  const caKeys = await importKeyPair(ca.key);
  const now = opts.now ?? new Date();
  let bits = 0;
  const eku: string[] = [];
  for (const u of opts.usages) {
    if (keyUsageBits[u] !== undefined) bits |= keyUsageBits[u];
    else if (extendedKeyUsages[u]) eku.push(extendedKeyUsages[u]);
    else throw new Error(`unknown key usage "${u}"`);
  }
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (bits) extensions.push(new x509.KeyUsagesExtension(bits, true));
  if (eku.length) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(caCert));
  const san = csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension);
  if (san) extensions.push(san);
  const notAfter = opts.notAfter.getTime() > caCert.notAfter.getTime() ? caCert.notAfter : opts.notAfter;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: csr.subjectName,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter,
    publicKey: csr.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: alg,
    extensions,
  });
  return cert.toString('pem');
}

/**
 * kubeadm's CA pin: "sha256:" and the hex SHA-256 of the certificate's DER
 * SubjectPublicKeyInfo (`--discovery-token-ca-cert-hash`).
 */
export function caCertHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** Split a PEM bundle into its certificates (PEM each), checking each one parses. */
export function pemCertificates(pem: string): string[] {
  const out: string[] = [];
  for (const m of pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g)) {
    if (m[1] !== 'CERTIFICATE') throw new Error(`only CERTIFICATE PEM blocks are allowed, found "${m[1]}"`);
    if (/^[A-Za-z-]+:/m.test(m[0].split('\n').slice(1, -1).join('\n'))) throw new Error('no PEM block headers are permitted');
    new X509Certificate(m[0]);
    out.push(m[0]);
  }
  if (out.length === 0) throw new Error('must contain at least one CERTIFICATE PEM block');
  return out;
}
