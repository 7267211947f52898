import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slowStartBatch } from './slowstart.js';

/** Calls `slowStartBatch`, recording how many calls ran in each batch; call number `failAt` (1-based) fails. */
async function run(count: number, failAt?: number): Promise<{ batches: number[]; successes: number; error?: string }> {
  const batches: number[] = [];
  let inBatch = 0;
  let calls = 0;
  const result = await slowStartBatch(count, 1, async () => {
    if (inBatch === 0) queueMicrotask(() => (batches.push(inBatch), (inBatch = 0)));
    inBatch++;
    calls++;
    if (calls === failAt) throw new Error(`call ${calls} failed`);
  });
  return result.error ? { batches, successes: result.successes, error: result.error.message } : { batches, successes: result.successes };
}

const cases: Array<{ name: string; count: number; failAt?: number; want: { batches: number[]; successes: number; error?: string } }> = [
  { name: 'batches double: 1, 2, 4, then the rest', count: 10, want: { batches: [1, 2, 4, 3], successes: 10 } },
  { name: 'a single Pod', count: 1, want: { batches: [1], successes: 1 } },
  { name: 'nothing to do', count: 0, want: { batches: [], successes: 0 } },
  { name: 'the first call fails: nothing more is tried', count: 100, failAt: 1, want: { batches: [1], successes: 0, error: 'call 1 failed' } },
  { name: 'a failure in the third batch stops after it', count: 20, failAt: 5, want: { batches: [1, 2, 4], successes: 6, error: 'call 5 failed' } },
];

for (const c of cases) {
  test(`slowStartBatch: ${c.name}`, async () => {
    assert.deepEqual(await run(c.count, c.failAt), c.want);
  });
}
