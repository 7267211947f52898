import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { startTestApiServer, type TestApiServer } from '../testing.js';
import { ApiClient, core } from '../../client/client.js';
import { ApiError } from '../../api/errors.js';
import { createBootstrapToken, deleteBootstrapToken } from '../../ops/token.js';
import { createCertificateRequest, generateKeyPem } from '../../api/certificates/x509.js';

const csrs = { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests' };

async function nodeCsr(name: string) {
  const request = await createCertificateRequest(await generateKeyPem(), { commonName: `system:node:${name}`, organizations: ['system:nodes'] });
  return { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: `node-csr-${name}` }, spec: { request: Buffer.from(request).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] } };
}

async function code(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof ApiError ? err.code : String(err);
  }
}

function anonymousGet(api: TestApiServer, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(api.url);
    https
      .get({ host: url.hostname, port: url.port, path, ca: api.pki.ca.cert }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('a bootstrap token authenticates as system:bootstrap:<id> and may only ask for certificates', async () => {
  const api = await startTestApiServer();
  const clients: ApiClient[] = [];
  const as = (token: string) => {
    const c = new ApiClient({ server: api.url, caPem: api.pki.ca.cert, token });
    clients.push(c);
    return c;
  };
  try {
    const created = await createBootstrapToken(api.client, { ttlSeconds: 3600, description: 'test' });
    assert.match(created.token!, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const secret = await api.client.get<any>(core('secrets', 'kube-system'), `bootstrap-token-${created.id}`);
    assert.equal(secret.type, 'bootstrap.kubernetes.io/token');
    const data = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    assert.equal(data['token-id'], created.id);
    assert.equal(data['usage-bootstrap-authentication'], 'true');
    assert.equal(data['usage-bootstrap-signing'], 'true');
    assert.equal(data['auth-extra-groups'], 'system:bootstrappers:unyo:default-node-token');
    assert.equal(data.description, 'test');
    assert.ok(Date.parse(data.expiration) > Date.now());

    const node = as(created.token!);
    const csr = await node.create<any>(csrs, (await nodeCsr('a')) as never);
    assert.equal(csr.spec.username, `system:bootstrap:${created.id}`);
    assert.deepEqual(csr.spec.groups, ['system:bootstrappers', 'system:bootstrappers:unyo:default-node-token', 'system:authenticated']);
    assert.equal((await node.get<any>(csrs, csr.metadata.name)).metadata.name, csr.metadata.name);
    assert.equal((await node.list(csrs)).items.length, 1);

    // Everything else is refused with upstream's message.
    await assert.rejects(node.list(core('nodes')), (err: ApiError) => err.code === 403 && err.message === `nodes is forbidden: User "system:bootstrap:${created.id}" cannot list resource "nodes" in API group "" at the cluster scope`);
    await assert.rejects(node.get(core('secrets', 'kube-system'), `bootstrap-token-${created.id}`), (err: ApiError) => err.code === 403 && /cannot get resource "secrets" in API group "" in the namespace "kube-system"/.test(err.message));
    assert.equal(await code(node.update(csrs, csr, 'approval')), 403, 'a bootstrapper may not approve its own request');
    assert.equal(await code(node.delete(csrs, csr.metadata.name)), 403);

    // A wrong secret, and a deleted (revoked) token, are refused at once.
    assert.equal(await code(as(`${created.id}.0000000000000000`).list(csrs)), 401);
    await deleteBootstrapToken(api.client, created.token!);
    assert.equal(await code(node.list(csrs)), 401);
    await assert.rejects(deleteBootstrapToken(api.client, created.id), /bootstrap token "[a-z0-9]{6}" not found/);

    // Expired, or not meant for authentication: refused.
    const expired = await createBootstrapToken(api.client, { ttlSeconds: 60, now: new Date(Date.now() - 120_000) });
    assert.equal(await code(as(expired.token!).list(csrs)), 401);
    const signingOnly = await createBootstrapToken(api.client, { ttlSeconds: 3600 });
    await api.client.patch(core('secrets', 'kube-system'), `bootstrap-token-${signingOnly.id}`, { data: { 'usage-bootstrap-authentication': Buffer.from('false').toString('base64') } });
    assert.equal(await code(as(signingOnly.token!).list(csrs)), 401);
    // Tokens that are not bootstrap-shaped are not looked up at all.
    assert.equal(await code(as('not-a-bootstrap-token').list(csrs)), 401);
  } finally {
    for (const c of clients) c.close();
    await api.stop();
  }
});

test('anonymous users may read kube-public/cluster-info and nothing else', async () => {
  const api = await startTestApiServer();
  try {
    const info = await anonymousGet(api, '/api/v1/namespaces/kube-public/configmaps/cluster-info');
    assert.equal(info.status, 200);
    const kubeconfig = JSON.parse(info.body).data.kubeconfig as string;
    assert.match(kubeconfig, new RegExp(`server: ${api.url.replace(/\./g, '\\.')}`));
    assert.match(kubeconfig, new RegExp(Buffer.from(api.pki.ca.cert).toString('base64').slice(0, 40)));
    assert.doesNotMatch(kubeconfig, /token|client-key/);
    assert.equal((await anonymousGet(api, '/api/v1/namespaces/kube-public/configmaps')).status, 401);
    assert.equal((await anonymousGet(api, '/api/v1/namespaces/default/configmaps/cluster-info')).status, 401);
    assert.equal((await anonymousGet(api, '/healthz')).status, 200);
  } finally {
    await api.stop();
  }
});
