// Slow-start batching (upstream slowStartBatch): call `fn` `count` times in batches of 1, 2,
// 4, ... running each batch in parallel, and stop after the first batch with a failure. A
// ReplicaSet that cannot create Pods (quota, admission) then sends one failing request, not
// hundreds, and records one event rather than a flood.
export interface SlowStartResult {
  successes: number;
  /** The first error of the failed batch, if any. */
  error?: Error;
}

export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0].reason as Error };
    remaining -= batch;
  }
  return { successes };
}
