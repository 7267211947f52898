import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidates, parseResolver } from './resolver.js';

test('search list expansion as libc does it', () => {
  const r = parseResolver('nameserver 127.16.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
  assert.deepEqual(r.nameservers, ['127.16.0.10']);
  assert.equal(r.ndots, 5);
  assert.deepEqual(candidates('web', r), ['web.shop.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web']);
  assert.deepEqual(candidates('web.default', r).slice(0, 2), ['web.default.shop.svc.cluster.local', 'web.default.svc.cluster.local']);
  assert.deepEqual(candidates('web.default.svc.cluster.local.', r), ['web.default.svc.cluster.local']);
  const few = parseResolver('nameserver 1.2.3.4\nsearch a.example\noptions ndots:1');
  assert.deepEqual(candidates('example.com', few), ['example.com', 'example.com.a.example']);
});
