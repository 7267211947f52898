import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxSurge, maxUnavailable, minAvailable, resolveFenceposts, scaledValue } from './fenceposts.js';
import { deployment } from './testing.js';

const cases: Array<{ surge: number | string | undefined; unavailable: number | string | undefined; desired: number; want: { surge: number; unavailable: number } | undefined }> = [
  { surge: '25%', unavailable: '25%', desired: 10, want: { surge: 3, unavailable: 2 } }, // 2.5 up, 2.5 down
  { surge: '25%', unavailable: '25%', desired: 3, want: { surge: 1, unavailable: 0 } },
  { surge: '25%', unavailable: '25%', desired: 1, want: { surge: 1, unavailable: 0 } },
  { surge: 0, unavailable: '25%', desired: 3, want: { surge: 0, unavailable: 1 } }, // both 0 -> one may be unavailable
  { surge: 0, unavailable: 0, desired: 5, want: { surge: 0, unavailable: 1 } },
  { surge: '0%', unavailable: '10%', desired: 5, want: { surge: 0, unavailable: 1 } },
  { surge: 1, unavailable: 0, desired: 3, want: { surge: 1, unavailable: 0 } },
  { surge: '100%', unavailable: '100%', desired: 4, want: { surge: 4, unavailable: 4 } },
  { surge: '120%', unavailable: 0, desired: 5, want: { surge: 6, unavailable: 0 } },
  { surge: '50%', unavailable: '50%', desired: 0, want: { surge: 0, unavailable: 1 } },
  { surge: undefined, unavailable: undefined, desired: 3, want: { surge: 0, unavailable: 1 } },
  { surge: 'lots', unavailable: 1, desired: 3, want: undefined },
  { surge: '5', unavailable: 1, desired: 3, want: undefined },
];

for (const c of cases) {
  test(`resolveFenceposts(${c.surge}, ${c.unavailable}, ${c.desired})`, () => {
    assert.deepEqual(resolveFenceposts(c.surge, c.unavailable, c.desired), c.want);
  });
}

test('scaled values: percentages round up for surge and down for unavailability', () => {
  assert.equal(scaledValue('33%', 10, true), 4);
  assert.equal(scaledValue('33%', 10, false), 3);
  assert.equal(scaledValue(7, 10, false), 7);
  assert.equal(scaledValue(undefined, 10, false), 0);
});

test('maxUnavailable never exceeds replicas; Recreate has no surge or unavailability', () => {
  assert.equal(maxUnavailable(deployment(2, { maxSurge: 0, maxUnavailable: 5 })), 2);
  assert.equal(maxUnavailable(deployment(0, { maxSurge: 1, maxUnavailable: 1 })), 0);
  assert.equal(minAvailable(deployment(10, { maxSurge: 3, maxUnavailable: 2 })), 8);
  const recreate = deployment(5, { strategy: 'Recreate' });
  assert.equal(maxSurge(recreate), 0);
  assert.equal(maxUnavailable(recreate), 0);
  assert.equal(minAvailable(recreate), 0);
});
