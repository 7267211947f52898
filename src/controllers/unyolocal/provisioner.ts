// The unyo.local provisioner (the external-provisioner sidecar's role for unyo's directory
// driver): a claim whose class names `unyo.local`, once the PV controller has annotated it
// with its provisioner (and, for WaitForFirstConsumer, the scheduler with its node), gets a
// directory and a PersistentVolume `pvc-<claim uid>` pointing at it, filled from a
// VolumeSnapshot or cloned from another claim when the claim has a data source. A released
// volume with reclaim policy Delete loses its directory, then its PV object.
//
// The PV carries the volume's location itself — `csi: {driver: unyo.local, volumeHandle:
// <pv name>}`, the directory <volumes dir>/<handle> — and no node affinity: every node of the
// machine mounts it, so a Pod moved to another node finds its data.
import { compareQuantities, integerValue, quantityError } from '../../api/validation/quantity.js';
import { ApiClient, core } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { EventRecorder } from '../../client/events.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, CLONE_SOURCE_FINALIZER,
  PROVISIONER_DELETION_FINALIZER, SNAPSHOT_GROUP, UNYO_LOCAL_DRIVER, claimClass, claimDataSource, isVolumeBoundToClaim,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass, type VolumeSnapshot, type VolumeSnapshotContent,
} from '../../api/volumes.js';
import type { ControllerContext, ControllerDescriptor, Runnable } from '../runtime/context.js';
import { Controller, TerminalError } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { DirectoryStore } from './directories.js';
import { disabled } from './disabled.js';

export const unyoLocalProvisioner: ControllerDescriptor = {
  name: 'unyo-local-provisioner',
  setup: (ctx) => (ctx.volumesDir ? new UnyoLocalProvisioner(ctx, new DirectoryStore(ctx.volumesDir)) : disabled('unyo-local-provisioner')),
};

const OWNER = 'provisioner';

export class UnyoLocalProvisioner implements Runnable {
  private readonly client: ApiClient;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly snapshots: Informer<VolumeSnapshot>;
  private readonly contents: Informer<VolumeSnapshotContent>;
  private readonly events: EventRecorder;
  readonly claimQueue: Controller;
  readonly volumeQueue: Controller;

  constructor(ctx: ControllerContext, private readonly store: DirectoryStore) {
    this.client = ctx.client;
    this.claims = ctx.informers.get<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    this.volumes = ctx.informers.get<PersistentVolume>(resources.persistentVolumes);
    this.classes = ctx.informers.get<StorageClass>(resources.storageClasses);
    this.snapshots = ctx.informers.get<VolumeSnapshot>(resources.volumeSnapshots);
    this.contents = ctx.informers.get<VolumeSnapshotContent>(resources.volumeSnapshotContents);
    this.events = ctx.recorder(UNYO_LOCAL_DRIVER);
    this.claimQueue = new Controller('unyo-local-provisioner (claims)', (key) => this.syncClaim(key), { clock: ctx.clock });
    this.volumeQueue = new Controller('unyo-local-provisioner (volumes)', (key) => this.syncVolume(key), { clock: ctx.clock });
    const claimKey = (c: PersistentVolumeClaim) => `${c.metadata.namespace}/${c.metadata.name}`;
    this.claims.on({ add: (c) => this.claimQueue.enqueue(claimKey(c)), update: (_o, c) => this.claimQueue.enqueue(claimKey(c)) });
    this.volumes.on({ add: (v) => this.volumeQueue.enqueue(v.metadata.name!), update: (_o, v) => this.volumeQueue.enqueue(v.metadata.name!) });
    // A claim restoring from a snapshot waits for it to be ready.
    this.snapshots.on({
      update: (_o, s) => {
        for (const c of this.claims.list(s.metadata.namespace)) if (claimDataSource(c)?.name === s.metadata.name) this.claimQueue.enqueue(claimKey(c));
      },
    });
  }

  async start(): Promise<void> {
    await this.store.clearTemp(OWNER);
    this.claimQueue.start();
    this.volumeQueue.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.claimQueue.stop(), this.volumeQueue.stop()]);
  }

  // ---- provisioning ----

  private shouldProvision(claim: PersistentVolumeClaim): StorageClass | undefined {
    if (claim.spec?.volumeName || claim.metadata.deletionTimestamp) return undefined;
    const a = claim.metadata.annotations ?? {};
    if ((a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER]) !== UNYO_LOCAL_DRIVER) return undefined;
    const sc = this.classes.get(claimClass(claim));
    if (sc?.provisioner !== UNYO_LOCAL_DRIVER) return undefined;
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !a[ANN_SELECTED_NODE]) return undefined;
    return sc;
  }

  async syncClaim(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim) return;
    const sc = this.shouldProvision(claim);
    if (!sc) return;
    const pvName = `pvc-${claim.metadata.uid}`;
    if (this.volumes.get(pvName)) return; // made already; the PV controller binds it
    this.events.record(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
    try {
      await this.provision(claim, sc, pvName);
    } catch (err) {
      this.events.record(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${(err as Error).message}`);
      throw err;
    }
    this.events.record(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  private async provision(claim: PersistentVolumeClaim, sc: StorageClass, pvName: string): Promise<void> {
    const requested = claim.spec?.resources?.requests?.storage;
    if (requested === undefined || quantityError(requested)) throw new TerminalError('claim does not request a valid storage size');
    if ((claim.spec.volumeMode ?? 'Filesystem') !== 'Filesystem') throw new TerminalError(`volumeMode ${claim.spec.volumeMode} is not supported by ${UNYO_LOCAL_DRIVER}: its volumes are directories`);
    const source = claimDataSource(claim);
    if (!source) await this.store.createVolume(pvName, OWNER);
    else if (source.kind === 'VolumeSnapshot' && source.apiGroup === SNAPSHOT_GROUP) {
      const handle = this.snapshotHandle(claim, source.name, requested);
      await this.store.createVolume(pvName, OWNER, { snapshot: handle });
    } else if (source.kind === 'PersistentVolumeClaim' && !source.apiGroup) {
      const from = await this.cloneSource(claim, source.name, requested);
      await this.withCloneProtection(from, () => this.store.createVolume(pvName, OWNER, { volume: from.volumeHandle }));
    } else {
      throw new TerminalError(`data source ${source.kind}${source.apiGroup ? `.${source.apiGroup}` : ''} "${source.name}" is not supported by ${UNYO_LOCAL_DRIVER}`);
    }
    const reclaimPolicy = sc.reclaimPolicy ?? 'Delete';
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: pvName,
        annotations: { [ANN_DYNAMICALLY_PROVISIONED]: UNYO_LOCAL_DRIVER },
        // Deleting the PV object deletes the directory too, whoever deletes it first (HonorPVReclaimPolicy).
        ...(reclaimPolicy === 'Delete' ? { finalizers: [PROVISIONER_DELETION_FINALIZER] } : {}),
      },
      spec: {
        accessModes: claim.spec.accessModes,
        capacity: { storage: requested },
        claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion },
        persistentVolumeReclaimPolicy: reclaimPolicy,
        storageClassName: sc.metadata.name,
        volumeMode: 'Filesystem',
        ...(sc.mountOptions ? { mountOptions: sc.mountOptions } : {}),
        csi: { driver: UNYO_LOCAL_DRIVER, volumeHandle: pvName, volumeAttributes: { 'storage.kubernetes.io/csiProvisionerIdentity': UNYO_LOCAL_DRIVER } },
      },
    };
    try {
      await this.client.create(core('persistentvolumes'), pv);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }

  /** The snapshot to restore from, checked as the external-provisioner checks it. */
  private snapshotHandle(claim: PersistentVolumeClaim, name: string, requested: string | number): string {
    const fail = (why: string) => new Error(`error getting handle for DataSource Type VolumeSnapshot by Name ${name}: ${why}`);
    const snapshot = this.snapshots.get(`${claim.metadata.namespace}/${name}`);
    if (!snapshot) throw fail(`volumesnapshots.snapshot.storage.k8s.io "${name}" not found`);
    if (snapshot.metadata.deletionTimestamp) throw fail(`snapshot ${name} is currently being deleted`);
    const contentName = snapshot.status?.boundVolumeSnapshotContentName;
    if (!contentName) throw fail(`snapshot ${name} not bound`);
    const content = this.contents.get(contentName);
    if (!content) throw fail(`volumesnapshotcontents.snapshot.storage.k8s.io "${contentName}" not found`);
    const ref = content.spec.volumeSnapshotRef;
    if (ref.uid !== snapshot.metadata.uid || ref.namespace !== snapshot.metadata.namespace || ref.name !== snapshot.metadata.name) throw fail(`snapshotcontent ${contentName} for snapshot ${claim.metadata.namespace}/${name} is bound to a different snapshot`);
    if (snapshot.status?.readyToUse !== true) throw fail(`snapshot ${name} is not Ready`);
    if (content.spec.driver !== UNYO_LOCAL_DRIVER) throw fail(`driver name ${content.spec.driver} defined in content ${contentName} doesn't match driver name ${UNYO_LOCAL_DRIVER} in storage class`);
    const handle = content.status?.snapshotHandle;
    if (!handle) throw fail(`snapshot handle ${contentName} is not available`);
    const restoreSize = BigInt(content.status?.restoreSize ?? 0);
    if (integerValue(requested) < restoreSize) throw new TerminalError(`requested volume size ${integerValue(requested)} is less than the size ${restoreSize} for the source snapshot ${name}`);
    return handle;
  }

  /** The claim to clone, checked as the external-provisioner checks it. */
  private async cloneSource(claim: PersistentVolumeClaim, name: string, requested: string | number): Promise<{ claim: PersistentVolumeClaim; volumeHandle: string }> {
    const source = this.claims.get(`${claim.metadata.namespace}/${name}`);
    if (!source) throw new Error(`error getting PVC ${name} (namespace "${claim.metadata.namespace}") from api server: persistentvolumeclaims "${name}" not found`);
    if (claimClass(source) !== claimClass(claim)) throw new TerminalError(`the source PVC and destination PVCs must be in the same storage class for cloning.  Source is in ${claimClass(source)}, but new PVC is in ${claimClass(claim)}`);
    const capacity = source.status?.capacity?.storage;
    if (source.status?.phase !== 'Bound' || !source.spec.volumeName || capacity === undefined) throw new Error('claim in dataSource not bound or invalid');
    const pv = this.volumes.get(source.spec.volumeName);
    if (!pv || !isVolumeBoundToClaim(pv, source)) throw new Error('claim in dataSource not bound or invalid');
    if (pv.spec.csi?.driver !== UNYO_LOCAL_DRIVER) throw new TerminalError(`the source PVC and destination PVCs must use the same driver for cloning; source uses ${pv.spec.csi?.driver ?? 'no CSI driver'}`);
    if (compareQuantities(requested, capacity) < 0) throw new TerminalError(`error, new PVC request must be greater than or equal in size to the specified PVC data source, requested ${requested} but source is ${capacity}`);
    return { claim: source, volumeHandle: pv.spec.csi.volumeHandle };
  }

  /** The source claim keeps the cloning-protection finalizer while it is copied. */
  private async withCloneProtection(from: { claim: PersistentVolumeClaim }, copy: () => Promise<void>): Promise<void> {
    const ref = core('persistentvolumeclaims', from.claim.metadata.namespace);
    const edit = async (change: (finalizers: string[]) => string[]) => {
      const current = await this.client.get<PersistentVolumeClaim>(ref, from.claim.metadata.name!);
      const next = change(current.metadata.finalizers ?? []);
      if (next.length === (current.metadata.finalizers ?? []).length) return;
      current.metadata.finalizers = next;
      await this.client.update(ref, current);
    };
    await edit((f) => (f.includes(CLONE_SOURCE_FINALIZER) ? f : [...f, CLONE_SOURCE_FINALIZER]));
    try {
      await copy();
    } finally {
      await edit((f) => f.filter((x) => x !== CLONE_SOURCE_FINALIZER)).catch(() => undefined);
    }
  }

  // ---- deletion ----

  async syncVolume(name: string): Promise<void> {
    const volume = this.volumes.get(name);
    if (!volume) return;
    if (volume.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== UNYO_LOCAL_DRIVER || volume.spec.persistentVolumeReclaimPolicy !== 'Delete') return;
    const deleting = !!volume.metadata.deletionTimestamp;
    if (deleting && !(volume.metadata.finalizers ?? []).includes(PROVISIONER_DELETION_FINALIZER)) return;
    // Released: its claim is gone. A PV object deleted while still Bound waits for its claim to go.
    if (volume.status?.phase !== 'Released' && !(deleting && volume.status?.phase !== 'Bound')) return;
    try {
      if (volume.spec.csi?.driver === UNYO_LOCAL_DRIVER) await this.store.deleteVolume(volume.spec.csi.volumeHandle, OWNER);
    } catch (err) {
      this.events.record(volume, 'Warning', 'VolumeFailedDelete', (err as Error).message);
      throw err;
    }
    if ((volume.metadata.finalizers ?? []).includes(PROVISIONER_DELETION_FINALIZER)) {
      const next = structuredClone(volume);
      next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== PROVISIONER_DELETION_FINALIZER);
      await this.client.update(core('persistentvolumes'), next);
    }
    if (!deleting) {
      await this.client.delete(core('persistentvolumes'), name, { preconditions: { uid: volume.metadata.uid } }).catch((err) => {
        if ((err as { code?: number }).code !== 404) throw err;
      });
    }
  }
}
