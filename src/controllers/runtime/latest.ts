// The newest known version of objects a controller both watches and writes (upstream's PV
// and snapshot controllers keep the same "storeObjectUpdate" cache): right after a write the
// informer still shows the old version, and acting on it would repeat the write and fail
// with a conflict. Objects the controller wrote are remembered until the informer catches up.
import type { KubeObject } from '../../api/types.js';
import { objectKeyOf, type Informer } from '../../client/informer.js';

const version = (o: KubeObject) => BigInt(o.metadata.resourceVersion || '0');

export class LatestCache<T extends KubeObject> {
  private readonly written = new Map<string, T>();

  constructor(private readonly informer: Informer<T>) {
    informer.on({
      update: (_old, obj) => this.caughtUp(obj),
      add: (obj) => this.caughtUp(obj),
      delete: (obj) => this.written.delete(objectKeyOf(obj)),
    });
  }

  private caughtUp(obj: T): void {
    const key = objectKeyOf(obj);
    const mine = this.written.get(key);
    if (mine && version(mine) <= version(obj)) this.written.delete(key);
  }

  /** Remember an object the API server returned after this controller wrote it. */
  store(obj: T): T {
    const key = objectKeyOf(obj);
    const cached = this.informer.get(key);
    if (!cached || version(obj) > version(cached)) this.written.set(key, obj);
    return obj;
  }

  get(key: string): T | undefined {
    const cached = this.informer.get(key);
    const mine = this.written.get(key);
    if (mine && (!cached || version(mine) > version(cached)) && mine.metadata.uid === (cached?.metadata.uid ?? mine.metadata.uid)) return mine;
    return cached;
  }

  list(namespace?: string): T[] {
    return this.informer.list(namespace).map((o) => this.get(objectKeyOf(o)) ?? o);
  }
}
