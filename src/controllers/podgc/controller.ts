// Pod garbage collection (upstream pkg/controller/podgc), every check period:
// - terminating Pods on a node that is not Ready and carries the
//   `node.kubernetes.io/out-of-service` taint are force-deleted (nothing runs them any more, so
//   their controllers may replace them: a StatefulSet Pod comes back on another node);
// - Pods bound to a node that no longer exists are force-deleted (after a quarantine, in case
//   the node object is only being re-created);
// - terminating Pods that were never scheduled are force-deleted;
// - terminated Pods beyond `terminatedPodThreshold` are deleted, oldest first.
// A Pod still running is first given the DisruptionTarget condition (reason DeletionByPodGC).
import { ApiError } from '../../api/errors.js';
import { ApiClient, core } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { KubeObject } from '../../api/types.js';
import type { Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { resources } from '../runtime/informers.js';

export const outOfServiceTaint = 'node.kubernetes.io/out-of-service';

export const podGC: ControllerDescriptor = {
  name: 'podgc',
  setup: (ctx) => new PodGCController(ctx, ctx.profile === 'fast' ? { periodMs: 1000, quarantineMs: 5000 } : { periodMs: 20_000, quarantineMs: 40_000 }),
};

export interface PodGCOptions {
  /** How often Pods are checked (upstream gcCheckPeriod: 20 s). */
  periodMs: number;
  /** How long a Pod's node must stay missing before the Pod goes (upstream quarantineTime: 40 s). */
  quarantineMs: number;
  /** Terminated Pods kept before the oldest are deleted (upstream --terminated-pod-gc-threshold: 12500). */
  terminatedPodThreshold?: number;
}

type Pod = KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string; conditions?: Array<Record<string, unknown>> } };

const isTerminated = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export class PodGCController {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<KubeObject>;
  private timer: unknown;
  private running = false;
  /** When each missing node was first seen missing. */
  private readonly missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext, private readonly opts: PodGCOptions) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.pods = ctx.informers.get<Pod>(resources.pods);
    this.nodes = ctx.informers.get(resources.nodes);
  }

  start(): void {
    const loop = () => {
      this.timer = this.clock.setTimeout(() => {
        void this.gc().finally(loop);
      }, this.opts.periodMs);
    };
    loop();
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
  }

  /** One pass; exported for tests. */
  async gc(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const pods = this.pods.list();
      await this.gcTerminatingOutOfService(pods);
      await this.gcOrphaned(pods);
      await this.gcUnscheduledTerminating(pods);
      await this.gcTerminated(pods);
    } finally {
      this.running = false;
    }
  }

  private async gcTerminatingOutOfService(pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      if (!pod.metadata.deletionTimestamp || !pod.spec?.nodeName) continue;
      const node = this.nodes.get(pod.spec.nodeName) as any;
      if (!node) continue;
      const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      const outOfService = (node.spec?.taints ?? []).some((t: any) => t.key === outOfServiceTaint && t.effect === 'NoExecute');
      if (ready?.status === 'True' || !outOfService) continue;
      await this.forceDelete(pod, `its node ${pod.spec.nodeName} is out of service`);
    }
  }

  private async gcOrphaned(pods: Pod[]): Promise<void> {
    const now = this.clock.now();
    const missing = new Set<string>();
    for (const pod of pods) {
      const nodeName = pod.spec?.nodeName;
      if (!nodeName || this.nodes.get(nodeName)) continue;
      missing.add(nodeName);
      if (!this.missingSince.has(nodeName)) this.missingSince.set(nodeName, now);
      if (now - this.missingSince.get(nodeName)! < this.opts.quarantineMs) continue;
      // The informer may lag: a live read decides.
      const exists = await this.client.get(core('nodes'), nodeName).then(
        () => true,
        (err) => !(err instanceof ApiError && err.code === 404),
      );
      if (exists) continue;
      await this.forceDelete(pod, `its node ${nodeName} does not exist`);
    }
    for (const name of this.missingSince.keys()) if (!missing.has(name)) this.missingSince.delete(name);
  }

  private async gcUnscheduledTerminating(pods: Pod[]): Promise<void> {
    for (const pod of pods) if (pod.metadata.deletionTimestamp && !pod.spec?.nodeName) await this.forceDelete(pod, 'it was never scheduled');
  }

  private async gcTerminated(pods: Pod[]): Promise<void> {
    const threshold = this.opts.terminatedPodThreshold ?? 12_500;
    const terminated = pods.filter((p) => isTerminated(p) && !p.metadata.deletionTimestamp);
    if (terminated.length <= threshold) return;
    terminated.sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? ''));
    for (const pod of terminated.slice(0, terminated.length - threshold)) {
      await this.client.delete(core('pods', pod.metadata.namespace), pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } }).catch(() => undefined);
    }
  }

  /** Mark a Pod that has not finished with DisruptionTarget, then delete it with no grace period. */
  private async forceDelete(pod: Pod, why: string): Promise<void> {
    const ns = pod.metadata.namespace!;
    if (!isTerminated(pod) && !(pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget')) {
      const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: `PodGC: ${why}`, lastTransitionTime: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') };
      await this.client.patch(core('pods', ns), pod.metadata.name!, { status: { conditions: [condition] } }, 'strategic', { subresource: 'status' }).catch(() => undefined);
    }
    console.log(`podgc: force-deleting ${ns}/${pod.metadata.name}: ${why}`);
    await this.client.delete(core('pods', ns), pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }).catch((err) => {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    });
  }
}
