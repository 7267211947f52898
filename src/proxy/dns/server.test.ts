// The DNS server over real UDP and TCP sockets on loopback: cluster names answered, other
// names forwarded to an upstream (a fake one on loopback), Node's own resolver as the client.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { Resolver } from 'node:dns/promises';
import { DNSServer, hostNameservers } from './server.js';
import { ClusterDNS, type DNSView } from './cluster.js';
import { decode, encode, emptyMessage, TYPE, CLASS_IN } from './wire.js';
import type { KubeObject } from '../../api/types.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const web = { metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '127.16.1.5', clusterIPs: ['127.16.1.5'], ports: [{ name: 'http', port: 80 }] } } as unknown as KubeObject;
const view: DNSView = {
  service: (ns, name) => (ns === 'default' && name === 'web' ? web : undefined),
  slicesOf: () => [],
  serviceByIP: () => undefined,
  endpointByIP: () => undefined,
};

let upstream: dgram.Socket;
let server: DNSServer;
let port: number;
before(async () => {
  // A fake upstream that knows one name.
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    const q = decode(msg);
    const reply = { ...emptyMessage(q.id), response: true, questions: q.questions, answers: [] as any[] };
    if (q.questions[0].name === 'example.test') reply.answers.push({ name: 'example.test', type: TYPE.A, class: CLASS_IN, ttl: 60, data: { kind: 'A', address: '127.99.0.1' } });
    else (reply as any).rcode = 3;
    upstream.send(encode(reply), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  server = new DNSServer({ address: '127.0.0.1', port: 0, cluster: new ClusterDNS(view), upstreams: [`127.0.0.1:${upstream.address().port}`] });
  port = (await server.start()).port;
});
after(() => {
  server.stop();
  upstream.close();
});

test('Node\'s resolver gets cluster names from the server and other names through it', async () => {
  // Generous timeouts: a loaded machine may answer slowly.
  const r = new Resolver({ timeout: 10_000, tries: 3 });
  r.setServers([`127.0.0.1:${port}`]);
  assert.deepEqual(await r.resolve4('web.default.svc.cluster.local'), ['127.16.1.5']);
  await assert.rejects(r.resolve4('nope.default.svc.cluster.local'), (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND');
  assert.deepEqual(await r.resolve4('example.test'), ['127.99.0.1']);
  assert.deepEqual(await r.resolveSrv('_http._tcp.web.default.svc.cluster.local'), [{ name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
});

test('TCP: length-prefixed messages, several on one connection', async () => {
  const query = (id: number) => encode({ ...emptyMessage(id), recursionDesired: true, questions: [{ name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }] });
  const frame = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
  const sock = net.connect(port, '127.0.0.1');
  sock.write(Buffer.concat([frame(query(1)), frame(query(2))]));
  const replies: number[] = [];
  let buf = Buffer.alloc(0);
  await new Promise<void>((resolve) =>
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const m = decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        replies.push(m.id);
        assert.deepEqual(m.answers.map((a) => a.data), [{ kind: 'A', address: '127.16.1.5' }]);
        assert.equal(m.authoritative, true);
      }
      if (replies.length === 2) resolve();
    }),
  );
  sock.destroy();
  assert.deepEqual(replies.sort(), [1, 2]);
});

test('garbage gets FORMERR; the host resolv.conf nameservers are read without our own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unyo-dns-'));
  writeFileSync(join(dir, 'resolv.conf'), '# comment\nnameserver 127.16.0.10\nnameserver 127.0.0.53\nsearch example\noptions ndots:2\n');
  assert.deepEqual(hostNameservers(join(dir, 'resolv.conf'), ['127.16.0.10']), ['127.0.0.53']);
  return server.handle(Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 1]), true).then((reply) => {
    const m = decode(reply!);
    assert.equal(m.id, 9);
    assert.equal(m.rcode, 1);
  });
});
