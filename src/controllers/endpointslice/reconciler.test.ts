import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcileSlices, type Slice } from './reconciler.js';

const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }];
const ep = (n: number, ready = true) => ({ addresses: [`127.64.0.${n}`], conditions: { ready }, targetRef: { kind: 'Pod', name: `p${n}`, uid: `u${n}` } });
const slice = (name: string, endpoints: ReturnType<typeof ep>[], p = ports): Slice => ({ metadata: { name }, addressType: 'IPv4', endpoints, ports: p });
const fresh = (p: any[]) => ({ metadata: { generateName: 'svc-' }, addressType: 'IPv4', ports: p });
const same = (s: Slice) => s.metadata;
const names = (slices: Slice[]) => slices.map((s) => s.metadata.name ?? 'new');

test('reconcileSlices', () => {
  const cases: Array<{ name: string; existing: Slice[]; desired: Array<{ ports: any[]; endpoints: any[] }>; max?: number; create: number[][]; update: Record<string, number[]>; del: string[] }> = [
    { name: 'nothing yet: one slice', existing: [], desired: [{ ports, endpoints: [ep(1), ep(2)] }], create: [[1, 2]], update: {}, del: [] },
    { name: 'unchanged: no writes', existing: [slice('a', [ep(1), ep(2)])], desired: [{ ports, endpoints: [ep(1), ep(2)] }], create: [], update: {}, del: [] },
    { name: 'readiness change rewrites only its slice', existing: [slice('a', [ep(1), ep(2)]), slice('b', [ep(3)])], desired: [{ ports, endpoints: [ep(1), ep(2, false), ep(3)] }], create: [], update: { a: [1, 2] }, del: [] },
    { name: 'a new endpoint fills a slice with room', existing: [slice('a', [ep(1)])], desired: [{ ports, endpoints: [ep(1), ep(2)] }], create: [], update: { a: [1, 2] }, del: [] },
    { name: 'past the maximum a new slice is made', existing: [slice('a', [ep(1), ep(2)])], desired: [{ ports, endpoints: [ep(1), ep(2), ep(3)] }], max: 2, create: [[3]], update: {}, del: [] },
    { name: 'a slice left empty goes', existing: [slice('a', [ep(1)]), slice('b', [ep(2)])], desired: [{ ports, endpoints: [ep(1)] }], create: [], update: {}, del: ['b'] },
    { name: 'changed ports: new slices, old ones go', existing: [slice('a', [ep(1)])], desired: [{ ports: [{ name: 'http', port: 9090, protocol: 'TCP' }], endpoints: [ep(1)] }], create: [[1]], update: {}, del: ['a'] },
    { name: 'no endpoints: one empty placeholder', existing: [slice('a', [ep(1)]), slice('b', [ep(2)])], desired: [], create: [[]], update: {}, del: ['a', 'b'] },
    { name: 'placeholder kept', existing: [slice('p', [], [])], desired: [], create: [], update: {}, del: [] },
    { name: 'placeholder replaced once endpoints come', existing: [slice('p', [], [])], desired: [{ ports, endpoints: [ep(1)] }], create: [[1]], update: {}, del: ['p'] },
  ];
  for (const c of cases) {
    const out = reconcileSlices(c.existing, c.desired, c.max ?? 100, fresh, same);
    const num = (s: Slice) => (s.endpoints ?? []).map((e: any) => Number(e.targetRef.name.slice(1)));
    assert.deepEqual(out.create.map(num), c.create, `${c.name}: create`);
    assert.deepEqual(Object.fromEntries(out.update.map((s) => [s.metadata.name, num(s)])), c.update, `${c.name}: update`);
    assert.deepEqual(names(out.delete), c.del, `${c.name}: delete`);
  }
});
