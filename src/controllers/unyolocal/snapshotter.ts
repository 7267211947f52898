// The unyo.local snapshotter (the csi-snapshotter sidecar's role): cuts the snapshot a
// VolumeSnapshotContent of driver unyo.local asks for — a consistent copy of the volume's
// directory, see directories.ts — and reports it in the content's status (snapshotHandle,
// creationTime in nanoseconds, restoreSize in bytes, readyToUse). A pre-provisioned content
// (source.snapshotHandle) is checked against the snapshots on disk. When the snapshot
// controller lets a content go, its snapshot is deleted (policy Delete) or kept (Retain) and
// the content's finalizer removed.
import { integerValue } from '../../api/validation/quantity.js';
import { ApiClient } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { EventRecorder } from '../../client/events.js';
import {
  ANN_SNAPSHOT_BEING_CREATED, ANN_SNAPSHOT_BEING_DELETED, CONTENT_BOUND_FINALIZER, UNYO_LOCAL_DRIVER,
  type PersistentVolume, type VolumeSnapshotContent,
} from '../../api/volumes.js';
import type { ControllerContext, ControllerDescriptor, Runnable } from '../runtime/context.js';
import { Controller } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { LatestCache } from '../runtime/latest.js';
import { DirectoryStore, type SnapshotInfo } from './directories.js';
import { disabled } from './disabled.js';

export const unyoLocalSnapshotter: ControllerDescriptor = {
  name: 'unyo-local-snapshotter',
  setup: (ctx) => (ctx.volumesDir ? new UnyoLocalSnapshotter(ctx, new DirectoryStore(ctx.volumesDir)) : disabled('unyo-local-snapshotter')),
};

const OWNER = 'snapshotter';
const contentsRef = { ...resources.volumeSnapshotContents };

export class UnyoLocalSnapshotter implements Runnable {
  private readonly client: ApiClient;
  private readonly contents: LatestCache<VolumeSnapshotContent>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly events: EventRecorder;
  private readonly now: () => number;
  readonly controller: Controller;

  constructor(ctx: ControllerContext, private readonly store: DirectoryStore) {
    this.client = ctx.client;
    const informer = ctx.informers.get<VolumeSnapshotContent>(resources.volumeSnapshotContents);
    this.contents = new LatestCache(informer);
    this.volumes = ctx.informers.get<PersistentVolume>(resources.persistentVolumes);
    this.events = ctx.recorder(`csi-snapshotter ${UNYO_LOCAL_DRIVER}`);
    this.now = () => ctx.clock.now();
    this.controller = new Controller('unyo-local-snapshotter', (key) => this.sync(key), { clock: ctx.clock });
    informer.on({ add: (c) => this.controller.enqueue(c.metadata.name!), update: (_o, c) => this.controller.enqueue(c.metadata.name!) });
  }

  async start(): Promise<void> {
    await this.store.clearTemp(OWNER);
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  async sync(name: string): Promise<void> {
    const content = this.contents.get(name);
    if (!content || content.spec.driver !== UNYO_LOCAL_DRIVER) return;
    if (content.metadata.deletionTimestamp) return this.deleteIfReleased(content);
    if (content.status?.readyToUse === true) return;
    if (content.spec.source.volumeHandle) return this.createSnapshot(content);
    if (content.spec.source.snapshotHandle) return this.checkPreProvisioned(content, content.spec.source.snapshotHandle);
  }

  private async createSnapshot(content: VolumeSnapshotContent): Promise<void> {
    const volumeHandle = content.spec.source.volumeHandle!;
    let current = content;
    if (content.metadata.annotations?.[ANN_SNAPSHOT_BEING_CREATED] === undefined) {
      const next = structuredClone(content);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_SNAPSHOT_BEING_CREATED]: 'yes' };
      current = this.contents.store(await this.client.update<VolumeSnapshotContent>(contentsRef, next));
    }
    let info: SnapshotInfo;
    try {
      info = await this.store.createSnapshot(`snapshot-${content.spec.volumeSnapshotRef.uid}`, volumeHandle, this.volumeSizeBytes(volumeHandle), OWNER);
    } catch (err) {
      const message = `Failed to create snapshot: failed to take snapshot of the volume ${volumeHandle}: ${(err as Error).message}`;
      this.events.record(current, 'Warning', 'SnapshotCreationFailed', message);
      await this.writeStatus(current, { ...(current.status ?? {}), readyToUse: false, error: { message, time: this.rfc3339() } });
      throw err;
    }
    current = await this.writeStatus(current, statusOf(`snapshot-${content.spec.volumeSnapshotRef.uid}`, info));
    const next = structuredClone(current);
    delete next.metadata.annotations![ANN_SNAPSHOT_BEING_CREATED];
    this.contents.store(await this.client.update<VolumeSnapshotContent>(contentsRef, next));
  }

  private async checkPreProvisioned(content: VolumeSnapshotContent, handle: string): Promise<void> {
    const info = await this.store.snapshotInfo(handle);
    if (!info) {
      const message = `Failed to check and update snapshot content: snapshot ${handle} does not exist in ${UNYO_LOCAL_DRIVER}`;
      if (content.status?.error?.message !== message) {
        this.events.record(content, 'Warning', 'SnapshotContentCheckandUpdateFailed', message);
        await this.writeStatus(content, { readyToUse: false, error: { message, time: this.rfc3339() } });
      }
      return;
    }
    await this.writeStatus(content, statusOf(handle, info));
  }

  /** The content goes: the snapshot controller marked it released (or no snapshot was ever bound to a pre-provisioned one). */
  private async deleteIfReleased(content: VolumeSnapshotContent): Promise<void> {
    if (!(content.metadata.finalizers ?? []).includes(CONTENT_BOUND_FINALIZER)) return;
    const unbound = !!content.spec.source.snapshotHandle && !content.spec.volumeSnapshotRef.uid;
    if (!unbound && content.metadata.annotations?.[ANN_SNAPSHOT_BEING_DELETED] === undefined) return;
    const handle = content.status?.snapshotHandle;
    if (content.spec.deletionPolicy === 'Delete' && handle) {
      try {
        await this.store.deleteSnapshot(handle, OWNER);
      } catch (err) {
        this.events.record(content, 'Warning', 'SnapshotDeleteError', `Failed to delete snapshot: ${(err as Error).message}`);
        throw err;
      }
    }
    const next = structuredClone(content);
    next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== CONTENT_BOUND_FINALIZER);
    await this.client.update(contentsRef, next);
  }

  /** restoreSize is the source volume's capacity: a restore needs a volume at least that big. */
  private volumeSizeBytes(volumeHandle: string): number {
    const pv = this.volumes.list().find((v) => v.spec.csi?.driver === UNYO_LOCAL_DRIVER && v.spec.csi.volumeHandle === volumeHandle);
    const capacity = pv?.spec.capacity?.storage;
    return capacity === undefined ? 0 : Number(integerValue(capacity));
  }

  private rfc3339(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private async writeStatus(content: VolumeSnapshotContent, status: VolumeSnapshotContent['status']): Promise<VolumeSnapshotContent> {
    if (JSON.stringify(content.status ?? {}) === JSON.stringify(status)) return content;
    return this.contents.store(await this.client.update<VolumeSnapshotContent>(contentsRef, { ...structuredClone(content), status }, 'status'));
  }
}

function statusOf(handle: string, info: SnapshotInfo): NonNullable<VolumeSnapshotContent['status']> {
  // Nanoseconds at millisecond resolution: such a number survives JSON's float64 exactly.
  return { snapshotHandle: handle, creationTime: Number(BigInt(info.creationTime) / 1_000_000n) * 1_000_000, readyToUse: true, restoreSize: info.sizeBytes };
}
