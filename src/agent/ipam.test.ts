import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PodIPAllocator } from './ipam.js';

test('pod addresses: unique per Pod, kept across restarts, and different first addresses for different data directories', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unyo-ipam-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = new PodIPAllocator(join(dir, 'a', '..', 'pod-ips-a.json'), 0);
  const ip1 = a.allocate('pod-1');
  const ip2 = a.allocate('pod-2');
  assert.match(ip1, /^127\.64\.\d+\.\d+$/);
  assert.notEqual(ip1, ip2);
  assert.equal(a.allocate('pod-1'), ip1);
  const restarted = new PodIPAllocator(join(dir, 'a', '..', 'pod-ips-a.json'), 0);
  assert.equal(restarted.allocate('pod-2'), ip2);
  const firsts = new Set(['b', 'c', 'd', 'e'].map((n) => new PodIPAllocator(join(dir, `pod-ips-${n}.json`), 0).allocate('pod-1')));
  assert.ok(firsts.size > 1, `every data directory started at ${[...firsts]}`);
  a.release('pod-1');
  assert.notEqual(a.allocate('pod-3'), ip2);
});
