import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeConfig } from './server.js';

test('storeConfig: sqlite by default; etcd needs endpoints given as URLs', () => {
  assert.deepEqual(storeConfig('sqlite', '/d'), { driver: 'sqlite', dataDir: '/d' });
  assert.throws(() => storeConfig('etcd', '/d'), /--store etcd needs --etcd-endpoints/);
  assert.throws(() => storeConfig('etcd', '/d', { etcdEndpoints: '127.0.0.1:2379' }), /is not a URL/);
  assert.throws(() => storeConfig('sqlite', '/d', { etcdEndpoints: 'http://a:1' }), /need --store etcd/);
  assert.throws(() => storeConfig('mysql', '/d'), /--store must be sqlite or etcd/);
  assert.deepEqual(storeConfig('etcd', '/d', { etcdEndpoints: 'http://a:1, http://b:2' }), { driver: 'etcd', endpoints: ['http://a:1', 'http://b:2'] });
});

test('storeConfig: https endpoints read the CA, certificate and key files; misuse is one clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unyo-storeconfig-'));
  try {
    for (const f of ['ca.crt', 'c.crt', 'c.key']) writeFileSync(join(dir, f), `PEM of ${f}`);
    const files = { etcdCafile: join(dir, 'ca.crt'), etcdCertfile: join(dir, 'c.crt'), etcdKeyfile: join(dir, 'c.key') };
    assert.deepEqual(storeConfig('etcd', '/d', { etcdEndpoints: 'https://a:1', ...files }).tls, { caPem: 'PEM of ca.crt', certPem: 'PEM of c.crt', keyPem: 'PEM of c.key' });
    // https with nothing else: the system's CAs, no client certificate.
    assert.deepEqual(storeConfig('etcd', '/d', { etcdEndpoints: 'https://a:1' }).tls, { caPem: undefined, certPem: undefined, keyPem: undefined });
    assert.throws(() => storeConfig('etcd', '/d', { etcdEndpoints: 'http://a:1', ...files }), /need https:\/\/ endpoints/);
    assert.throws(() => storeConfig('etcd', '/d', { etcdEndpoints: 'https://a:1,http://b:2' }), /not a mix/);
    assert.throws(() => storeConfig('etcd', '/d', { etcdEndpoints: 'https://a:1', etcdCertfile: files.etcdCertfile }), /go together/);
    assert.throws(() => storeConfig('etcd', '/d', { etcdEndpoints: 'https://a:1', etcdCafile: join(dir, 'missing.crt') }), /--etcd-cafile: cannot read .*missing\.crt: ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
