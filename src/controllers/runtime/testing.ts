// Helpers for controller tests: wait for a condition the cluster reaches on its own
// (a readiness wait, never a fixed sleep), and a stand-in for the scheduler and node agents.
import type { KubeObject } from '../../api/types.js';
import { ApiClient, core } from '../../client/client.js';
import { Informer } from '../../client/informer.js';

/** Poll `check` until it returns a truthy value (or throw after `timeoutMs` with `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<Awaited<T>>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Stands in for the scheduler and the node agents in controller tests: binds each Pod to the
 * node its `metadata.name` affinity names (or `defaultNode`), reports bound Pods Running and
 * — when `ready(pod)` says so — Ready, and finishes the graceful deletion of Pods an agent
 * would have stopped. Everything goes through the API, as the real components do.
 */
export class FakeKubelet {
  /** Which Pods turn Ready once running; change it to hold Pods back. */
  ready: (pod: KubeObject) => boolean = () => true;
  private readonly informer: Informer;
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();

  constructor(private readonly client: ApiClient, private readonly opts: { defaultNode?: string } = {}) {
    this.informer = new Informer(client, core('pods'));
    const kick = (pod: KubeObject) => void this.handle(pod);
    this.informer.on({ add: kick, update: (_, pod) => kick(pod) });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  stop(): void {
    this.informer.stop();
  }

  /** Re-examine every Pod (after changing `ready`). */
  resync(): void {
    for (const pod of this.informer.list()) void this.handle(pod);
  }

  private async handle(pod: KubeObject): Promise<void> {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (this.busy.has(key)) {
      this.again.add(key);
      return;
    }
    this.busy.add(key);
    try {
      await this.step(pod);
    } catch {
      // The next event about the Pod tries again.
    } finally {
      this.busy.delete(key);
    }
    // Events that came in meanwhile: look again at the Pod as the cache has it now.
    if (this.again.delete(key)) {
      const latest = this.informer.get(key);
      if (latest) void this.handle(latest);
    }
  }

  private async step(pod: KubeObject): Promise<void> {
    const ref = core('pods', pod.metadata.namespace);
    const spec = pod.spec as any;
    if (pod.metadata.deletionTimestamp) {
      await this.client.delete(ref, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      return;
    }
    if (!spec.nodeName) {
      const pinned = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.find((f: any) => f.key === 'metadata.name')?.values?.[0];
      const node = pinned ?? this.opts.defaultNode;
      if (!node) return;
      await this.client.request('POST', ApiClient.path(ref, pod.metadata.name!, 'binding'), { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name, uid: pod.metadata.uid }, target: { kind: 'Node', name: node } });
      return;
    }
    const status = (pod.status ?? {}) as any;
    const wantReady = this.ready(pod);
    const isReady = (status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    if (status.phase === 'Running' && isReady === wantReady) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const readyStatus = wantReady ? 'True' : 'False';
    await this.client.patch(ref, pod.metadata.name!, {
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: readyStatus, lastTransitionTime: now },
          { type: 'Ready', status: readyStatus, lastTransitionTime: now },
        ],
      },
    }, 'merge', { subresource: 'status' });
  }
}
