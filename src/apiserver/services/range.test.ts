import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIDRRange, PortRange, formatIPv4, parseIPv4 } from './range.js';

test('service CIDR: usable addresses, bands and offsets', () => {
  const cases = [
    { cidr: '127.16.0.0/16', text: '127.16.0.0/16', size: 65534, dynamicStart: 256, first: '127.16.0.1', last: '127.16.255.254' },
    { cidr: '10.96.0.7/24', text: '10.96.0.0/24', size: 254, dynamicStart: 16, first: '10.96.0.1', last: '10.96.0.254' },
    { cidr: '192.168.0.0/28', text: '192.168.0.0/28', size: 14, dynamicStart: 0, first: '192.168.0.1', last: '192.168.0.14' },
  ];
  for (const c of cases) {
    const r = new CIDRRange(c.cidr);
    assert.equal(r.text, c.text, c.cidr);
    assert.equal(r.size, c.size, c.cidr);
    assert.equal(r.dynamicStart, c.dynamicStart, c.cidr);
    assert.equal(r.at(0), c.first, c.cidr);
    assert.equal(r.at(r.size - 1), c.last, c.cidr);
    assert.equal(r.offsetOf(c.first), 0);
    assert.equal(r.offsetOf(c.last), r.size - 1);
  }
  const r = new CIDRRange('127.16.0.0/16');
  for (const outside of ['127.16.0.0', '127.16.255.255', '127.17.0.1', '10.0.0.1', 'nonsense', '127.16.0.256']) assert.equal(r.offsetOf(outside), -1, outside);
  assert.throws(() => new CIDRRange('127.16.0.0'), /invalid service CIDR/);
});

test('ipv4 parse and format round-trip', () => {
  for (const ip of ['0.0.0.0', '127.16.0.10', '255.255.255.255', '10.96.0.1']) assert.equal(formatIPv4(parseIPv4(ip)!), ip);
  for (const bad of ['1.2.3', '1.2.3.4.5', '1.2.3.x', '300.1.1.1']) assert.equal(parseIPv4(bad), undefined, bad);
});

test('node port range', () => {
  const r = new PortRange(30000, 2768);
  assert.equal(r.text, '30000-32767');
  assert.equal(r.at(0), '30000');
  assert.equal(r.offsetOf('32767'), 2767);
  assert.equal(r.offsetOf('32768'), -1);
  assert.equal(r.offsetOf('29999'), -1);
});
