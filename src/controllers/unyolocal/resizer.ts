// The unyo.local resizer (the external-resizer sidecar's role): a bound claim on a unyo.local
// volume whose request grows past its capacity is expanded as upstream records it — status
// Resizing with allocatedResources and ControllerResizeInProgress, the PV's capacity raised,
// then the claim's capacity raised and the resize status cleared. A directory has no
// filesystem of its own to grow on the node, so no FileSystemResizePending step follows:
// capacity is the size the volume is accounted at, not a quota the directory enforces.
import { compareQuantities, quantityError } from '../../api/validation/quantity.js';
import { ApiClient, core } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { EventRecorder } from '../../client/events.js';
import { UNYO_LOCAL_DRIVER, type PersistentVolume, type PersistentVolumeClaim, type PersistentVolumeClaimCondition } from '../../api/volumes.js';
import type { ControllerContext, ControllerDescriptor, Runnable } from '../runtime/context.js';
import { Controller } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { LatestCache } from '../runtime/latest.js';
import { DirectoryStore } from './directories.js';
import { disabled } from './disabled.js';

export const unyoLocalResizer: ControllerDescriptor = {
  name: 'unyo-local-resizer',
  setup: (ctx) => (ctx.volumesDir ? new UnyoLocalResizer(ctx, new DirectoryStore(ctx.volumesDir)) : disabled('unyo-local-resizer')),
};

/** Conditions the resizer owns; others on the claim are kept. */
const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending', 'ControllerResizeError', 'NodeResizeError']);

/** Replace the resize conditions by `wanted`, keeping the transition time of one already there (upstream MergeResizeConditionsOfPVC). */
export function mergeResizeConditions(existing: PersistentVolumeClaimCondition[] = [], wanted: PersistentVolumeClaimCondition[]): PersistentVolumeClaimCondition[] {
  const kept = existing.filter((c) => !RESIZE_CONDITIONS.has(c.type));
  for (const w of wanted) {
    const old = existing.find((c) => c.type === w.type && c.status === w.status);
    kept.push(old ? { ...w, lastTransitionTime: old.lastTransitionTime } : w);
  }
  return kept;
}

export class UnyoLocalResizer implements Runnable {
  private readonly client: ApiClient;
  private readonly claims: LatestCache<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly events: EventRecorder;
  private readonly now: () => string;
  readonly controller: Controller;

  constructor(ctx: ControllerContext, private readonly store: DirectoryStore) {
    this.client = ctx.client;
    const claimInformer = ctx.informers.get<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    this.claims = new LatestCache(claimInformer);
    this.volumes = ctx.informers.get<PersistentVolume>(resources.persistentVolumes);
    this.events = ctx.recorder(`external-resizer ${UNYO_LOCAL_DRIVER}`);
    this.now = () => new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.controller = new Controller('unyo-local-resizer', (key) => this.sync(key), { clock: ctx.clock });
    const enqueue = (c: PersistentVolumeClaim) => this.controller.enqueue(`${c.metadata.namespace}/${c.metadata.name}`);
    claimInformer.on({ add: enqueue, update: (_o, c) => enqueue(c) });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  async sync(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim || claim.status?.phase !== 'Bound' || !claim.spec.volumeName) return;
    const pv = this.volumes.get(claim.spec.volumeName);
    if (!pv || pv.spec.csi?.driver !== UNYO_LOCAL_DRIVER || pv.spec.claimRef?.uid !== claim.metadata.uid) return;
    const requested = claim.spec.resources?.requests?.storage;
    const capacity = claim.status.capacity?.storage;
    if (requested === undefined || capacity === undefined || quantityError(requested) || quantityError(capacity)) return;
    if (compareQuantities(requested, capacity) <= 0) return;
    await this.expand(claim, pv, requested);
  }

  private async expand(claim: PersistentVolumeClaim, pv: PersistentVolume, size: string | number): Promise<void> {
    const ref = core('persistentvolumeclaims', claim.metadata.namespace);
    // markControllerResizeInProgress
    let current = claim;
    const inProgress = claim.status?.allocatedResources?.storage === size && claim.status?.allocatedResourceStatuses?.storage === 'ControllerResizeInProgress';
    if (!inProgress) {
      const next = structuredClone(claim);
      next.status = {
        ...next.status,
        conditions: mergeResizeConditions(claim.status?.conditions, [{ type: 'Resizing', status: 'True', lastProbeTime: null, lastTransitionTime: this.now() }]),
        allocatedResources: { ...(claim.status?.allocatedResources ?? {}), storage: size },
        allocatedResourceStatuses: { ...(claim.status?.allocatedResourceStatuses ?? {}), storage: 'ControllerResizeInProgress' },
      };
      current = this.claims.store(await this.client.update<PersistentVolumeClaim>(ref, next, 'status'));
    }
    this.events.record(current, 'Normal', 'Resizing', `External resizer is resizing volume ${pv.metadata.name}`);
    try {
      // ControllerExpandVolume: the directory must exist; it has no size to change.
      if (!(await this.store.volumeExists(pv.spec.csi!.volumeHandle))) throw new Error(`volume directory ${this.store.volumePath(pv.spec.csi!.volumeHandle)} does not exist`);
      if (compareQuantities(pv.spec.capacity?.storage ?? 0, size) < 0) {
        const nextPv = structuredClone(pv);
        nextPv.spec.capacity = { ...(nextPv.spec.capacity ?? {}), storage: size };
        await this.client.update(core('persistentvolumes'), nextPv);
      }
    } catch (err) {
      const message = `resize volume "${pv.metadata.name}" by resizer "${UNYO_LOCAL_DRIVER}" failed: ${(err as Error).message}`;
      this.events.record(current, 'Warning', 'VolumeResizeFailed', message);
      throw new Error(message);
    }
    // markOverallExpansionAsFinished
    const done = structuredClone(current);
    const statuses = { ...(done.status?.allocatedResourceStatuses ?? {}) };
    delete statuses.storage;
    done.status = { ...done.status, capacity: { ...(done.status?.capacity ?? {}), storage: size }, conditions: mergeResizeConditions(current.status?.conditions, []) };
    if (Object.keys(statuses).length) done.status.allocatedResourceStatuses = statuses;
    else delete done.status.allocatedResourceStatuses;
    if (done.status.conditions?.length === 0) delete done.status.conditions;
    this.claims.store(await this.client.update<PersistentVolumeClaim>(ref, done, 'status'));
    this.events.record(current, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
  }
}
