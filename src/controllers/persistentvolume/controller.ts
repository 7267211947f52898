// The PersistentVolume controller (upstream's persistentvolume-binder, pkg/controller/volume/
// persistentvolume): binds claims to volumes and keeps both phases true. The binding is the
// two-way pointer pv.spec.claimRef ⇄ pvc.spec.volumeName, written volume first; every step is
// re-checked on the next pass, so a pass interrupted anywhere is finished by a later one.
// Claims with a class and no matching volume are handed to their provisioner (annotations and
// an ExternalProvisioning event: every provisioner is external here, unyo.local included);
// WaitForFirstConsumer claims wait until the scheduler picks a node. A volume whose claim is
// gone is Released and reclaimed by its policy: Retain keeps it, Delete leaves the deletion to
// the provisioner that made it.
import type { KubeObject } from '../../api/types.js';
import { ApiClient, core } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { EventRecorder } from '../../client/events.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
  claimClass, claimHasClass, defaultStorageClass, isPodTerminal, isVolumeBoundToClaim, podClaimNames,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '../../api/volumes.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { LatestCache } from '../runtime/latest.js';
import { checkVolumeSatisfyClaim, findBestMatchForClaim } from './match.js';

export const persistentVolumeBinder: ControllerDescriptor = {
  name: 'persistentvolume-binder',
  setup: (ctx) => new PersistentVolumeController(ctx),
};

export interface PersistentVolumeControllerOptions {
  /** Every claim and volume is looked at again this often (upstream --pvclaimbinder-sync-period, 15 s). */
  resyncMs?: number;
}

const POD_CLAIM_INDEX = 'claim';

export class PersistentVolumeController {
  private readonly client: ApiClient;
  private readonly claimInformer: Informer<PersistentVolumeClaim>;
  private readonly volumeInformer: Informer<PersistentVolume>;
  private readonly claims: LatestCache<PersistentVolumeClaim>;
  private readonly volumes: LatestCache<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly pods: Informer;
  private readonly events: EventRecorder;
  /** One worker each: a claim pass is not re-entrant (two passes could bind one volume twice). */
  readonly claimQueue: Controller;
  readonly volumeQueue: Controller;
  private resyncTimer?: unknown;
  private readonly resyncMs: number;

  constructor(private readonly ctx: ControllerContext, opts: PersistentVolumeControllerOptions = {}) {
    this.client = ctx.client;
    this.resyncMs = opts.resyncMs ?? 15_000;
    this.claimInformer = ctx.informers.get<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    this.volumeInformer = ctx.informers.get<PersistentVolume>(resources.persistentVolumes);
    this.claims = new LatestCache(this.claimInformer);
    this.volumes = new LatestCache(this.volumeInformer);
    this.classes = ctx.informers.get<StorageClass>(resources.storageClasses);
    this.pods = ctx.informers.get(resources.pods);
    this.pods.addIndex(POD_CLAIM_INDEX, (pod) => podClaimNames(pod).map((c) => `${pod.metadata.namespace}/${c}`));
    this.events = ctx.recorder('persistentvolume-controller');
    this.claimQueue = new Controller('persistentvolume-binder (claims)', (key) => this.syncClaim(key), { workers: 1, clock: ctx.clock });
    this.volumeQueue = new Controller('persistentvolume-binder (volumes)', (key) => this.syncVolume(key), { workers: 1, clock: ctx.clock });
    const claimKey = (c: PersistentVolumeClaim) => `${c.metadata.namespace}/${c.metadata.name}`;
    this.claimInformer.on({
      add: (c) => this.claimQueue.enqueue(claimKey(c)),
      update: (_o, c) => this.claimQueue.enqueue(claimKey(c)),
      // A deleted claim releases its volume.
      delete: (c) => c.spec?.volumeName && this.volumeQueue.enqueue(c.spec.volumeName),
    });
    this.volumeInformer.on({
      add: (v) => this.volumeQueue.enqueue(v.metadata.name!),
      update: (_o, v) => this.volumeQueue.enqueue(v.metadata.name!),
      // A bound claim whose volume went is Lost.
      delete: (v) => v.spec?.claimRef && this.claimQueue.enqueue(`${v.spec.claimRef.namespace}/${v.spec.claimRef.name}`),
    });
  }

  start(): void {
    this.claimQueue.start();
    this.volumeQueue.start();
    this.resync();
  }

  async stop(): Promise<void> {
    this.ctx.clock.clearTimeout(this.resyncTimer);
    await Promise.all([this.claimQueue.stop(), this.volumeQueue.stop()]);
  }

  private resync(): void {
    for (const c of this.claimInformer.list()) this.claimQueue.enqueue(`${c.metadata.namespace}/${c.metadata.name}`);
    for (const v of this.volumeInformer.list()) this.volumeQueue.enqueue(v.metadata.name!);
    this.resyncTimer = this.ctx.clock.setTimeout(() => this.resync(), this.resyncMs);
  }

  // ---- claims ----

  async syncClaim(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim) return;
    if (claim.metadata.annotations?.[ANN_BIND_COMPLETED] === undefined) await this.syncUnboundClaim(claim);
    else await this.syncBoundClaim(claim);
  }

  private async syncUnboundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const wanted = claim.spec?.volumeName;
    if (!wanted) {
      // The user did not ask for a particular volume.
      const delayBinding = this.isDelayBindingMode(claim);
      const volume = findBestMatchForClaim(this.volumes.list(), claim, delayBinding);
      if (volume) return this.bind(volume, claim);
      if (await this.assignDefaultStorageClass(claim)) return;
      if (delayBinding && claim.metadata.annotations?.[ANN_SELECTED_NODE] === undefined) {
        this.emitWaitForFirstConsumer(claim);
      } else if (claimClass(claim) !== '') {
        // The provisioner writes the volume; the next pass binds it.
        return this.provisionClaim(claim);
      } else {
        this.events.record(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await this.updateClaimStatus(claim, 'Pending');
      return;
    }
    // The user asked for a particular volume.
    const volume = this.volumes.get(wanted);
    if (!volume) {
      await this.updateClaimStatus(claim, 'Pending');
      return;
    }
    if (!volume.spec?.claimRef) {
      const why = checkVolumeSatisfyClaim(volume, claim);
      if (why) {
        this.events.record(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${wanted}": ${why}`);
        await this.updateClaimStatus(claim, 'Pending');
        return;
      }
      return this.bind(volume, claim);
    }
    if (isVolumeBoundToClaim(volume, claim)) return this.bind(volume, claim);
    this.events.record(claim, 'Warning', 'FailedBinding', `volume "${wanted}" already bound to a different claim.`);
    if (claim.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === undefined) {
      await this.updateClaimStatus(claim, 'Pending');
      return;
    }
    const ref = volume.spec.claimRef;
    throw new Error(`invalid binding of claim "${claim.metadata.namespace}/${claim.metadata.name}" to volume "${wanted}": volume already claimed by "${ref.namespace}/${ref.name}"`);
  }

  private async syncBoundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const name = claim.spec?.volumeName;
    if (!name) {
      await this.updateClaimStatusWithEvent(claim, 'Lost', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return;
    }
    const volume = this.volumes.get(name);
    if (!volume) {
      await this.updateClaimStatusWithEvent(claim, 'Lost', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      return;
    }
    if (!volume.spec?.claimRef || volume.spec.claimRef.uid === claim.metadata.uid) return this.bind(volume, claim);
    await this.updateClaimStatusWithEvent(claim, 'Lost', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  }

  private isDelayBindingMode(claim: PersistentVolumeClaim): boolean {
    const name = claimClass(claim);
    return name !== '' && this.classes.get(name)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  /** A claim made before any class was default gets the default class later (retroactive default StorageClass). */
  private async assignDefaultStorageClass(claim: PersistentVolumeClaim): Promise<boolean> {
    if (claimHasClass(claim)) return false;
    const chosen = defaultStorageClass(this.classes.list());
    if (!chosen) return false;
    const next = structuredClone(claim);
    next.spec.storageClassName = chosen.metadata.name;
    this.claims.store(await this.client.update<PersistentVolumeClaim>(core('persistentvolumeclaims', claim.metadata.namespace), next));
    return true;
  }

  private emitWaitForFirstConsumer(claim: PersistentVolumeClaim): void {
    const waiting = this.pods
      .byIndex(POD_CLAIM_INDEX, `${claim.metadata.namespace}/${claim.metadata.name}`)
      .filter((p) => !isPodTerminal(p) && !(p.spec as { nodeName?: string } | undefined)?.nodeName)
      .map((p) => p.metadata.name!)
      .sort();
    if (waiting.length === 0) this.events.record(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    else if (waiting.length === 1) this.events.record(claim, 'Normal', 'WaitForPodScheduled', `waiting for pod ${waiting[0]} to be scheduled`);
    else this.events.record(claim, 'Normal', 'WaitForPodScheduled', `waiting for pods ${waiting.join(',')} to be scheduled`);
  }

  /** Ask the class's provisioner for a volume: annotate the claim with its name, which external provisioners watch for. */
  private async provisionClaim(claim: PersistentVolumeClaim): Promise<void> {
    const className = claimClass(claim);
    const sc = this.classes.get(className);
    if (!sc) {
      this.events.record(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    const provisioner = sc.provisioner;
    // In-tree volume plugins do not exist in unyo: only external provisioners can serve a claim.
    if (provisioner.startsWith('kubernetes.io/')) {
      this.events.record(claim, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${provisioner}`);
      return;
    }
    let current = claim;
    const a = claim.metadata.annotations ?? {};
    if (a[ANN_STORAGE_PROVISIONER] !== provisioner || a[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      const next = structuredClone(claim);
      next.metadata.annotations = { ...a, [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner };
      try {
        current = this.claims.store(await this.client.update<PersistentVolumeClaim>(core('persistentvolumeclaims', claim.metadata.namespace), next));
      } catch (err) {
        this.events.record(claim, 'Warning', 'ProvisioningFailed', `Error saving claim: ${(err as Error).message}`);
        throw err;
      }
    }
    this.events.record(
      current,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  // ---- volumes ----

  async syncVolume(name: string): Promise<void> {
    const volume = this.volumes.get(name);
    if (!volume) return;
    const ref = volume.spec?.claimRef;
    if (!ref || !ref.uid) {
      // Unused, or reserved for a claim that has not been bound to it yet (the claim pass does that).
      await this.updateVolumePhase(volume, 'Available');
      return;
    }
    const released = volume.status?.phase === 'Released' || volume.status?.phase === 'Failed';
    let claim = this.claims.get(`${ref.namespace}/${ref.name}`);
    // A volume made by a provisioner may be seen before its claim; ask the API server before releasing it.
    if ((!claim && !released) || (claim && claim.metadata.uid !== ref.uid)) claim = await this.fetchClaim(ref.namespace!, ref.name!);
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined; // the claim was deleted and made again
    if (!claim) {
      let current = volume;
      if (!released) current = await this.updateVolumePhase(volume, 'Released');
      await this.reclaimVolume(current);
      return;
    }
    if (!claim.spec?.volumeName) {
      if ((claim.spec.volumeMode || 'Filesystem') !== (volume.spec.volumeMode || 'Filesystem')) {
        this.events.record(volume, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name}" due to incompatible volumeMode.`);
        this.events.record(claim, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume "${name}" to requested PersistentVolumeClaim due to incompatible volumeMode.`);
        return;
      }
      // The volume points at the claim but not yet the other way round: the claim pass finishes it.
      this.claimQueue.enqueue(`${claim.metadata.namespace}/${claim.metadata.name}`);
      return;
    }
    if (claim.spec.volumeName === name) {
      await this.updateVolumePhase(volume, 'Bound');
      return;
    }
    // The claim is bound to another volume.
    if (volume.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== undefined && volume.spec.persistentVolumeReclaimPolicy === 'Delete') {
      let current = volume;
      if (!released) current = await this.updateVolumePhase(volume, 'Released');
      await this.reclaimVolume(current);
      return;
    }
    await this.unbindVolume(volume);
  }

  private async fetchClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined> {
    try {
      return await this.client.get<PersistentVolumeClaim>(core('persistentvolumeclaims', namespace), name);
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** The reclaim policy of a released volume. */
  private async reclaimVolume(volume: PersistentVolume): Promise<void> {
    switch (volume.spec?.persistentVolumeReclaimPolicy) {
      case 'Retain':
        return;
      case 'Recycle':
        await this.updateVolumePhaseWithEvent(volume, 'Failed', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
        return;
      case 'Delete': {
        const provisioner = volume.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
        // The provisioner that made the volume (or the CSI driver holding it) deletes it, and the PV object with it.
        if ((provisioner && !provisioner.startsWith('kubernetes.io/')) || volume.spec.csi) return;
        await this.updateVolumePhaseWithEvent(volume, 'Failed', 'VolumeFailedDelete', `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`);
        return;
      }
      default:
        await this.updateVolumePhaseWithEvent(volume, 'Failed', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
    }
  }

  /** Undo a binding this controller made (or only its uid, for a volume the user pre-bound). */
  private async unbindVolume(volume: PersistentVolume): Promise<void> {
    const next = structuredClone(volume);
    if (volume.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined) {
      next.spec.claimRef = null;
      delete next.metadata.annotations![ANN_BOUND_BY_CONTROLLER];
    } else {
      next.spec.claimRef = { ...next.spec.claimRef!, uid: '' };
    }
    const saved = this.volumes.store(await this.client.update<PersistentVolume>(core('persistentvolumes'), next));
    await this.updateVolumePhase(saved, 'Available');
  }

  // ---- binding ----

  /** Point the volume at the claim, mark it Bound, point the claim at the volume, mark it Bound: each step only if needed. */
  private async bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    volume = await this.bindVolumeToClaim(volume, claim);
    volume = await this.updateVolumePhase(volume, 'Bound');
    claim = await this.bindClaimToVolume(claim, volume);
    await this.updateClaimStatus(claim, 'Bound', volume);
  }

  private async bindVolumeToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<PersistentVolume> {
    const next = structuredClone(volume);
    let dirty = false;
    const ref = volume.spec?.claimRef;
    if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace || ref.uid !== claim.metadata.uid) {
      next.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion };
      dirty = true;
    }
    if (!isVolumeBoundToClaim(volume, claim) && volume.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === undefined) {
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      dirty = true;
    }
    if (!dirty) return volume;
    return this.volumes.store(await this.client.update<PersistentVolume>(core('persistentvolumes'), next));
  }

  private async bindClaimToVolume(claim: PersistentVolumeClaim, volume: PersistentVolume): Promise<PersistentVolumeClaim> {
    const next = structuredClone(claim);
    const annotations = { ...(next.metadata.annotations ?? {}) };
    let dirty = false;
    if (claim.spec?.volumeName !== volume.metadata.name) {
      next.spec.volumeName = volume.metadata.name;
      if (annotations[ANN_BOUND_BY_CONTROLLER] === undefined) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      dirty = true;
    }
    if (annotations[ANN_BIND_COMPLETED] === undefined) {
      annotations[ANN_BIND_COMPLETED] = 'yes';
      dirty = true;
    }
    if (!dirty) return claim;
    next.metadata.annotations = annotations;
    return this.claims.store(await this.client.update<PersistentVolumeClaim>(core('persistentvolumeclaims', claim.metadata.namespace), next));
  }

  /**
   * Set the claim's phase; a bound claim shows its volume's access modes, and its capacity when
   * it becomes Bound (later differences are left alone: a resize in progress makes them on purpose).
   */
  private async updateClaimStatus(claim: PersistentVolumeClaim, phase: string, volume?: PersistentVolume): Promise<PersistentVolumeClaim> {
    const status = structuredClone(claim.status ?? {});
    let dirty = false;
    if (status.phase !== phase) {
      status.phase = phase;
      dirty = true;
    }
    if (!volume) {
      if (status.accessModes) (delete status.accessModes, (dirty = true));
      if (status.capacity) (delete status.capacity, (dirty = true));
    } else {
      if (JSON.stringify(status.accessModes) !== JSON.stringify(volume.spec.accessModes)) {
        status.accessModes = volume.spec.accessModes;
        dirty = true;
      }
      if (claim.status?.phase !== phase) {
        const capacity = volume.spec.capacity?.storage;
        if (capacity === undefined) throw new Error(`PersistentVolume "${volume.metadata.name}" is without a storage capacity`);
        if (status.capacity?.storage !== capacity) {
          status.capacity = { ...(status.capacity ?? {}), storage: capacity };
          dirty = true;
        }
      }
    }
    if (!dirty) return claim;
    const next = { ...structuredClone(claim), status };
    return this.claims.store(await this.client.update<PersistentVolumeClaim>(core('persistentvolumeclaims', claim.metadata.namespace), next, 'status'));
  }

  private async updateClaimStatusWithEvent(claim: PersistentVolumeClaim, phase: string, reason: string, message: string): Promise<void> {
    if (claim.status?.phase === phase) return;
    const saved = await this.updateClaimStatus(claim, phase);
    this.events.record(saved, 'Warning', reason, message);
  }

  private async updateVolumePhase(volume: PersistentVolume, phase: string, message = ''): Promise<PersistentVolume> {
    if (volume.status?.phase === phase) return volume;
    const next = structuredClone(volume);
    next.status = { ...(next.status ?? {}), phase };
    if (message) next.status.message = message;
    else delete next.status.message;
    return this.volumes.store(await this.client.update<PersistentVolume>(core('persistentvolumes'), next, 'status'));
  }

  private async updateVolumePhaseWithEvent(volume: PersistentVolume, phase: string, reason: string, message: string): Promise<void> {
    if (volume.status?.phase === phase) return;
    const saved = await this.updateVolumePhase(volume, phase, message);
    this.events.record(saved as KubeObject, 'Warning', reason, message);
  }
}
