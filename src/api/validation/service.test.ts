import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../types.js';
import { check, meta, stored } from './testing.js';

function service(mutate?: (s: Record<string, any>) => void): KubeObject {
  const s: Record<string, any> = { apiVersion: 'v1', kind: 'Service', metadata: meta('web', 'default'), spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
  mutate?.(s);
  return s as KubeObject;
}

const cases: Array<{ name: string; mutate: (s: Record<string, any>) => void; want: string[] }> = [
  { name: 'valid', mutate: () => {}, want: [] },
  {
    name: 'name must be a DNS-1035 label',
    mutate: (s) => (s.metadata.name = '1web'),
    want: ["metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
  },
  { name: 'no ports', mutate: (s) => (s.spec.ports = []), want: ['spec.ports: Required value'] },
  { name: 'headless without ports', mutate: (s) => ((s.spec.ports = []), (s.spec.clusterIP = 'None')), want: [] },
  { name: 'port out of range', mutate: (s) => (s.spec.ports = [{ port: 0, targetPort: 80 }]), want: ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'] },
  { name: 'second port without a name', mutate: (s) => (s.spec.ports = [{ name: 'http', port: 80 }, { port: 443 }]), want: ['spec.ports[1].name: Required value'] },
  { name: 'duplicate port names', mutate: (s) => (s.spec.ports = [{ name: 'http', port: 80 }, { name: 'http', port: 81 }]), want: ['spec.ports[1].name: Duplicate value: "http"'] },
  { name: 'duplicate ports', mutate: (s) => (s.spec.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 80 }]), want: ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}'] },
  { name: 'unknown type', mutate: (s) => (s.spec.type = 'Internal'), want: ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'] },
  { name: 'nodePort on ClusterIP', mutate: (s) => (s.spec.ports[0].nodePort = 30080), want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"] },
  {
    name: 'nodePort out of range',
    mutate: (s) => ((s.spec.type = 'NodePort'), (s.spec.ports[0].nodePort = 80)),
    want: ['spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767'],
  },
  { name: 'bad target port name', mutate: (s) => (s.spec.ports[0].targetPort = 'web_port'), want: ['spec.ports[0].targetPort: Invalid value: "web_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'] },
  { name: 'ExternalName needs a name', mutate: (s) => ((s.spec = { type: 'ExternalName' })), want: ['spec.externalName: Required value'] },
  { name: 'ExternalName ok', mutate: (s) => ((s.spec = { type: 'ExternalName', externalName: 'db.example.com.' })), want: [] },
  { name: 'clusterIP not an IP', mutate: (s) => (s.spec.clusterIP = '10.0.0.300'), want: ['spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
  { name: 'session affinity', mutate: (s) => (s.spec.sessionAffinity = 'Cookie'), want: ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"'] },
  { name: 'external traffic policy on ClusterIP', mutate: (s) => (s.spec.externalTrafficPolicy = 'Local'), want: ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'] },
];

for (const c of cases) {
  test(`service: ${c.name}`, () => assert.deepEqual(check('Service', service(c.mutate)), c.want));
}

test('service update: the cluster IP may not change', () => {
  const old = stored(service((s) => (s.spec.clusterIP = '10.96.0.10')));
  check('Service', old);
  const next = stored(old) as Record<string, any>;
  next.spec.clusterIP = '10.96.0.11';
  next.spec.clusterIPs = ['10.96.0.11'];
  assert.deepEqual(check('Service', next as KubeObject, old), ['spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set']);
});
