// Recording core v1 Events about objects, as client-go's event recorder does: repeated
// events (same object, reason and message) update the count of one Event instead of
// creating new ones. Failures to record are logged, never thrown: events are best effort.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../api/types.js';
import { ApiClient, core } from './client.js';

export class EventRecorder {
  private readonly seen = new Map<string, { name: string; count: number; first: string }>();

  constructor(private readonly client: ApiClient, private readonly component: string, private readonly host?: string, private readonly now: () => Date = () => new Date()) {}

  /** Writes of one event key in flight: a repeat waits for the first, so it counts instead of creating a second Event. */
  private readonly inFlight = new Map<string, Promise<void>>();

  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const key = `${obj.metadata.uid}/${reason}/${message}/${fieldPath ?? ''}`;
    const run = (this.inFlight.get(key) ?? Promise.resolve())
      .then(() => this.write(obj, type, reason, message, fieldPath))
      .catch((err) => {
        if (process.env.UNYO_DEBUG) console.error(`event ${reason}: ${(err as Error).message}`);
      });
    this.inFlight.set(key, run);
    void run.then(() => {
      if (this.inFlight.get(key) === run) this.inFlight.delete(key);
    });
  }

  private async write(obj: KubeObject, type: string, reason: string, message: string, fieldPath?: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const involvedObject: Record<string, unknown> = { apiVersion: obj.apiVersion ?? 'v1', kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion };
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    const key = `${obj.metadata.uid}/${reason}/${message}/${fieldPath ?? ''}`;
    const ts = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const prior = this.seen.get(key);
    const source: Record<string, string> = { component: this.component };
    if (this.host) source.host = this.host;
    if (prior) {
      prior.count++;
      try {
        await this.client.patch(core('events', namespace), prior.name, { count: prior.count, lastTimestamp: ts }, 'merge');
        return;
      } catch {
        this.seen.delete(key);
      }
    }
    const name = `${obj.metadata.name}.${createHash('sha1').update(key + ts + Math.random()).digest('hex').slice(0, 16)}`;
    await this.client.create(core('events', namespace), {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      type,
      source,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
    } as any);
    this.seen.set(key, { name, count: 1, first: ts });
    if (this.seen.size > 4096) this.seen.delete(this.seen.keys().next().value!);
  }
}
