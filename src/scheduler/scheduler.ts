// The scheduler: watches pods, nodes and the volume objects, takes pending pods one at a time,
// picks a node with the plugins of framework.ts, and binds the pod through pods/binding. A pod
// no node fits gets upstream's FailedScheduling event and PodScheduled=False condition, and is
// tried again when the cluster changes. It reaches the cluster only through the API.
//
// Leader election will wrap this: start() once the lease is won, stop() when it is lost. The
// constructor does nothing; start() may be called again after stop().
import { ApiClient, core, type ResourceRef } from '../client/client.js';
import { EventRecorder } from '../client/events.js';
import { Informer, objectKeyOf } from '../client/informer.js';
import type { KubeObject } from '../api/types.js';
import { isTerminal, SchedulerCache } from './cache.js';
import { fitErrorMessage, NO_NODES_AVAILABLE, type Plugin, schedulePod } from './framework.js';
import { defaultPlugins } from './plugins/index.js';
import { podClaims, volumeDecisions, ANN_SELECTED_NODE, type VolumeDecisions } from './plugins/volumebinding.js';
import { preemptionMessage } from './preemption.js';
import { type QueuedPod, type QueueOptions, SchedulingQueue, type Timers } from './queue.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition, StorageClass } from './types.js';
import { podKey } from './types.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** Events carry at most this much message (upstream's note length limit). */
const MAX_EVENT_MESSAGE = 1024;

export interface SchedulerOptions {
  /** The spec.schedulerName this scheduler serves, and the component its events name. */
  schedulerName?: string;
  now?: () => Date;
  timers?: Timers;
  /** Breaks ties between equally scored nodes. */
  random?: () => number;
  plugins?: readonly Plugin[];
  queue?: QueueOptions;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function truncateMessage(message: string): string {
  return message.length <= MAX_EVENT_MESSAGE ? message : `${message.slice(0, MAX_EVENT_MESSAGE - 4)} ...`;
}

/** Items of a list response may lack apiVersion and kind; an Event's involvedObject needs them. */
const asPod = (pod: Pod): Pod => ({ ...pod, apiVersion: 'v1', kind: 'Pod' });

const hasSpreadingRules = (pod: Pod) => !!(pod.spec.affinity?.podAffinity || pod.spec.affinity?.podAntiAffinity || pod.spec.topologySpreadConstraints?.length);

/** The parts of a Node whose change can make a pending pod fit; heartbeats change none of them. */
function nodeSchedulingView(node: Node): string {
  return JSON.stringify([
    node.metadata.labels,
    node.spec?.taints,
    node.spec?.unschedulable,
    node.status?.allocatable,
    (node.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`),
  ]);
}

interface Running {
  pods: Informer<Pod>;
  nodes: Informer<Node>;
  pvcs: Informer<PersistentVolumeClaim>;
  pvs: Informer<PersistentVolume>;
  storageClasses: Informer<StorageClass>;
  namespaces: Informer<KubeObject>;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  /** Volumes promised to claims of pods being bound, until the PV informer shows the claimRef. */
  reservedVolumes: Map<string, PersistentVolumeClaim>;
  active: boolean;
}

export class Scheduler {
  readonly schedulerName: string;
  private readonly now: () => Date;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly plugins: readonly Plugin[];
  private readonly events: EventRecorder;
  private state?: Running;
  private looping = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly client: ApiClient, private readonly opts: SchedulerOptions = {}) {
    this.schedulerName = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.now = opts.now ?? (() => new Date());
    this.timers = opts.timers ?? realTimers;
    this.random = opts.random ?? Math.random;
    this.plugins = opts.plugins ?? defaultPlugins;
    this.events = new EventRecorder(client, this.schedulerName, undefined, this.now);
  }

  /** Starts watching; resolves once the caches are filled and scheduling has begun. */
  async start(): Promise<void> {
    if (this.state) return;
    const informer = <T extends KubeObject>(ref: ResourceRef) => new Informer<T>(this.client, ref);
    const pvs = informer<PersistentVolume>(core('persistentvolumes'));
    const reservedVolumes = new Map<string, PersistentVolumeClaim>();
    const withReservation = (pv: PersistentVolume): PersistentVolume => {
      const claim = reservedVolumes.get(pv.metadata.name ?? '');
      if (!claim || pv.spec?.claimRef) return pv;
      return { ...pv, spec: { ...pv.spec, claimRef: { namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid } } };
    };
    const pvcs = informer<PersistentVolumeClaim>(core('persistentvolumeclaims'));
    const storageClasses = informer<StorageClass>({ group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' });
    const namespaces = informer<KubeObject>(core('namespaces'));
    const cache = new SchedulerCache({
      namespaceLabels: (ns) => namespaces.get(ns)?.metadata.labels,
      pvc: (ns, name) => pvcs.get(`${ns}/${name}`),
      pv: (name) => {
        const pv = pvs.get(name);
        return pv && withReservation(pv);
      },
      pvs: () => pvs.list().map(withReservation),
      storageClass: (name) => storageClasses.get(name),
    });
    const state: Running = {
      pods: informer<Pod>(core('pods')),
      nodes: informer<Node>(core('nodes')),
      pvcs,
      pvs,
      storageClasses,
      namespaces,
      cache,
      queue: new SchedulingQueue(() => this.now().getTime(), this.timers, () => this.kick(), this.opts.queue),
      reservedVolumes,
      active: false,
    };
    this.state = state;
    this.watch(state);
    const informers = [state.pods, state.nodes, pvcs, pvs, storageClasses, namespaces];
    for (const i of informers) i.start();
    await Promise.all(informers.map((i) => i.waitForSync()));
    if (this.state !== state) return;
    state.active = true;
    this.kick();
  }

  stop(): void {
    const state = this.state;
    if (!state) return;
    this.state = undefined;
    state.active = false;
    state.queue.close();
    for (const i of [state.pods, state.nodes, state.pvcs, state.pvs, state.storageClasses, state.namespaces]) i.stop();
  }

  /** Resolves when no pod is ready to schedule and every binding and status write has finished. */
  async settled(): Promise<void> {
    while (this.looping || (this.state?.active && this.state.queue.activeCount > 0) || this.pending.size > 0) {
      await Promise.race([...this.pending, new Promise((r) => setImmediate(r))]);
    }
  }

  private responsible(pod: Pod): boolean {
    return (
      !pod.spec.nodeName &&
      (pod.spec.schedulerName || DEFAULT_SCHEDULER_NAME) === this.schedulerName &&
      !pod.metadata.deletionTimestamp &&
      !isTerminal(pod) &&
      !(pod.spec.schedulingGates?.length)
    );
  }

  private watch(s: Running): void {
    const { cache, queue } = s;
    s.pods.on({
      add: (pod) => this.podChanged(s, undefined, pod),
      update: (old, pod) => this.podChanged(s, old, pod),
      delete: (pod) => {
        const key = podKey(pod);
        queue.delete(key);
        if (pod.spec.nodeName || cache.isAssumed(key)) {
          cache.removePod(key);
          queue.moveAll();
        }
      },
    });
    s.nodes.on({
      add: (node) => {
        cache.setNode(node);
        queue.moveAll();
      },
      update: (old, node) => {
        cache.setNode(node);
        if (nodeSchedulingView(old) !== nodeSchedulingView(node)) queue.moveAll();
      },
      delete: (node) => cache.removeNode(node.metadata.name ?? ''),
    });
    const volumesChanged = () => queue.moveAll();
    s.pvcs.on({ add: volumesChanged, update: volumesChanged });
    s.storageClasses.on({ add: volumesChanged, update: volumesChanged });
    s.pvs.on({
      add: volumesChanged,
      update: (_old, pv) => {
        if (pv.spec?.claimRef) s.reservedVolumes.delete(pv.metadata.name ?? '');
        volumesChanged();
      },
      delete: (pv) => s.reservedVolumes.delete(pv.metadata.name ?? ''),
    });
    s.namespaces.on({
      update: (old, ns) => {
        if (JSON.stringify(old.metadata.labels) !== JSON.stringify(ns.metadata.labels)) queue.moveAll();
      },
    });
  }

  private podChanged(s: Running, old: Pod | undefined, pod: Pod): void {
    const key = podKey(pod);
    s.cache.setPod(pod);
    if (pod.spec.nodeName) {
      s.queue.delete(key);
      if (isTerminal(pod)) {
        if (old && !isTerminal(old)) s.queue.moveAll();
      } else if (!old?.spec.nodeName) {
        // A newly placed pod can only help pods that want to be near it or spread against it.
        s.queue.moveAll(hasSpreadingRules);
      } else if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) {
        s.queue.moveAll();
      }
      return;
    }
    if (this.responsible(pod)) {
      if (!s.cache.isAssumed(key) || s.queue.has(key)) s.queue.add(pod);
    } else {
      s.queue.delete(key);
    }
  }

  /** Runs the scheduling loop, one pod per turn of the event loop so watch events interleave. */
  private kick(): void {
    if (!this.state?.active || this.looping) return;
    this.looping = true;
    setImmediate(() => this.loop());
  }

  private loop(): void {
    const s = this.state;
    const qp = s?.active ? s.queue.pop() : undefined;
    if (!s || !qp) {
      this.looping = false;
      return;
    }
    try {
      this.scheduleOne(s, qp);
    } catch (err) {
      this.fail(s, qp, 'SchedulerError', (err as Error).message);
    }
    setImmediate(() => this.loop());
  }

  private scheduleOne(s: Running, qp: QueuedPod): void {
    const pod = s.pods.get(qp.key);
    if (!pod || !this.responsible(pod)) {
      s.queue.done(qp.key);
      return;
    }
    qp.pod = pod;
    // Upstream treats an empty cluster as unschedulable (not an error): the pod waits for a node.
    if (s.cache.nodes.length === 0) {
      this.fail(s, qp, 'Unschedulable', NO_NODES_AVAILABLE);
      return;
    }
    const decision = schedulePod(pod, s.cache, this.plugins, this.random);
    if (decision.node === undefined) {
      this.fail(s, qp, 'Unschedulable', fitErrorMessage(decision.diagnosis, preemptionMessage(pod, s.cache, decision.diagnosis, this.plugins)));
      return;
    }
    const volumes = this.reserveVolumes(s, pod, decision.node);
    s.cache.assume(pod, decision.node);
    this.track(this.bind(s, qp, pod, decision.node, volumes));
  }

  /** Claims of WaitForFirstConsumer classes: which volume or provisioning each gets on the chosen node. */
  private reserveVolumes(s: Running, pod: Pod, nodeName: string): VolumeDecisions | undefined {
    const claims = podClaims(pod, s.cache);
    const node = s.cache.node(nodeName);
    if (typeof claims === 'string' || claims.delayed.length === 0 || !node) return undefined;
    const decisions = volumeDecisions(claims, node, s.cache);
    for (const { claim, volume } of decisions.bindings) s.reservedVolumes.set(volume.metadata.name ?? '', claim);
    return decisions;
  }

  private async bind(s: Running, qp: QueuedPod, pod: Pod, nodeName: string, volumes: VolumeDecisions | undefined): Promise<void> {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    try {
      if (volumes) await this.bindVolumes(volumes, nodeName);
    } catch (err) {
      this.bindFailed(s, qp, pod, volumes, `running PreBind plugin "VolumeBinding": ${(err as Error).message}`);
      return;
    }
    try {
      await this.client.request('POST', ApiClient.path(core('pods', namespace), name, 'binding'), {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
    } catch (err) {
      this.bindFailed(s, qp, pod, volumes, `running Bind plugin "DefaultBinder": ${(err as Error).message}`);
      return;
    }
    s.queue.done(qp.key);
    this.events.record(asPod(pod), 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
  }

  private bindFailed(s: Running, qp: QueuedPod, pod: Pod, volumes: VolumeDecisions | undefined, message: string): void {
    s.cache.forget(pod);
    for (const { volume } of volumes?.bindings ?? []) s.reservedVolumes.delete(volume.metadata.name ?? '');
    this.fail(s, qp, 'SchedulerError', message);
  }

  /** What upstream's VolumeBinding PreBind writes: claimRefs on chosen static volumes, selected-node on claims to provision. */
  private async bindVolumes(volumes: VolumeDecisions, nodeName: string): Promise<void> {
    for (const { claim, volume } of volumes.bindings) {
      if (volume.spec?.claimRef?.uid === claim.metadata.uid) continue;
      const claimRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion };
      await this.client.patch(core('persistentvolumes'), volume.metadata.name ?? '', { metadata: { annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } }, spec: { claimRef } });
    }
    for (const claim of volumes.provision) {
      if (claim.metadata.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
      await this.client.patch(core('persistentvolumeclaims', claim.metadata.namespace), claim.metadata.name ?? '', { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } } });
    }
  }

  /**
   * Records a failed attempt as upstream does: a FailedScheduling event every time (repeats
   * aggregate into one Event's count), PodScheduled=False with the same message when it
   * changed, and the pod back in the queue. A pod deleted or bound meanwhile is left alone.
   */
  private fail(s: Running, qp: QueuedPod, reason: 'Unschedulable' | 'SchedulerError', message: string): void {
    const pod = s.pods.get(qp.key);
    if (!pod || pod.spec.nodeName || pod.metadata.uid !== qp.pod.metadata.uid) {
      s.queue.done(qp.key);
      return;
    }
    if (reason === 'Unschedulable') s.queue.unschedulableFailed(qp);
    else s.queue.errorFailed(qp);
    this.events.record(asPod(pod), 'Warning', 'FailedScheduling', truncateMessage(message));
    this.track(this.setScheduledCondition(pod, reason, message));
  }

  private async setScheduledCondition(pod: Pod, reason: string, message: string): Promise<void> {
    const conditions = pod.status?.conditions ?? [];
    const old = conditions.find((c) => c.type === 'PodScheduled');
    if (old && old.status === 'False' && old.reason === reason && old.message === message) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(this.now()),
      reason,
      message,
    };
    const next = old ? conditions.map((c) => (c === old ? condition : c)) : [...conditions, condition];
    try {
      await this.client.patch(core('pods', pod.metadata.namespace), pod.metadata.name ?? '', { status: { conditions: next } }, 'merge', { subresource: 'status' });
    } catch (err) {
      if (process.env.UNYO_DEBUG) console.error(`scheduler: PodScheduled condition of ${objectKeyOf(pod)}: ${(err as Error).message}`);
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
