import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, encodeForUdp, emptyMessage, ipv6Bytes, TYPE, CLASS_IN, FormatError, type Message } from './wire.js';

test('a query as dig sends it decodes (bytes written by hand)', () => {
  // id 0x1234, RD, one question web.default.svc.cluster.local A IN
  const name = ['web', 'default', 'svc', 'cluster', 'local'].map((l) => [l.length, ...Buffer.from(l)]).flat();
  const raw = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...name, 0, 0, 1, 0, 1]);
  const m = decode(raw);
  assert.equal(m.id, 0x1234);
  assert.equal(m.recursionDesired, true);
  assert.equal(m.response, false);
  assert.deepEqual(m.questions, [{ name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }]);
  assert.deepEqual(encode(m), raw, 'encodes back to the same bytes');
});

test('records round-trip: A, AAAA, CNAME, PTR, SRV, SOA', () => {
  const m: Message = {
    ...emptyMessage(7),
    response: true,
    authoritative: true,
    rcode: 3,
    questions: [{ name: 'x.cluster.local', type: TYPE.ANY, class: CLASS_IN }],
    answers: [
      { name: 'a.x', type: TYPE.A, class: CLASS_IN, ttl: 5, data: { kind: 'A', address: '127.16.0.10' } },
      { name: 'a.x', type: TYPE.AAAA, class: CLASS_IN, ttl: 5, data: { kind: 'AAAA', address: '2001:db8:0:0:0:0:0:1' } },
      { name: 'c.x', type: TYPE.CNAME, class: CLASS_IN, ttl: 5, data: { kind: 'CNAME', target: 'example.com' } },
      { name: '10.0.16.127.in-addr.arpa', type: TYPE.PTR, class: CLASS_IN, ttl: 5, data: { kind: 'PTR', target: 'kube-dns.kube-system.svc.cluster.local' } },
      { name: '_http._tcp.web', type: TYPE.SRV, class: CLASS_IN, ttl: 5, data: { kind: 'SRV', priority: 0, weight: 100, port: 8080, target: 'web.default.svc.cluster.local' } },
    ],
    authorities: [{ name: 'cluster.local', type: TYPE.SOA, class: CLASS_IN, ttl: 5, data: { kind: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } }],
  };
  assert.deepEqual(decode(encode(m)), m);
});

test('compression pointers are followed; loops and truncation are format errors', () => {
  // Question "a.b" at offset 12, answer name = pointer to 12.
  const raw = Buffer.from([0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0x61, 1, 0x62, 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 9, 0, 4, 127, 0, 0, 1]);
  const m = decode(raw);
  assert.equal(m.answers[0].name, 'a.b');
  assert.deepEqual(m.answers[0].data, { kind: 'A', address: '127.0.0.1' });
  const loop = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(() => decode(loop), FormatError);
  assert.throws(() => decode(raw.subarray(0, raw.length - 2)), FormatError);
});

test('UDP answers over the limit lose additionals, then answers with TC set', () => {
  const many: Message = { ...emptyMessage(1), response: true, questions: [{ name: 'h.x', type: TYPE.A, class: CLASS_IN }] };
  for (let i = 0; i < 60; i++) many.answers.push({ name: 'h.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN, ttl: 5, data: { kind: 'A', address: `127.64.0.${i}` } });
  const out = decode(encodeForUdp(many, 512));
  assert.equal(out.truncated, true);
  assert.equal(out.answers.length, 0);
  assert.equal(decode(encodeForUdp(many, 4096)).answers.length, 60);
});

test('ipv6 addresses with ::', () => {
  assert.equal(ipv6Bytes('::1').toString('hex'), '00000000000000000000000000000001');
  assert.equal(ipv6Bytes('fe80::1:2').toString('hex'), 'fe800000000000000000000000010002');
});
