// Node lifecycle (upstream's node-lifecycle controller with its taint-based eviction): a
// node whose Lease is not renewed within the grace period has its conditions set to Unknown
// and gets the node.kubernetes.io/unreachable taints; Pods on it that do not tolerate the
// NoExecute taint (or whose tolerationSeconds have run out) are deleted so their
// controllers can replace them. A node that renews again loses the taints.
import { outOfServiceTaint } from '../podgc/controller.js';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { ApiClient, core } from '../../client/client.js';
import { Informer } from '../../client/informer.js';
import { EventRecorder } from '../../client/events.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { resources } from '../runtime/informers.js';

/**
 * Node monitor grace and check period per profile (upstream: 40 s and 5 s). The fast profile
 * (drills and demos on one machine, where an agent that stops renewing is a dead process)
 * also declares a node out of service once it has been unreachable for the fast eviction
 * toleration, 5 s: see below.
 */
const timers = { default: { nodeMonitorGraceSeconds: 40, periodSeconds: 5 }, fast: { nodeMonitorGraceSeconds: 8, periodSeconds: 1, outOfServiceAfterSeconds: 5 } };

export const nodeLifecycle: ControllerDescriptor = {
  name: 'nodelifecycle',
  setup: (ctx) => new NodeLifecycleController(ctx, timers[ctx.profile]),
};

export interface NodeLifecycleOptions {
  /** How long a Lease may go unrenewed before the node is declared Unknown (upstream 40 s). */
  nodeMonitorGraceSeconds: number;
  /** How often nodes are checked (upstream 5 s). */
  periodSeconds: number;
  /**
   * Taint a node that has been unreachable this long `node.kubernetes.io/out-of-service`
   * (value `nodeshutdown`, NoExecute), and take the taint off when it is Ready again. Upstream
   * leaves that taint to an operator who knows the node is down (non-graceful node shutdown);
   * with it, PodGC force-deletes the node's terminating Pods so a StatefulSet can replace them.
   * Unset (the default profile): never, as upstream.
   */
  outOfServiceAfterSeconds?: number;
}

const unreachable = 'node.kubernetes.io/unreachable';
const notReady = 'node.kubernetes.io/not-ready';
const rfc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class NodeLifecycleController {
  private readonly client: ApiClient;
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private timer?: NodeJS.Timeout;
  private readonly now: () => Date;
  private readonly events: EventRecorder;
  private running = false;

  constructor(ctx: ControllerContext, private readonly opts: NodeLifecycleOptions) {
    this.client = ctx.client;
    this.now = () => new Date(ctx.clock.now());
    this.nodes = ctx.informers.get(resources.nodes);
    this.leases = ctx.informers.get(resources.leases);
    this.pods = ctx.informers.get(resources.pods);
    this.events = ctx.recorder('node-controller');
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.periodSeconds * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const node of this.nodes.list()) await this.checkNode(node as any).catch((err) => console.error(`node ${node.metadata.name}: ${(err as Error).message}`));
      await this.evictPods();
    } finally {
      this.running = false;
    }
  }

  private async checkNode(node: any): Promise<void> {
    const name = node.metadata.name;
    const lease = this.leases.get(`kube-node-lease/${name}`) as any;
    const renewed = Date.parse(lease?.spec?.renewTime ?? node.metadata.creationTimestamp);
    const now = this.now();
    const stale = now.getTime() - renewed > this.opts.nodeMonitorGraceSeconds * 1000;
    const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    if (stale && ready?.status !== 'Unknown') {
      const conditions = (node.status?.conditions ?? []).map((c: any) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc(now) }));
      node = await this.client.patch(core('nodes'), name, { status: { conditions } }, 'merge', { subresource: 'status' });
      this.events.record({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: node.metadata.uid } }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    }
    const taints: any[] = node.spec?.taints ?? [];
    const tainted = taints.some((t) => t.key === unreachable);
    let next: any[] | undefined;
    const auto = this.opts.outOfServiceAfterSeconds;
    const outOfService = taints.some((t) => t.key === outOfServiceTaint);
    const unreachableSince = Date.parse(taints.find((t) => t.key === unreachable && t.effect === 'NoExecute')?.timeAdded ?? '');
    if (stale && !tainted) next = [...taints.filter((t) => t.key !== notReady), { key: unreachable, effect: 'NoSchedule', timeAdded: rfc(now) }, { key: unreachable, effect: 'NoExecute', timeAdded: rfc(now) }];
    else if (stale && auto !== undefined && !outOfService && now.getTime() - unreachableSince >= auto * 1000) {
      next = [...taints, { key: outOfServiceTaint, value: 'nodeshutdown', effect: 'NoExecute', timeAdded: rfc(now) }];
      this.events.record({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: node.metadata.uid } }, 'Warning', 'NodeOutOfService', `Node ${name} has been unreachable for ${auto}s: tainted ${outOfServiceTaint} so its Pods can be replaced elsewhere`);
    } else if (!stale && (tainted || (auto !== undefined && outOfService)) && ready?.status === 'True') {
      next = taints.filter((t) => t.key !== unreachable && t.key !== notReady && !(auto !== undefined && t.key === outOfServiceTaint && t.value === 'nodeshutdown'));
    }
    if (!next) return;
    // The taint list is replaced whole: the resourceVersion makes a write from a stale view fail
    // (409) instead of dropping taints someone else added meanwhile; the next check retries.
    const patch = { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: next.length ? next : null } };
    await this.client.patch(core('nodes'), name, patch, 'merge').catch((err) => {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    });
  }

  /** Taint-based eviction: delete Pods on NoExecute-tainted nodes once their toleration runs out. */
  private async evictPods(): Promise<void> {
    const now = this.now().getTime();
    for (const pod of this.pods.list() as any[]) {
      const nodeName = pod.spec?.nodeName;
      if (!nodeName || pod.metadata.deletionTimestamp) continue;
      const node = this.nodes.get(nodeName) as any;
      const noExecute = (node?.spec?.taints ?? []).filter((t: any) => t.effect === 'NoExecute');
      let deadline = Infinity;
      let evictNow = false;
      for (const taint of noExecute) {
        const tol = (pod.spec.tolerations ?? []).find((t: any) => tolerates(t, taint));
        if (!tol) {
          evictNow = true;
          break;
        }
        if (tol.tolerationSeconds !== undefined && tol.tolerationSeconds !== null) {
          deadline = Math.min(deadline, Date.parse(taint.timeAdded ?? new Date(now).toISOString()) + Math.max(0, tol.tolerationSeconds) * 1000);
        }
      }
      if (!evictNow && !(deadline <= now)) continue;
      this.events.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      // Upstream marks the Pod before deleting it, so its controller (and a Job's pod failure policy) knows why it went.
      const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc(new Date(now)) };
      await this.client.patch(core('pods', pod.metadata.namespace), pod.metadata.name, { status: { conditions: [condition] } }, 'strategic', { subresource: 'status' }).catch(() => undefined);
      await this.client.delete(core('pods', pod.metadata.namespace), pod.metadata.name, { preconditions: { uid: pod.metadata.uid } }).catch(() => undefined);
    }
  }
}

/** Whether a toleration matches a taint (key/operator/value/effect), as upstream's ToleratesTaint. */
export function tolerates(tol: any, taint: any): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.operator === 'Exists') return !tol.key || tol.key === taint.key;
  return tol.key === taint.key && (tol.value ?? '') === (taint.value ?? '');
}
