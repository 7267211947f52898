import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repackSubsets } from './subsets.js';

const a = (ip: string) => ({ ip, targetRef: { kind: 'Pod', namespace: 'ns', name: ip, uid: ip } });
const port = (name: string, p: number) => ({ name, port: p, protocol: 'TCP' });

test('repackSubsets', () => {
  const cases = [
    {
      name: 'one port, ready and not ready, sorted by IP',
      entries: [{ address: a('127.64.0.10'), ready: true, port: port('http', 80) }, { address: a('127.64.0.9'), ready: true, port: port('http', 80) }, { address: a('127.64.0.2'), ready: false, port: port('http', 80) }],
      want: [{ addresses: [a('127.64.0.9'), a('127.64.0.10')], notReadyAddresses: [a('127.64.0.2')], ports: [port('http', 80)] }],
    },
    {
      name: 'ports reaching the same addresses share a subset',
      entries: [{ address: a('127.64.0.1'), ready: true, port: port('b', 81) }, { address: a('127.64.0.1'), ready: true, port: port('a', 80) }],
      want: [{ addresses: [a('127.64.0.1')], ports: [port('a', 80), port('b', 81)] }],
    },
    {
      name: 'a named port resolving differently per Pod splits the subsets',
      entries: [{ address: a('127.64.0.1'), ready: true, port: port('http', 8080) }, { address: a('127.64.0.2'), ready: true, port: port('http', 9090) }],
      want: [{ addresses: [a('127.64.0.1')], ports: [port('http', 8080)] }, { addresses: [a('127.64.0.2')], ports: [port('http', 9090)] }],
    },
    { name: 'headless without ports', entries: [{ address: a('127.64.0.1'), ready: true }], want: [{ addresses: [a('127.64.0.1')] }] },
    { name: 'nothing', entries: [], want: [] },
  ];
  for (const c of cases) assert.deepEqual(repackSubsets(c.entries), c.want, c.name);
});
