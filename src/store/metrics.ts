// A Store that times every call of the store under it into a Prometheus registry, under the
// name kube-apiserver uses for its etcd round trips: etcd_request_duration_seconds{operation,type}
// (type: the resource, from the key /registry/<group>/<resource>/...).
import { Histogram, type Registry } from 'prom-client';
import type { KeyValue, ListOptions, ListResult, Store, WatchOptions, Watcher } from './store.js';

export function instrumentStore(store: Store, registry: Registry): Store {
  const duration = new Histogram({
    name: 'etcd_request_duration_seconds',
    help: 'Store request latency in seconds for each operation and object type.',
    labelNames: ['operation', 'type'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const timed = async <T>(operation: string, key: string, call: () => Promise<T>): Promise<T> => {
    const end = duration.startTimer({ operation, type: typeOf(key) });
    try {
      return await call();
    } finally {
      end();
    }
  };
  return {
    currentRevision: () => timed('currentRevision', '', () => store.currentRevision()),
    get: (key: string, revision?: number): Promise<KeyValue | undefined> => timed('get', key, () => store.get(key, revision)),
    list: (prefix: string, options?: ListOptions): Promise<ListResult> => timed('list', prefix, () => store.list(prefix, options)),
    create: (key: string, value: string) => timed('create', key, () => store.create(key, value)),
    update: (key: string, value: string, expected: number) => timed('update', key, () => store.update(key, value, expected)),
    delete: (key: string, expected?: number) => timed('delete', key, () => store.delete(key, expected)),
    watch: (prefix: string, options: WatchOptions): Watcher => store.watch(prefix, options),
    compact: (revision: number) => timed('compact', '', () => store.compact(revision)),
    compactedRevision: () => store.compactedRevision(),
    ...(store.snapshot ? { snapshot: (file: string) => timed('snapshot', '', () => store.snapshot!(file)) } : {}),
    close: () => store.close(),
  };
}

/** The resource a key belongs to: /registry/core/pods/ns/name → pods (upstream labels by Go type). */
function typeOf(key: string): string {
  const parts = key.split('/');
  return parts[1] === 'registry' && parts[3] ? parts[3] : '';
}
