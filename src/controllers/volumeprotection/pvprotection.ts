// PV protection (upstream's persistentvolume-protection controller): a PersistentVolume keeps
// its kubernetes.io/pv-protection finalizer while it is Bound to a claim, so deleting a volume
// in use leaves it Terminating until the claim lets go of it.
import { ApiClient, core } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { PV_PROTECTION_FINALIZER, type PersistentVolume } from '../../api/volumes.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';

export const pvProtection: ControllerDescriptor = {
  name: 'persistentvolume-protection',
  setup: (ctx) => new PVProtectionController(ctx),
};

export class PVProtectionController {
  private readonly client: ApiClient;
  private readonly volumes: Informer<PersistentVolume>;
  readonly controller: Controller;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.volumes = ctx.informers.get<PersistentVolume>(resources.persistentVolumes);
    this.controller = new Controller('persistentvolume-protection', (key) => this.sync(key), { clock: ctx.clock });
    this.volumes.on({ add: (v) => this.controller.enqueue(v.metadata.name!), update: (_o, v) => this.controller.enqueue(v.metadata.name!) });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  async sync(name: string): Promise<void> {
    const volume = this.volumes.get(name);
    if (!volume) return;
    const finalizers = volume.metadata.finalizers ?? [];
    const next = structuredClone(volume);
    if (volume.metadata.deletionTimestamp) {
      if (!finalizers.includes(PV_PROTECTION_FINALIZER) || volume.status?.phase === 'Bound') return;
      next.metadata.finalizers = finalizers.filter((f) => f !== PV_PROTECTION_FINALIZER);
    } else if (!finalizers.includes(PV_PROTECTION_FINALIZER)) {
      next.metadata.finalizers = [...finalizers, PV_PROTECTION_FINALIZER];
    } else return;
    await this.client.update(core('persistentvolumes'), next);
  }
}
