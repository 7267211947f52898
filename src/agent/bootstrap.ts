// Joining a cluster with a bootstrap token (the kubelet's TLS bootstrap, with kubeadm's
// token discovery in front): read kube-public/cluster-info anonymously without trusting the
// server yet, check the CA it names against the pinned public-key hash, then — now over
// verified TLS, as system:bootstrap:<id> — submit a CertificateSigningRequest for
// `CN=system:node:<name>, O=system:nodes` and wait until it is approved and signed. What comes
// out (CA, client certificate and key) is the node's own credential.
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../api/errors.js';
import { caCertHash, createCertificateRequest, generateKeyPem } from '../api/certificates/x509.js';
import { KUBE_APISERVER_CLIENT_KUBELET_SIGNER, NODES_GROUP, NODE_USER_PREFIX } from '../api/certificates/signers.js';
import { ApiClient } from '../client/client.js';

export interface BootstrapOptions {
  /** The API server, https://host:port. */
  server: string;
  token: string;
  /** Pins of the cluster CA: "sha256:<hex of its SubjectPublicKeyInfo>". */
  caCertHashes: string[];
  /** Trust whatever CA cluster-info names (no pin): only for throwaway clusters. */
  unsafeSkipCaVerification?: boolean;
  nodeName: string;
  /** How long to wait for the certificate (default 5 minutes). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface NodeCredentials {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const certificates = { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Join: a client certificate for this node, or an error that says what went wrong. */
export async function bootstrapNodeCredentials(opts: BootstrapOptions): Promise<NodeCredentials> {
  const log = opts.log ?? ((l) => console.log(l));
  if (!/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(opts.token)) throw new Error('--token must look like abcdef.0123456789abcdef ([a-z0-9]{6}.[a-z0-9]{16})');
  const pins = opts.caCertHashes.map((h) => h.toLowerCase());
  for (const p of pins) if (!/^sha256:[0-9a-f]{64}$/.test(p)) throw new Error(`--ca-cert-hash must be sha256:<64 hex digits>, got "${p}"`);
  if (pins.length === 0 && !opts.unsafeSkipCaVerification) throw new Error('refusing to trust the cluster CA without --ca-cert-hash sha256:<hex> (or --unsafe-skip-ca-verification)');
  const url = new URL(opts.server);
  if (url.protocol !== 'https:') throw new Error(`--server must be an https:// URL, got "${opts.server}"`);

  const caPem = await discoverCa(url);
  const hash = caCertHash(caPem);
  if (pins.length && !pins.includes(hash)) throw new Error(`the cluster CA presented by ${opts.server} has public key hash ${hash}, which matches no --ca-cert-hash: refusing to join`);

  const client = new ApiClient({ server: opts.server, caPem, token: opts.token, userAgent: `unyo-agent/${opts.nodeName}` });
  try {
    const keyPem = await generateKeyPem();
    const request = await createCertificateRequest(keyPem, { commonName: `${NODE_USER_PREFIX}${opts.nodeName}`, organizations: [NODES_GROUP] });
    let created: { metadata: { name?: string } };
    try {
      created = await client.create(certificates, {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name: `node-csr-${randomBytes(8).toString('hex')}` },
        spec: { request: Buffer.from(request).toString('base64'), signerName: KUBE_APISERVER_CLIENT_KUBELET_SIGNER, usages: ['digital signature', 'client auth'] },
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 401) throw new Error('the API server refused the bootstrap token (unknown, expired or deleted): ask for a new one with `unyo token create`');
      throw err;
    }
    const name = created.metadata.name!;
    log(`agent ${opts.nodeName}: certificate signing request ${name} submitted, waiting for it to be approved and signed`);
    const certPem = await waitForCertificate(client, name, opts.timeoutMs ?? 300_000);
    log(`agent ${opts.nodeName}: certificate signing request ${name} approved and signed`);
    return { server: opts.server, caPem, certPem, keyPem };
  } finally {
    client.close();
  }
}

/** The CA named by kube-public/cluster-info, fetched without verifying the server (it is checked against the pin after). */
function discoverCa(url: URL): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: url.hostname, port: url.port || 443, path: '/api/v1/namespaces/kube-public/configmaps/cluster-info', rejectUnauthorized: false, headers: { Accept: 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`cannot read kube-public/cluster-info from ${url.origin}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
        try {
          const cm = JSON.parse(text);
          const cfg = parseYaml(cm.data.kubeconfig);
          const data = cfg.clusters[0].cluster['certificate-authority-data'];
          resolve(Buffer.from(data, 'base64').toString('utf8'));
        } catch (err) {
          reject(new Error(`kube-public/cluster-info on ${url.origin} holds no kubeconfig with a CA: ${(err as Error).message}`));
        }
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', (err) => reject(new Error(`cannot reach the API server at ${url.origin}: ${err.message}`)));
  });
}

async function waitForCertificate(client: ApiClient, name: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const csr = await client.get<any>(certificates, name).catch((err: Error) => {
      if (err instanceof ApiError && err.code === 401) throw new Error(`the bootstrap token was revoked or expired while waiting for ${name}`);
      return undefined;
    });
    const conditions: any[] = csr?.status?.conditions ?? [];
    const denied = conditions.find((c) => c.type === 'Denied');
    if (denied) throw new Error(`certificate signing request ${name} was denied${denied.reason ? ` (${denied.reason})` : ''}${denied.message ? `: ${denied.message}` : ''}`);
    const failed = conditions.find((c) => c.type === 'Failed');
    if (failed) throw new Error(`certificate signing request ${name} failed${failed.reason ? ` (${failed.reason})` : ''}${failed.message ? `: ${failed.message}` : ''}`);
    if (csr?.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    if (Date.now() > deadline) {
      const approved = conditions.some((c) => c.type === 'Approved');
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s: certificate signing request ${name} was ${approved ? 'approved but never signed (is the csrsigning controller running with --cluster-signing-cert-file?)' : 'never approved (approve it with `kubectl certificate approve ' + name + '`)'}`);
    }
    await sleep(500);
  }
}
