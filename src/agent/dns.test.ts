import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { formatResolvConf, parseResolvConf, podDNS } from './dns.js';

const host = parseResolvConf('# host\nnameserver 10.255.255.53\nnameserver 127.0.0.53\nsearch corp.example\noptions edns0 trust-ad\n');
const cluster = { servers: ['127.16.0.10'], domain: 'cluster.local' };
const pod = (spec: Record<string, unknown>, ns = 'shop') => ({ metadata: { name: 'p', namespace: ns, uid: 'u' }, spec }) as unknown as KubeObject;

test('podDNS per dnsPolicy', () => {
  const cases = [
    { name: 'ClusterFirst by default', pod: pod({}), want: 'nameserver 127.16.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n' },
    { name: 'Default is the node\'s', pod: pod({ dnsPolicy: 'Default' }), want: 'nameserver 10.255.255.53\nnameserver 127.0.0.53\nsearch corp.example\noptions edns0 trust-ad\n' },
    { name: 'ClusterFirst on the host network is the node\'s', pod: pod({ dnsPolicy: 'ClusterFirst', hostNetwork: true }), want: formatResolvConf(host) },
    { name: 'ClusterFirstWithHostNet', pod: pod({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }), want: 'nameserver 127.16.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n' },
    {
      name: 'None with dnsConfig',
      pod: pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['127.0.0.2'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } }),
      want: 'nameserver 127.0.0.2\nsearch a.example\noptions ndots:2 rotate\n',
    },
    { name: 'dnsConfig options override', pod: pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }), want: 'nameserver 127.16.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:1\n' },
  ];
  for (const c of cases) assert.equal(formatResolvConf(podDNS(c.pod, cluster, host).config), c.want, c.name);
  const noDNS = podDNS(pod({}), { servers: [], domain: 'cluster.local' }, host);
  assert.equal(formatResolvConf(noDNS.config), formatResolvConf(host));
  assert.match(noDNS.fallback!, /Falling back to "Default" policy/);
});
