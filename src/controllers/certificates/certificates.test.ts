import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { startTestApiServer } from '../../apiserver/testing.js';
import { ApiClient } from '../../client/client.js';
import { createCertificateRequest, generateKeyPem } from '../../api/certificates/x509.js';
import { createBootstrapToken } from '../../ops/token.js';
import { systemClock } from '../runtime/clock.js';
import { newContext } from '../runtime/context.js';
import { waitFor } from '../runtime/testing.js';
import { csrApproving } from './approver.js';
import { csrSigning } from './signer.js';
import type { CertificateSigningRequest } from './csr.js';

const csrs = { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests' };

async function request(name: string, subject: { commonName: string; organizations?: string[] }, spec: Record<string, unknown> = {}) {
  const pem = await createCertificateRequest(await generateKeyPem(), subject);
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], ...spec },
  };
}

const conditionTypes = (csr: CertificateSigningRequest) => (csr.status?.conditions ?? []).map((c) => c.type);

test('csrapproving approves node client requests of bootstrappers; csrsigning issues them with the cluster CA', async () => {
  const api = await startTestApiServer();
  const ctx = newContext(api.newClient('controller-manager'), systemClock, 'fast', { clusterSigning: { ca: api.pki.ca, durationSeconds: 365 * 24 * 3600 } });
  const running = [csrApproving.setup(ctx), csrSigning.setup(ctx)];
  const token = await createBootstrapToken(api.client, { ttlSeconds: 3600 });
  const joining = new ApiClient({ server: api.url, caPem: api.pki.ca.cert, token: token.token });
  try {
    await ctx.informers.start();
    for (const r of running) await r.start();

    // A joining node: approved and signed on their own, for as long as it asked.
    await joining.create(csrs, (await request('node-csr-joined', { commonName: 'system:node:joined', organizations: ['system:nodes'] }, { expirationSeconds: 3600 })) as never);
    const issued = await waitFor('the certificate', async () => {
      const csr = await api.client.get<CertificateSigningRequest>(csrs, 'node-csr-joined');
      return csr.status?.certificate ? csr : undefined;
    });
    const approvedBy = issued.status!.conditions!.find((c) => c.type === 'Approved')!;
    assert.equal(approvedBy.reason, 'AutoApproved');
    assert.ok(approvedBy.lastTransitionTime);
    const cert = new X509Certificate(Buffer.from(issued.status!.certificate!, 'base64').toString());
    assert.ok(cert.verify(new X509Certificate(api.pki.ca.cert).publicKey), 'signed by the cluster CA');
    assert.match(cert.subject, /CN=system:node:joined/);
    assert.match(cert.subject, /O=system:nodes/);
    const validity = Date.parse(cert.validTo) - Date.now();
    assert.ok(validity > 50 * 60_000 && validity <= 3600_000, `valid for about an hour, not ${validity} ms`);

    // The admin asking for a node's certificate is not a node joining: it waits for a person.
    await api.client.create(csrs, (await request('by-admin', { commonName: 'system:node:other', organizations: ['system:nodes'] })) as never);
    // Nor is a bootstrapper asking for something other than a node client certificate.
    await joining.create(csrs, (await request('not-a-node', { commonName: 'someone', organizations: ['system:nodes'] })) as never);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(conditionTypes(await api.client.get(csrs, 'by-admin')), []);
    assert.deepEqual(conditionTypes(await api.client.get(csrs, 'not-a-node')), []);

    // Approved by hand (as `kubectl certificate approve` does, through approval): signed.
    const byAdmin = await api.client.get<CertificateSigningRequest>(csrs, 'by-admin');
    byAdmin.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.' }] };
    await api.client.update(csrs, byAdmin, 'approval');
    await waitFor('by-admin issued', async () => (await api.client.get<CertificateSigningRequest>(csrs, 'by-admin')).status?.certificate);

    // Approved by hand but against the signer's rules: Failed, never issued.
    const notANode = await api.client.get<CertificateSigningRequest>(csrs, 'not-a-node');
    notANode.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove' }] };
    await api.client.update(csrs, notANode, 'approval');
    const failed = await waitFor('not-a-node failed', async () => {
      const csr = await api.client.get<CertificateSigningRequest>(csrs, 'not-a-node');
      return conditionTypes(csr).includes('Failed') ? csr : undefined;
    });
    assert.equal(failed.status!.conditions!.find((c) => c.type === 'Failed')!.reason, 'SignerValidationFailure');
    assert.equal(failed.status!.certificate, undefined);

    // A denied request stays denied; its owner cannot slip a certificate in through a plain update.
    await api.client.create(csrs, (await request('denied', { commonName: 'system:node:x', organizations: ['system:nodes'] })) as never);
    const denied = await api.client.get<CertificateSigningRequest>(csrs, 'denied');
    denied.status = { conditions: [{ type: 'Denied', status: 'True', reason: 'KubectlDeny' }] };
    await api.client.update(csrs, denied, 'approval');
    const sneaky = await api.client.get<CertificateSigningRequest>(csrs, 'denied');
    sneaky.status = { ...sneaky.status, certificate: issued.status!.certificate };
    const afterPut = await api.client.update<CertificateSigningRequest>(csrs, sneaky);
    assert.equal(afterPut.status?.certificate, undefined, 'a plain update keeps the stored status');
    await assert.rejects(api.client.update(csrs, { ...sneaky, status: { conditions: [] } }, 'approval'), /updates may not remove a condition of type "Denied"/);
  } finally {
    for (const r of running) await r.stop();
    ctx.informers.stop();
    joining.close();
    await api.stop();
  }
});
