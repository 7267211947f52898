// The snapshot controller (external-snapshotter's common controller): binds VolumeSnapshots
// to VolumeSnapshotContents. For a snapshot of a claim it picks the default
// VolumeSnapshotClass of the claim's CSI driver when none is named, creates the content
// `snapcontent-<snapshot uid>` that asks the driver's snapshotter for the snapshot, and copies
// the content's status (creationTime, readyToUse, restoreSize, error) into the snapshot's.
// A snapshot naming an existing content binds to it. Finalizers keep things in order: the
// source claim is kept until the snapshot is cut, a snapshot is kept while a claim is being
// restored from it and, with deletion policy Delete, until its content (and so the data) is
// gone.
import { formatQuantity } from '../../api/validation/quantity.js';
import { ApiClient, core } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { EventRecorder } from '../../client/events.js';
import {
  ANN_DEFAULT_SNAPSHOT_CLASS, ANN_SNAPSHOT_BEING_DELETED, CONTENT_BOUND_FINALIZER, PVC_AS_SNAPSHOT_SOURCE_FINALIZER, SNAPSHOT_AS_SOURCE_FINALIZER,
  SNAPSHOT_BOUND_FINALIZER, SNAPSHOT_GROUP, claimDataSource, isVolumeBoundToClaim,
  type PersistentVolume, type PersistentVolumeClaim, type VolumeSnapshot, type VolumeSnapshotClass, type VolumeSnapshotContent,
} from '../../api/volumes.js';
import type { ControllerContext, ControllerDescriptor, Runnable } from '../runtime/context.js';
import { Controller } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { LatestCache } from '../runtime/latest.js';

export const snapshotController: ControllerDescriptor = {
  name: 'snapshot-controller',
  setup: (ctx) => new SnapshotController(ctx),
};

const snapshotsRef = (namespace?: string) => ({ ...resources.volumeSnapshots, namespace });
const contentsRef = { ...resources.volumeSnapshotContents };

const snapshotKey = (s: VolumeSnapshot) => `${s.metadata.namespace}/${s.metadata.name}`;
const isReady = (s: VolumeSnapshot) => s.status?.readyToUse === true;
const dynamicContentName = (s: VolumeSnapshot) => `snapcontent-${s.metadata.uid}`;

/** The content points back at exactly this snapshot. */
function refersTo(content: VolumeSnapshotContent, snapshot: VolumeSnapshot): boolean {
  const ref = content.spec.volumeSnapshotRef;
  return ref.name === snapshot.metadata.name && ref.namespace === snapshot.metadata.namespace && ref.uid === snapshot.metadata.uid;
}

function isDeletionCandidate(s: VolumeSnapshot): boolean {
  const f = s.metadata.finalizers ?? [];
  return !!s.metadata.deletionTimestamp && (f.includes(SNAPSHOT_AS_SOURCE_FINALIZER) || f.includes(SNAPSHOT_BOUND_FINALIZER));
}

/** A controller step that could not be done; recorded on the snapshot's status and retried. */
class SnapshotStepError extends Error {}

export class SnapshotController implements Runnable {
  private readonly client: ApiClient;
  private readonly snapshots: LatestCache<VolumeSnapshot>;
  private readonly contents: LatestCache<VolumeSnapshotContent>;
  private readonly snapshotInformer: Informer<VolumeSnapshot>;
  private readonly classes: Informer<VolumeSnapshotClass>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly events: EventRecorder;
  private readonly now: () => string;
  readonly snapshotQueue: Controller;
  readonly contentQueue: Controller;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.snapshotInformer = ctx.informers.get<VolumeSnapshot>(resources.volumeSnapshots);
    const contentInformer = ctx.informers.get<VolumeSnapshotContent>(resources.volumeSnapshotContents);
    this.snapshots = new LatestCache(this.snapshotInformer);
    this.contents = new LatestCache(contentInformer);
    this.classes = ctx.informers.get<VolumeSnapshotClass>(resources.volumeSnapshotClasses);
    this.claims = ctx.informers.get<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    this.volumes = ctx.informers.get<PersistentVolume>(resources.persistentVolumes);
    this.events = ctx.recorder('snapshot-controller');
    this.now = () => new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.snapshotQueue = new Controller('snapshot-controller (snapshots)', (key) => this.syncSnapshot(key), { clock: ctx.clock });
    this.contentQueue = new Controller('snapshot-controller (contents)', (key) => this.syncContent(key), { clock: ctx.clock });
    this.snapshotInformer.on({ add: (s) => this.snapshotQueue.enqueue(snapshotKey(s)), update: (_o, s) => this.snapshotQueue.enqueue(snapshotKey(s)) });
    const contentChanged = (c: VolumeSnapshotContent) => {
      this.contentQueue.enqueue(c.metadata.name!);
      this.snapshotQueue.enqueue(`${c.spec.volumeSnapshotRef.namespace}/${c.spec.volumeSnapshotRef.name}`);
    };
    contentInformer.on({ add: contentChanged, update: (_o, c) => contentChanged(c), delete: (c) => this.snapshotQueue.enqueue(`${c.spec.volumeSnapshotRef.namespace}/${c.spec.volumeSnapshotRef.name}`) });
    // A claim restored from a snapshot, or one being snapshotted, changes what the snapshot may do.
    const claimChanged = (c: PersistentVolumeClaim) => {
      const source = claimDataSource(c);
      if (source?.kind === 'VolumeSnapshot' && source.apiGroup === SNAPSHOT_GROUP) this.snapshotQueue.enqueue(`${c.metadata.namespace}/${source.name}`);
      for (const s of this.snapshotInformer.list(c.metadata.namespace)) if (s.spec.source.persistentVolumeClaimName === c.metadata.name) this.snapshotQueue.enqueue(snapshotKey(s));
    };
    this.claims.on({ update: (_o, c) => claimChanged(c), delete: claimChanged });
  }

  start(): void {
    this.snapshotQueue.start();
    this.contentQueue.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.snapshotQueue.stop(), this.contentQueue.stop()]);
  }

  // ---- contents ----

  async syncContent(name: string): Promise<void> {
    const content = this.contents.get(name);
    if (!content) return;
    const source = content.spec.source ?? {};
    if (!source.volumeHandle === !source.snapshotHandle) {
      this.events.record(content, 'Warning', 'ContentValidationError', 'Exactly one of VolumeHandle and SnapshotHandle should be specified');
      return;
    }
    const ref = content.spec.volumeSnapshotRef;
    if (!ref.uid) return; // reserved for a snapshot that has not bound to it yet
    if (!content.metadata.deletionTimestamp && !(content.metadata.finalizers ?? []).includes(CONTENT_BOUND_FINALIZER)) {
      const next = structuredClone(content);
      next.metadata.finalizers = [...(next.metadata.finalizers ?? []), CONTENT_BOUND_FINALIZER];
      this.contents.store(await this.client.update<VolumeSnapshotContent>(contentsRef, next));
      return;
    }
    let snapshot = this.snapshots.get(`${ref.namespace}/${ref.name}`);
    if (snapshot && snapshot.metadata.uid !== ref.uid) snapshot = undefined;
    // A content whose snapshot is gone is left alone: it may have been copied from another cluster, and deleting it would lose data.
    if (snapshot && isDeletionCandidate(snapshot)) await this.setBeingDeleted(content);
  }

  private async setBeingDeleted(content: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    if (content.metadata.annotations?.[ANN_SNAPSHOT_BEING_DELETED] !== undefined) return content;
    const next = structuredClone(content);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_SNAPSHOT_BEING_DELETED]: 'yes' };
    return this.contents.store(await this.client.update<VolumeSnapshotContent>(contentsRef, next));
  }

  // ---- snapshots ----

  async syncSnapshot(key: string): Promise<void> {
    let snapshot = this.snapshots.get(key);
    if (!snapshot) return;
    await this.checkAndRemovePVCFinalizer(snapshot, false).catch((err) => {
      this.events.record(snapshot!, 'Warning', 'ErrorPVCFinalizer', 'Error check and remove PVC Finalizer for VolumeSnapshot');
      console.error(`snapshot-controller: ${key}: ${(err as Error).message}`);
    });
    if (snapshot.metadata.deletionTimestamp) return this.processDeletion(snapshot);
    const source = snapshot.spec?.source ?? {};
    if (!source.persistentVolumeClaimName === !source.volumeSnapshotContentName) {
      await this.errorStatus(snapshot, true, 'SnapshotValidationError', 'Exactly one of PersistentVolumeClaimName and VolumeSnapshotContentName should be specified');
      return;
    }
    try {
      if (!snapshot.spec.volumeSnapshotClassName && source.persistentVolumeClaimName) {
        snapshot = await this.setDefaultSnapshotClass(snapshot);
      }
      await this.addSnapshotFinalizers(snapshot);
      if (!isReady(snapshot) || !snapshot.status?.boundVolumeSnapshotContentName) await this.syncUnreadySnapshot(snapshot);
      else await this.syncReadySnapshot(snapshot);
    } catch (err) {
      if (err instanceof SnapshotStepError) console.error(`snapshot-controller: ${key}: ${err.message}`);
      throw err;
    }
  }

  private async setDefaultSnapshotClass(snapshot: VolumeSnapshot): Promise<VolumeSnapshot> {
    let driver: string;
    try {
      const pv = this.volumeOf(snapshot);
      if (!pv.spec.csi) throw new Error(`snapshotting non-CSI volumes is not supported, snapshot:${snapshotKey(snapshot)}`);
      driver = pv.spec.csi.driver;
      const defaults = this.classes.list().filter((c) => c.metadata.annotations?.[ANN_DEFAULT_SNAPSHOT_CLASS] === 'true' && c.driver === driver);
      if (defaults.length === 0) throw new Error('cannot find default snapshot class');
      if (defaults.length > 1) throw new Error(`${defaults.length} default snapshot classes were found`);
      const next = structuredClone(snapshot);
      next.spec.volumeSnapshotClassName = defaults[0].metadata.name;
      return this.snapshots.store(await this.client.update<VolumeSnapshot>(snapshotsRef(snapshot.metadata.namespace), next));
    } catch (err) {
      await this.errorStatus(snapshot, false, 'SetDefaultSnapshotClassFailed', `Failed to set default snapshot class with error ${(err as Error).message}`);
      throw new SnapshotStepError((err as Error).message);
    }
  }

  private async addSnapshotFinalizers(snapshot: VolumeSnapshot): Promise<void> {
    const content = snapshot.spec.source.volumeSnapshotContentName ? await this.preProvisionedContent(snapshot) : await this.dynamicContent(snapshot);
    const finalizers = snapshot.metadata.finalizers ?? [];
    const add: string[] = [];
    if (!finalizers.includes(SNAPSHOT_AS_SOURCE_FINALIZER)) add.push(SNAPSHOT_AS_SOURCE_FINALIZER);
    if (content && snapshot.status?.boundVolumeSnapshotContentName && !finalizers.includes(SNAPSHOT_BOUND_FINALIZER) && content.spec.deletionPolicy === 'Delete') add.push(SNAPSHOT_BOUND_FINALIZER);
    if (add.length === 0) return;
    const next = structuredClone(snapshot);
    next.metadata.finalizers = [...finalizers, ...add];
    this.snapshots.store(await this.client.update<VolumeSnapshot>(snapshotsRef(snapshot.metadata.namespace), next));
  }

  private async syncUnreadySnapshot(snapshot: VolumeSnapshot): Promise<void> {
    const contentName = snapshot.spec.source.volumeSnapshotContentName;
    if (contentName) {
      const content = await this.preProvisionedContent(snapshot);
      if (!content) {
        await this.errorStatus(snapshot, true, 'SnapshotContentMissing', 'VolumeSnapshotContent is missing');
        throw new SnapshotStepError(`snapshot ${snapshotKey(snapshot)} requests an non-existing content ${contentName}`);
      }
      const bound = await this.bindContent(snapshot, content);
      await this.updateSnapshotStatus(snapshot, bound);
      return;
    }
    const existing = await this.dynamicContent(snapshot);
    if (existing) {
      await this.updateSnapshotStatus(snapshot, existing);
      return;
    }
    let content: VolumeSnapshotContent;
    try {
      content = await this.createSnapshotContent(snapshot);
    } catch (err) {
      await this.errorStatus(snapshot, true, 'SnapshotContentCreationFailed', `Failed to create snapshot content with error ${(err as Error).message}`);
      throw err;
    }
    await this.updateSnapshotStatus(snapshot, content);
  }

  private async syncReadySnapshot(snapshot: VolumeSnapshot): Promise<void> {
    const content = this.contents.get(snapshot.status!.boundVolumeSnapshotContentName!);
    if (!content) return this.errorStatus(snapshot, true, 'SnapshotContentMissing', 'VolumeSnapshotContent is missing');
    if (!refersTo(content, snapshot)) return this.errorStatus(snapshot, true, 'SnapshotMisbound', 'VolumeSnapshotContent is not bound to the VolumeSnapshot correctly');
  }

  private async preProvisionedContent(snapshot: VolumeSnapshot): Promise<VolumeSnapshotContent | undefined> {
    const name = snapshot.spec.source.volumeSnapshotContentName!;
    const content = this.contents.get(name);
    if (!content) return undefined;
    if (!content.spec.source.snapshotHandle) {
      await this.errorStatus(snapshot, true, 'SnapshotContentMismatch', 'VolumeSnapshotContent is dynamically provisioned while expecting a pre-provisioned one');
      throw new SnapshotStepError(`snapshot ${snapshotKey(snapshot)} expects a pre-provisioned VolumeSnapshotContent ${name} but gets a dynamically provisioned one`);
    }
    const ref = content.spec.volumeSnapshotRef;
    if (ref.name !== snapshot.metadata.name || ref.namespace !== snapshot.metadata.namespace || (ref.uid && ref.uid !== snapshot.metadata.uid)) {
      const message = `VolumeSnapshotContent [${name}] is bound to a different snapshot`;
      await this.errorStatus(snapshot, true, 'SnapshotContentMisbound', message);
      throw new SnapshotStepError(message);
    }
    return content;
  }

  private async dynamicContent(snapshot: VolumeSnapshot): Promise<VolumeSnapshotContent | undefined> {
    const name = dynamicContentName(snapshot);
    const content = this.contents.get(name);
    if (!content) return undefined;
    if (!content.spec.source.volumeHandle) {
      await this.errorStatus(snapshot, true, 'SnapshotContentMismatch', `VolumeSnapshotContent ${name} is pre-provisioned while expecting a dynamically provisioned one`);
      throw new SnapshotStepError(`snapshot ${snapshotKey(snapshot)} expects a dynamically provisioned VolumeSnapshotContent ${name} but gets a pre-provisioned one`);
    }
    if (!refersTo(content, snapshot)) {
      const message = `VolumeSnapshotContent [${name}] is bound to a different snapshot`;
      await this.errorStatus(snapshot, true, 'SnapshotContentMisbound', message);
      throw new SnapshotStepError(message);
    }
    return content;
  }

  /** Pre-provisioned binding: the content learns the snapshot's uid (and class). */
  private async bindContent(snapshot: VolumeSnapshot, content: VolumeSnapshotContent): Promise<VolumeSnapshotContent> {
    if (content.spec.volumeSnapshotRef.uid && content.spec.volumeSnapshotClassName) return content;
    const next = structuredClone(content);
    next.spec.volumeSnapshotRef = { ...next.spec.volumeSnapshotRef, uid: snapshot.metadata.uid };
    if (snapshot.spec.volumeSnapshotClassName) next.spec.volumeSnapshotClassName = snapshot.spec.volumeSnapshotClassName;
    return this.contents.store(await this.client.update<VolumeSnapshotContent>(contentsRef, next));
  }

  /** The claim's volume, checked as upstream does before a snapshot is taken of it. */
  private volumeOf(snapshot: VolumeSnapshot): PersistentVolume {
    const claimName = snapshot.spec.source.persistentVolumeClaimName;
    if (!claimName) throw new Error('the snapshot source PVC name is not specified');
    const claim = this.claims.get(`${snapshot.metadata.namespace}/${claimName}`);
    if (!claim) throw new Error(`failed to retrieve PVC ${claimName} from the lister: "persistentvolumeclaim \\"${claimName}\\" not found"`);
    if (claim.status?.phase !== 'Bound') throw new Error(`the PVC ${claimName} is not yet bound to a PV, will not attempt to take a snapshot`);
    const pv = this.volumes.get(claim.spec.volumeName ?? '');
    if (!pv) throw new Error(`failed to retrieve PV ${claim.spec.volumeName} from the API server: "persistentvolumes \\"${claim.spec.volumeName}\\" not found"`);
    if (!isVolumeBoundToClaim(pv, claim)) throw new Error('claim in dataSource not bound or invalid');
    return pv;
  }

  private async createSnapshotContent(snapshot: VolumeSnapshot): Promise<VolumeSnapshotContent> {
    await this.ensurePVCFinalizer(snapshot);
    const className = snapshot.spec.volumeSnapshotClassName;
    if (!className) throw new Error(`failed to take snapshot ${snapshot.metadata.name} without a snapshot class`);
    const cls = this.classes.get(className);
    if (!cls) throw new Error(`failed to get input parameters to create snapshot ${snapshot.metadata.name}: "volumesnapshotclass.snapshot.storage.k8s.io \\"${className}\\" not found"`);
    const pv = this.volumeOf(snapshot);
    if (!pv.spec.csi) throw new Error(`cannot find CSI PersistentVolumeSource for volume ${pv.metadata.name}`);
    const content: VolumeSnapshotContent = {
      apiVersion: `${SNAPSHOT_GROUP}/v1`,
      kind: 'VolumeSnapshotContent',
      metadata: { name: dynamicContentName(snapshot) },
      spec: {
        volumeSnapshotRef: { kind: 'VolumeSnapshot', namespace: snapshot.metadata.namespace, name: snapshot.metadata.name, uid: snapshot.metadata.uid, apiVersion: `${SNAPSHOT_GROUP}/v1`, resourceVersion: snapshot.metadata.resourceVersion },
        source: { volumeHandle: pv.spec.csi.volumeHandle },
        volumeSnapshotClassName: cls.metadata.name,
        deletionPolicy: cls.deletionPolicy,
        driver: cls.driver,
        sourceVolumeMode: pv.spec.volumeMode ?? 'Filesystem',
      },
    };
    let saved: VolumeSnapshotContent;
    try {
      saved = this.contents.store(await this.client.create<VolumeSnapshotContent>(contentsRef, content));
    } catch (err) {
      if ((err as { code?: number }).code !== 409) {
        this.events.record(snapshot, 'Warning', 'CreateSnapshotContentFailed', `Error creating volume snapshot content object for snapshot ${snapshotKey(snapshot)}: ${(err as Error).message}.`);
        throw err;
      }
      saved = content;
    }
    this.events.record(snapshot, 'Normal', 'CreatingSnapshot', `Waiting for a snapshot ${snapshotKey(snapshot)} to be created by the CSI driver.`);
    return saved;
  }

  /** Copy the content's status into the snapshot's; events when it is first cut and first ready. */
  private async updateSnapshotStatus(snapshot: VolumeSnapshot, content: VolumeSnapshotContent): Promise<void> {
    const fresh = await this.client.get<VolumeSnapshot>(snapshotsRef(snapshot.metadata.namespace), snapshot.metadata.name!);
    const cs = content.status ?? {};
    const createdAt = cs.creationTime !== undefined ? new Date(Math.floor(cs.creationTime / 1e6)).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
    const size = cs.restoreSize !== undefined ? formatQuantity({ mantissa: BigInt(cs.restoreSize), exponent: 0, format: 'BinarySI' }) : undefined;
    const ready = cs.readyToUse ?? false;
    const status = structuredClone(fresh.status ?? {});
    let updated = !fresh.status;
    const set = <K extends keyof typeof status>(k: K, v: (typeof status)[K]) => {
      status[k] = v;
      updated = true;
    };
    if (!status.boundVolumeSnapshotContentName) set('boundVolumeSnapshotContentName', content.metadata.name);
    if (!status.creationTime && createdAt) set('creationTime', createdAt);
    if (status.readyToUse !== ready) {
      set('readyToUse', ready);
      if (ready && status.error) delete status.error;
    }
    if (size !== undefined && (status.restoreSize === undefined || (String(status.restoreSize) === '0' && cs.restoreSize! > 0))) set('restoreSize', size);
    if (JSON.stringify(status.error) !== JSON.stringify(cs.error) && (cs.error || status.error)) {
      if (cs.error) status.error = cs.error;
      else delete status.error;
      updated = true;
    }
    if (!updated) return;
    const key = snapshotKey(snapshot);
    if (!fresh.status?.creationTime && status.creationTime) this.events.record(fresh, 'Normal', 'SnapshotCreated', `Snapshot ${key} was successfully created by the CSI driver.`);
    if (!isReady(fresh) && status.readyToUse) this.events.record(fresh, 'Normal', 'SnapshotReady', `Snapshot ${key} is ready to use.`);
    this.snapshots.store(await this.client.update<VolumeSnapshot>(snapshotsRef(snapshot.metadata.namespace), { ...fresh, status }, 'status'));
  }

  /** Record an error on the snapshot (once per message) with an event. */
  private async errorStatus(snapshot: VolumeSnapshot, setNotReady: boolean, reason: string, message: string): Promise<void> {
    if (snapshot.status?.error?.message === message) return;
    const next = structuredClone(snapshot);
    next.status = { ...(next.status ?? {}), error: { time: this.now(), message } };
    if (setNotReady) next.status.readyToUse = false;
    this.events.record(snapshot, 'Warning', reason, message);
    this.snapshots.store(await this.client.update<VolumeSnapshot>(snapshotsRef(snapshot.metadata.namespace), next, 'status'));
  }

  // ---- deletion ----

  private async processDeletion(snapshot: VolumeSnapshot): Promise<void> {
    const contentName = snapshot.status?.boundVolumeSnapshotContentName ?? (snapshot.spec.source.persistentVolumeClaimName ? dynamicContentName(snapshot) : '');
    let content = contentName ? this.contents.get(contentName) : undefined;
    let deleteContent = false;
    if (content && refersTo(content, snapshot)) deleteContent = content.spec.deletionPolicy === 'Delete';
    else content = undefined;
    if (!isDeletionCandidate(snapshot)) return;
    if (content && this.isBeingRestoredFrom(snapshot)) {
      this.events.record(snapshot, 'Warning', 'SnapshotDeletePending', 'Snapshot is being used to restore a PVC');
      return;
    }
    if (content) {
      content = await this.setBeingDeleted(content);
      if (deleteContent && !content.metadata.deletionTimestamp) {
        try {
          await this.client.delete(contentsRef, content.metadata.name!);
        } catch (err) {
          if ((err as { code?: number }).code !== 404) {
            this.events.record(snapshot, 'Warning', 'SnapshotContentObjectDeleteError', 'Failed to delete snapshot content API object');
            throw err;
          }
        }
      }
    }
    // The bound finalizer stays until a content being deleted is gone.
    await this.removeSnapshotFinalizers(snapshot, !(content && deleteContent));
  }

  private isBeingRestoredFrom(snapshot: VolumeSnapshot): boolean {
    return this.claims.list(snapshot.metadata.namespace).some((c) => {
      const ds = c.spec.dataSource;
      return !!ds && ds.name === snapshot.metadata.name && ds.kind === 'VolumeSnapshot' && ds.apiGroup === SNAPSHOT_GROUP && c.status?.phase === 'Pending';
    });
  }

  private async removeSnapshotFinalizers(snapshot: VolumeSnapshot, removeBound: boolean): Promise<void> {
    // The claim's finalizer first: once the snapshot is gone, nothing would remove it any more.
    await this.checkAndRemovePVCFinalizer(snapshot, true);
    const finalizers = (snapshot.metadata.finalizers ?? []).filter((f) => f !== SNAPSHOT_AS_SOURCE_FINALIZER && !(removeBound && f === SNAPSHOT_BOUND_FINALIZER));
    if (finalizers.length === (snapshot.metadata.finalizers ?? []).length) return;
    const next = structuredClone(snapshot);
    next.metadata.finalizers = finalizers;
    await this.client.update(snapshotsRef(snapshot.metadata.namespace), next);
  }

  // ---- the source claim's finalizer ----

  private async ensurePVCFinalizer(snapshot: VolumeSnapshot): Promise<void> {
    const claim = this.claims.get(`${snapshot.metadata.namespace}/${snapshot.spec.source.persistentVolumeClaimName}`);
    if (!claim) throw new Error('cannot get claim from snapshot');
    if ((claim.metadata.finalizers ?? []).includes(PVC_AS_SNAPSHOT_SOURCE_FINALIZER)) return;
    if (claim.metadata.deletionTimestamp) throw new Error('cannot add finalizer on claim because it is being deleted');
    const next = structuredClone(claim);
    next.metadata.finalizers = [...(next.metadata.finalizers ?? []), PVC_AS_SNAPSHOT_SOURCE_FINALIZER];
    await this.client.update(core('persistentvolumeclaims', claim.metadata.namespace), next);
  }

  /** The claim loses its finalizer once no unready snapshot (other than this one, when `skipCurrent`) is taken of it. */
  private async checkAndRemovePVCFinalizer(snapshot: VolumeSnapshot, skipCurrent: boolean): Promise<void> {
    const claimName = snapshot.spec?.source?.persistentVolumeClaimName;
    if (!claimName) return;
    const ref = core('persistentvolumeclaims', snapshot.metadata.namespace);
    const claim = this.claims.get(`${snapshot.metadata.namespace}/${claimName}`);
    if (!claim || !(claim.metadata.finalizers ?? []).includes(PVC_AS_SNAPSHOT_SOURCE_FINALIZER)) return;
    const inUse = this.snapshots
      .list(snapshot.metadata.namespace)
      .some((s) => !(skipCurrent && s.metadata.name === snapshot.metadata.name) && s.spec?.source?.persistentVolumeClaimName === claimName && !isReady(s));
    if (inUse) return;
    const current = await this.client.get<PersistentVolumeClaim>(ref, claimName);
    const next = structuredClone(current);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== PVC_AS_SNAPSHOT_SOURCE_FINALIZER);
    if (next.metadata.finalizers.length === (current.metadata.finalizers ?? []).length) return;
    await this.client.update(ref, next);
  }
}
