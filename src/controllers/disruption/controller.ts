// The disruption controller (upstream pkg/controller/disruption): keeps each
// PodDisruptionBudget's status current (how many selected Pods are healthy, how many must
// be, how many may be disrupted now), which is what the pods/eviction subresource spends.
// Pods the eviction subresource has just evicted (status.disruptedPods) do not count as
// healthy for two minutes, so a budget cannot be spent twice before the Pod is gone.
// It also clears a Pod's DisruptionTarget condition when the disruption never happened.
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../api/errors.js';
import { fromLabelSelector, matches } from '../../api/labels.js';
import { isObject } from '../../api/types.js';
import { ApiClient, core, type ResourceRef } from '../../client/client.js';
import { EventRecorder } from '../../client/events.js';
import { Informer, objectKeyOf } from '../../client/informer.js';
import type { Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller, type Result } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { isPodReady, podCondition, type Pod } from '../runtime/pods.js';
import { rfc3339 } from '../runtime/clock.js';
import { expectedScale, finders, scaledValue, scaleSubresource } from './scale.js';

export const disruptionController: ControllerDescriptor = {
  name: 'disruption',
  setup: (ctx) => new DisruptionController(ctx),
};

/** How long an evicted Pod may take to disappear before it counts again (upstream DeletionTimeout). */
export const deletionTimeoutMs = 2 * 60_000;
/** How long a DisruptionTarget condition may stand without the Pod being deleted. */
export const stalePodDisruptionTimeoutMs = 2 * 60_000;

const pdbsRef = (namespace?: string): ResourceRef => ({ group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespace });

type PDB = { metadata: any; spec?: any; status?: any };

export class DisruptionController {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly events: EventRecorder;
  private readonly pdbs: Informer<PDB & any>;
  private readonly pods: Informer<Pod>;
  private readonly finders;
  readonly controller: Controller;
  private readonly stalePods: Controller;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.events = ctx.recorder('controllermanager');
    this.pdbs = ctx.informers.get(resources.podDisruptionBudgets);
    this.pods = ctx.informers.get<Pod>(resources.pods);
    this.finders = finders(
      {
        client: ctx.client,
        replicaSets: ctx.informers.get(resources.replicaSets),
        deployments: ctx.informers.get(resources.deployments),
        statefulSets: ctx.informers.get(resources.statefulSets),
        replicationControllers: ctx.informers.get({ group: '', version: 'v1', plural: 'replicationcontrollers' }),
      },
      scaleSubresource(ctx.client),
    );
    this.controller = new Controller('disruption', (key) => this.sync(key), { clock: ctx.clock });
    this.stalePods = new Controller('disruption-stale-pod', (key) => this.syncStalePod(key), { clock: ctx.clock, workers: 1 });
    const enqueue = (pdb: PDB) => this.controller.enqueue(objectKeyOf(pdb as any));
    this.pdbs.on({ add: enqueue, update: (_o, c) => enqueue(c), delete: enqueue });
    this.pods.on({
      add: (pod) => this.podChanged(pod),
      update: (old, cur) => {
        this.podChanged(cur);
        if (!isDeepStrictEqual(old.metadata.labels, cur.metadata.labels)) this.podChanged(old, false);
      },
      delete: (pod) => this.podChanged(pod, false),
    });
  }

  start(): void {
    this.controller.start();
    this.stalePods.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.controller.stop(), this.stalePods.stop()]);
  }

  private podChanged(pod: Pod, live = true): void {
    const pdb = this.pdbForPod(pod);
    if (pdb) this.controller.enqueue(objectKeyOf(pdb as any));
    if (live) {
      const at = this.staleDisruptionAt(pod);
      if (at !== undefined) this.stalePods.enqueueAfter(objectKeyOf(pod), at - this.clock.now());
    }
  }

  /** The PDB that covers a Pod; several is a user error, reported on the Pod. */
  private pdbForPod(pod: Pod): PDB | undefined {
    const matching = this.pdbs.list(pod.metadata.namespace).filter((p: PDB) => isObject(p.spec?.selector) && matches(fromLabelSelector(p.spec.selector), pod.metadata.labels));
    if (matching.length > 1) {
      this.events.record(pod, 'Warning', 'MultiplePodDisruptionBudgets', `Pod "${pod.metadata.namespace}"/"${pod.metadata.name}" matches multiple PodDisruptionBudgets.  Chose "${matching[0].metadata.name}" arbitrarily.`);
    }
    return matching[0];
  }

  private async sync(key: string): Promise<Result | void> {
    const pdb = this.pdbs.get(key) as PDB | undefined;
    if (!pdb) return;
    try {
      return await this.trySync(pdb);
    } catch (err) {
      // A conflict only means our copy is stale: try again without declaring failure.
      if (err instanceof ApiError && err.code === 409) throw err;
      await this.failSafe(pdb, (err as Error).message);
    }
  }

  private async trySync(pdb: PDB): Promise<Result | void> {
    const pods = isObject(pdb.spec?.selector) ? this.pods.list(pdb.metadata.namespace).filter((p) => matches(fromLabelSelector(pdb.spec.selector), p.metadata.labels)) : [];
    if (pods.length === 0) this.events.record(pdb as any, 'Normal', 'NoPods', 'No matching pods found');
    const { expected, desired, unmanaged } = await this.expectedPodCount(pdb, pods);
    if (unmanaged.length > 0) {
      this.events.record(
        pdb as any,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    const now = this.clock.now();
    const { disrupted, recheckAt } = this.disruptedPods(pods, pdb, now);
    const healthy = pods.filter((p) => !p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted && Date.parse(disrupted[p.metadata.name!]) + deletionTimeoutMs > now) && isPodReady(p)).length;
    await this.updateStatus(pdb, healthy, desired, expected, disrupted);
    if (recheckAt !== undefined) return { requeueAfterMs: recheckAt - now };
  }

  /**
   * Pods expected and Pods that must stay healthy. maxUnavailable and a percentage
   * minAvailable are resolved against the controllers' scale; an integer minAvailable against
   * the Pods there are. Example: a Deployment of 5, maxUnavailable 20% → expected 5, one may
   * be unavailable (20% of 5, rounded up), so 4 must stay healthy.
   */
  private async expectedPodCount(pdb: PDB, pods: Pod[]): Promise<{ expected: number; desired: number; unmanaged: string[] }> {
    const { maxUnavailable, minAvailable } = pdb.spec ?? {};
    if (maxUnavailable !== undefined && maxUnavailable !== null) {
      const { expected, unmanaged } = await expectedScale(pods, this.finders);
      return { expected, desired: Math.max(0, expected - scaledValue(maxUnavailable, expected)), unmanaged };
    }
    if (minAvailable !== undefined && minAvailable !== null) {
      if (typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable, unmanaged: [] };
      const { expected, unmanaged } = await expectedScale(pods, this.finders);
      return { expected, desired: scaledValue(minAvailable, expected), unmanaged };
    }
    return { expected: 0, desired: 0, unmanaged: [] };
  }

  /** Evictions still pending (the Pod not yet being deleted, within the timeout), and when the next expires. */
  private disruptedPods(pods: Pod[], pdb: PDB, now: number): { disrupted: Record<string, string>; recheckAt?: number } {
    const recorded: Record<string, string> = pdb.status?.disruptedPods ?? {};
    const disrupted: Record<string, string> = {};
    let recheckAt: number | undefined;
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      const at = recorded[pod.metadata.name!];
      if (!at) continue;
      const expires = Date.parse(at) + deletionTimeoutMs;
      if (expires < now) {
        this.events.record(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`);
        continue;
      }
      disrupted[pod.metadata.name!] = at;
      recheckAt = recheckAt === undefined ? expires : Math.min(recheckAt, expires);
    }
    return { disrupted, recheckAt };
  }

  private async updateStatus(pdb: PDB, currentHealthy: number, desiredHealthy: number, expectedPods: number, disruptedPods: Record<string, string>): Promise<void> {
    // Matching no Pods yet is the safe state: no disruption until the controller has seen some.
    const allowed = expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
    const generation = pdb.metadata.generation ?? 0;
    const status = {
      ...(pdb.status ?? {}),
      currentHealthy,
      desiredHealthy,
      expectedPods,
      disruptionsAllowed: allowed,
      observedGeneration: generation,
      disruptedPods,
    };
    if (Object.keys(disruptedPods).length === 0) delete status.disruptedPods;
    status.conditions = setDisruptionAllowed(status.conditions, allowed > 0, generation, this.clock.now());
    await this.writeStatus(pdb, status);
  }

  /** What a PDB says when its status cannot be computed: no disruptions, and why. */
  private async failSafe(pdb: PDB, message: string): Promise<void> {
    const status = { ...(pdb.status ?? {}), disruptionsAllowed: 0 };
    status.conditions = setCondition(status.conditions, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message, observedGeneration: status.observedGeneration ?? 0 }, this.clock.now());
    await this.writeStatus(pdb, status);
  }

  private async writeStatus(pdb: PDB, status: any): Promise<void> {
    if (isDeepStrictEqual(pdb.status ?? {}, status)) return;
    await this.client.update(pdbsRef(pdb.metadata.namespace), { ...pdb, status } as any, 'status');
  }

  /** When a Pod's DisruptionTarget condition goes stale, if it has one that may. */
  private staleDisruptionAt(pod: Pod): number | undefined {
    const c = podCondition(pod, 'DisruptionTarget');
    if (c?.status !== 'True' || pod.metadata.deletionTimestamp) return undefined;
    return (Date.parse(c.lastTransitionTime ?? '') || this.clock.now()) + stalePodDisruptionTimeoutMs;
  }

  private async syncStalePod(key: string): Promise<Result | void> {
    const pod = this.pods.get(key);
    if (!pod) return;
    const at = this.staleDisruptionAt(pod);
    if (at === undefined) return;
    if (at > this.clock.now()) return { requeueAfterMs: at - this.clock.now() };
    const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'DisruptionTarget' ? { type: 'DisruptionTarget', status: 'False', lastTransitionTime: rfc3339(this.clock.now()) } : c));
    try {
      await this.client.patch(core('pods', pod.metadata.namespace), pod.metadata.name!, { metadata: { resourceVersion: pod.metadata.resourceVersion }, status: { conditions } }, 'merge', { subresource: 'status' });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
}

/** The DisruptionAllowed condition: SufficientPods when a disruption is allowed, else InsufficientPods. */
export function setDisruptionAllowed(conditions: any[] | undefined, allowed: boolean, observedGeneration: number, now: number): any[] {
  return setCondition(conditions, { type: 'DisruptionAllowed', status: allowed ? 'True' : 'False', reason: allowed ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration }, now);
}

/** meta.SetStatusCondition: the transition time moves only when the status does. */
function setCondition(conditions: any[] | undefined, cond: any, now: number): any[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === cond.type);
  if (i < 0) return [...list, { ...cond, lastTransitionTime: rfc3339(now) }];
  const prior = list[i];
  list[i] = { ...cond, lastTransitionTime: prior.status === cond.status && prior.lastTransitionTime ? prior.lastTransitionTime : rfc3339(now) };
  return list;
}
