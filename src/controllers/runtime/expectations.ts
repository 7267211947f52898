// Controller expectations (upstream ControllerExpectations): after a controller asks for N
// Pods to be created or deleted, its informer cache lags behind for a moment; until the cache
// has seen those N changes, a new reconcile must not act on the stale count (it would create
// or delete the same Pods twice). Expectations expire after five minutes so a lost watch event
// cannot wedge a controller forever.
import { systemClock, type Clock } from './clock.js';

const ttlMs = 5 * 60_000;

interface Expectation {
  adds: number;
  /** UIDs whose deletion has been asked for and not yet seen. */
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** Whether the cache has caught up with what the controller asked for (or the wait expired). */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.at > ttlMs;
  }

  expectCreations(key: string, n: number): void {
    this.expect(key, n, []);
  }

  expectDeletions(key: string, uids: string[]): void {
    this.expect(key, 0, uids);
  }

  /** Creations and deletions asked for in one pass (a DaemonSet may do both at once). */
  expect(key: string, adds: number, deleteUids: string[]): void {
    this.byKey.set(key, { adds, deletes: new Set(deleteUids), at: this.clock.now() });
  }

  /** A create was seen in the cache, or failed and will not be. */
  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.adds--;
  }

  /** A delete was seen in the cache, or failed and will not be. */
  deletionObserved(key: string, uid: string): void {
    this.byKey.get(key)?.deletes.delete(uid);
  }

  /** The controller is gone: drop what it waited for. */
  forget(key: string): void {
    this.byKey.delete(key);
  }
}
