import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { ClusterDNS, type DNSView } from './cluster.js';
import { RCODE, TYPE, CLASS_IN } from './wire.js';

const svc = (ns: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec }) as KubeObject;
const services = [
  svc('default', 'web', { clusterIP: '127.16.1.5', clusterIPs: ['127.16.1.5'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
  svc('default', 'db', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'pg', port: 5432, targetPort: 5432, protocol: 'TCP' }] }),
  svc('default', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
];
const slices: Record<string, KubeObject[]> = {
  'default/db': [
    {
      metadata: { name: 'db-x', namespace: 'default' },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['127.64.0.5'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['127.65.0.6'], hostname: 'db-1', conditions: { ready: true } },
        { addresses: ['127.66.0.7'], hostname: 'db-2', conditions: { ready: false } },
      ],
    } as unknown as KubeObject,
  ],
};
const view: DNSView = {
  service: (ns, name) => services.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
  slicesOf: (ns, name) => slices[`${ns}/${name}`] ?? [],
  serviceByIP: (ip) => services.find((s) => (s.spec as any).clusterIP === ip),
  endpointByIP: (ip) => (ip === '127.64.0.5' ? { service: services[1], hostname: 'db-0' } : undefined),
};
const dns = new ClusterDNS(view, 'cluster.local');
const ask = (name: string, type: number = TYPE.A) => dns.answer({ name, type, class: CLASS_IN });
const data = (name: string, type: number = TYPE.A) => ask(name, type).answers.map((a) => a.data);

test('cluster names', () => {
  const cases: Array<{ name: string; type?: number; rcode: number; want: unknown[] }> = [
    { name: 'web.default.svc.cluster.local', rcode: RCODE.NOERROR, want: [{ kind: 'A', address: '127.16.1.5' }] },
    { name: 'WEB.Default.svc.cluster.local.', rcode: RCODE.NOERROR, want: [{ kind: 'A', address: '127.16.1.5' }] },
    { name: 'web.default.svc.cluster.local', type: TYPE.AAAA, rcode: RCODE.NOERROR, want: [] },
    { name: 'db.default.svc.cluster.local', rcode: RCODE.NOERROR, want: [{ kind: 'A', address: '127.64.0.5' }, { kind: 'A', address: '127.65.0.6' }] },
    { name: 'db-1.db.default.svc.cluster.local', rcode: RCODE.NOERROR, want: [{ kind: 'A', address: '127.65.0.6' }] },
    { name: '127-64-0-5.db.default.svc.cluster.local', rcode: RCODE.NOERROR, want: [{ kind: 'A', address: '127.64.0.5' }] },
    { name: 'db-2.db.default.svc.cluster.local', rcode: RCODE.NXDOMAIN, want: [] },
    { name: 'x.web.default.svc.cluster.local', rcode: RCODE.NXDOMAIN, want: [] },
    { name: 'nope.default.svc.cluster.local', rcode: RCODE.NXDOMAIN, want: [] },
    { name: 'web.other.svc.cluster.local', rcode: RCODE.NXDOMAIN, want: [] },
    { name: 'ext.default.svc.cluster.local', rcode: RCODE.NOERROR, want: [{ kind: 'CNAME', target: 'example.com' }] },
    { name: '127-64-1-2.default.pod.cluster.local', rcode: RCODE.NOERROR, want: [{ kind: 'A', address: '127.64.1.2' }] },
    { name: 'default.svc.cluster.local', rcode: RCODE.NOERROR, want: [] },
    { name: 'web.default.cluster.local', rcode: RCODE.NXDOMAIN, want: [] },
    { name: '_http._tcp.web.default.svc.cluster.local', type: TYPE.SRV, rcode: RCODE.NOERROR, want: [{ kind: 'SRV', priority: 0, weight: 100, port: 8080, target: 'web.default.svc.cluster.local' }] },
    { name: '_pg._tcp.db.default.svc.cluster.local', type: TYPE.SRV, rcode: RCODE.NOERROR, want: [{ kind: 'SRV', priority: 0, weight: 50, port: 5432, target: 'db-0.db.default.svc.cluster.local' }, { kind: 'SRV', priority: 0, weight: 50, port: 5432, target: 'db-1.db.default.svc.cluster.local' }] },
    { name: '_nope._tcp.web.default.svc.cluster.local', type: TYPE.SRV, rcode: RCODE.NXDOMAIN, want: [] },
    { name: '5.1.16.127.in-addr.arpa', type: TYPE.PTR, rcode: RCODE.NOERROR, want: [{ kind: 'PTR', target: 'web.default.svc.cluster.local' }] },
    { name: '5.0.64.127.in-addr.arpa', type: TYPE.PTR, rcode: RCODE.NOERROR, want: [{ kind: 'PTR', target: 'db-0.db.default.svc.cluster.local' }] },
  ];
  for (const c of cases) {
    const a = ask(c.name, c.type);
    assert.equal(a.rcode, c.rcode, `${c.name}: rcode`);
    assert.deepEqual(a.answers.map((x) => x.data), c.want, c.name);
    if (a.answers.length === 0) assert.equal(a.authorities[0]?.type, TYPE.SOA, `${c.name}: negative answers carry the SOA`);
  }
  assert.equal(data('db.default.svc.cluster.local').length, 2, 'not-ready endpoints are left out');
});

test('which names are the cluster\'s', () => {
  assert.equal(dns.owns('web.default.svc.cluster.local'), true);
  assert.equal(dns.owns('cluster.local'), true);
  assert.equal(dns.owns('example.com'), false);
  assert.equal(dns.owns('5.1.16.127.in-addr.arpa'), true);
  assert.equal(dns.owns('8.8.8.8.in-addr.arpa'), false);
});
