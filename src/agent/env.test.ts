import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { serviceEnv } from './env.js';

const svc = (ns: string, name: string, spec: Record<string, unknown>) => ({ metadata: { namespace: ns, name }, spec }) as unknown as KubeObject;
const services = [
  svc('default', 'kubernetes', { clusterIP: '127.16.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
  svc('shop', 'web-front', { clusterIP: '127.16.1.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('shop', 'db', { clusterIP: 'None', ports: [{ port: 5432 }] }),
  svc('other', 'elsewhere', { clusterIP: '127.16.1.9', ports: [{ port: 1 }] }),
];
const pod = (ns: string, enableServiceLinks?: boolean) => ({ metadata: { namespace: ns, name: 'p' }, spec: { enableServiceLinks } }) as unknown as KubeObject;

test('service environment variables as the kubelet makes them', () => {
  const env = serviceEnv(pod('shop'), services);
  assert.deepEqual(env, {
    KUBERNETES_SERVICE_HOST: '127.16.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://127.16.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://127.16.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '127.16.0.1',
    WEB_FRONT_SERVICE_HOST: '127.16.1.5',
    WEB_FRONT_SERVICE_PORT: '80',
    WEB_FRONT_SERVICE_PORT_HTTP: '80',
    WEB_FRONT_SERVICE_PORT_DNS: '53',
    WEB_FRONT_PORT: 'tcp://127.16.1.5:80',
    WEB_FRONT_PORT_80_TCP: 'tcp://127.16.1.5:80',
    WEB_FRONT_PORT_80_TCP_PROTO: 'tcp',
    WEB_FRONT_PORT_80_TCP_PORT: '80',
    WEB_FRONT_PORT_80_TCP_ADDR: '127.16.1.5',
    WEB_FRONT_PORT_53_UDP: 'udp://127.16.1.5:53',
    WEB_FRONT_PORT_53_UDP_PROTO: 'udp',
    WEB_FRONT_PORT_53_UDP_PORT: '53',
    WEB_FRONT_PORT_53_UDP_ADDR: '127.16.1.5',
  });
  assert.deepEqual(Object.keys(serviceEnv(pod('shop', false), services)).filter((k) => !k.startsWith('KUBERNETES_')), [], 'enableServiceLinks: false keeps only kubernetes');
  assert.equal(serviceEnv(pod('default'), services).KUBERNETES_SERVICE_HOST, '127.16.0.1');
});
