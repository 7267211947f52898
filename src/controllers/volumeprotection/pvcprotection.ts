// PVC protection (upstream's persistentvolumeclaim-protection controller): a claim keeps its
// kubernetes.io/pvc-protection finalizer while a scheduled Pod uses it, so deleting a claim
// in use leaves it Terminating until the last such Pod is gone. Claims made before the
// admission plugin added the finalizer get it here.
import type { KubeObject } from '../../api/types.js';
import { ApiClient, core } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { PVC_PROTECTION_FINALIZER, isPodTerminal, podClaimNames, type PersistentVolumeClaim } from '../../api/volumes.js';
import { controllerOf } from '../runtime/owners.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';

export const pvcProtection: ControllerDescriptor = {
  name: 'persistentvolumeclaim-protection',
  setup: (ctx) => new PVCProtectionController(ctx),
};

const POD_CLAIM_INDEX = 'claim';

/** A force-deleted Pod, or one whose kubelet is done with it (upstream's podIsShutDown). */
function podIsShutDown(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp && (pod.metadata.deletionGracePeriodSeconds ?? 0) === 0;
}

/** Upstream's podUsesPVC: only a scheduled Pod counts (the kubelet refuses to start one on a claim being deleted). */
export function podUsesClaim(pod: KubeObject, claim: PersistentVolumeClaim): boolean {
  const spec = pod.spec as { nodeName?: string; volumes?: Array<Record<string, any>> } | undefined;
  if (!spec?.nodeName) return false;
  return (spec.volumes ?? []).some(
    (v) =>
      v.persistentVolumeClaim?.claimName === claim.metadata.name ||
      (v.ephemeral && !podIsShutDown(pod) && `${pod.metadata.name}-${v.name}` === claim.metadata.name && controllerOf(claim)?.uid === pod.metadata.uid),
  );
}

export class PVCProtectionController {
  private readonly client: ApiClient;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly pods: Informer;
  readonly controller: Controller;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.claims = ctx.informers.get<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    this.pods = ctx.informers.get(resources.pods);
    this.pods.addIndex(POD_CLAIM_INDEX, (pod) => podClaimNames(pod).map((c) => `${pod.metadata.namespace}/${c}`));
    this.controller = new Controller('persistentvolumeclaim-protection', (key) => this.sync(key), { clock: ctx.clock });
    const enqueue = (c: PersistentVolumeClaim) => this.controller.enqueue(`${c.metadata.namespace}/${c.metadata.name}`);
    this.claims.on({ add: enqueue, update: (_o, c) => enqueue(c) });
    // Only a Pod that is gone, finished or not yet scheduled can free a claim.
    const podChanged = (pod: KubeObject, deleted: boolean) => {
      if (!deleted && !isPodTerminal(pod) && (pod.spec as { nodeName?: string } | undefined)?.nodeName) return;
      for (const name of podClaimNames(pod)) this.controller.enqueue(`${pod.metadata.namespace}/${name}`);
    };
    this.pods.on({
      add: (p) => podChanged(p, false),
      update: (old, p) => {
        podChanged(p, false);
        if (old.metadata.uid !== p.metadata.uid) podChanged(old, true);
      },
      delete: (p) => podChanged(p, true),
    });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  async sync(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim) return;
    const finalizers = claim.metadata.finalizers ?? [];
    if (claim.metadata.deletionTimestamp) {
      if (!finalizers.includes(PVC_PROTECTION_FINALIZER) || (await this.isBeingUsed(claim))) return;
      const next = structuredClone(claim);
      next.metadata.finalizers = finalizers.filter((f) => f !== PVC_PROTECTION_FINALIZER);
      await this.client.update(core('persistentvolumeclaims', claim.metadata.namespace), next);
      return;
    }
    if (!finalizers.includes(PVC_PROTECTION_FINALIZER)) {
      const next = structuredClone(claim);
      next.metadata.finalizers = [...finalizers, PVC_PROTECTION_FINALIZER];
      await this.client.update(core('persistentvolumeclaims', claim.metadata.namespace), next);
    }
  }

  /** The cache first; before letting a claim go, a live list (a Pod just created may not be in the cache yet). */
  private async isBeingUsed(claim: PersistentVolumeClaim): Promise<boolean> {
    const key = `${claim.metadata.namespace}/${claim.metadata.name}`;
    if (this.pods.byIndex(POD_CLAIM_INDEX, key).some((p) => podUsesClaim(p, claim))) return true;
    const live = await this.client.list(core('pods', claim.metadata.namespace));
    return live.items.some((p) => podUsesClaim(p, claim));
  }
}
