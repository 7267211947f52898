// The cluster's certificate authority and the certificates it signs: the API server's serving
// certificate (for localhost, 127.0.0.1 and the machine's names) and client certificates
// (admin, nodes). ECDSA P-256 keys, PEM files under <dataDir>/pki, made once and reused.
import 'reflect-metadata'; // @peculiar/x509 needs the Reflect metadata API loaded first
import * as x509 from '@peculiar/x509';
import { webcrypto, randomBytes, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface KeyPairPem {
  cert: string;
  key: string;
}

export interface ClusterPki {
  ca: KeyPairPem;
  serving: KeyPairPem;
  admin: KeyPairPem;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return (await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])) as unknown as CryptoKey;
}

const serial = () => randomBytes(16).toString('hex').replace(/^[89a-f]/, '1');
const years = (n: number) => new Date(Date.now() + n * 365 * 24 * 3600 * 1000);

export async function createCa(commonName = 'unyo-ca'): Promise<KeyPairPem> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
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
  usage: 'server' | 'client';
}

/** Issue a certificate signed by the CA. */
export async function issue(ca: KeyPairPem, opts: IssueOptions): Promise<KeyPairPem> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await importKeyPem(ca.key);
  const subject = [`CN=${opts.commonName}`, ...(opts.organizations ?? []).map((o) => `O=${o}`)].join(', ');
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([opts.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  const names = [...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: years(opts.usage === 'server' ? 5 : 1),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: alg,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await exportKeyPem(keys.privateKey) };
}

function writeAtomic(path: string, data: string, mode = 0o600): void {
  writeFileSync(`${path}.tmp`, data, { mode });
  renameSync(`${path}.tmp`, path);
}

function loadPair(dir: string, name: string): KeyPairPem | undefined {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

function savePair(dir: string, name: string, pair: KeyPairPem): void {
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
  return { ca, serving, admin };
}

function coversNames(certPem: string, dns: string[], ips: string[]): boolean {
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  if (!san) return false;
  const have = new Set(san.names.items.map((n) => n.value));
  return [...dns, ...ips].every((n) => have.has(n) || (n === '::1' && have.has('0:0:0:0:0:0:0:1')));
}
