// Upstream's storage admission plugins: DefaultStorageClass (a claim that names no class gets
// the default one), StorageObjectInUseProtection (new claims and volumes get their protection
// finalizers, so they outlive their users) and PersistentVolumeClaimResize (a claim may only
// grow when it is bound and its class allows expansion).
import { errors } from '../../api/errors.js';
import { compareQuantities, quantityError } from '../../api/validation/quantity.js';
import { storagePrefix, storageKey } from '../../api/resources.js';
import {
  claimClass, claimHasClass, defaultStorageClass, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER,
  type PersistentVolumeClaim, type StorageClass,
} from '../../api/volumes.js';
import type { Store } from '../../store/store.js';
import type { AdmissionPlugin, AdmissionRequest } from '../admission.js';

const isCore = (req: AdmissionRequest, kind: string) => req.resource.kind === kind && req.resource.group === '';

async function storageClasses(store: Store): Promise<StorageClass[]> {
  const page = await store.list(storagePrefix('storage.k8s.io', 'storageclasses'));
  return page.items.map((kv) => JSON.parse(kv.value) as StorageClass);
}

export function defaultStorageClassAdmission(store: Store): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async admit(req) {
      if (req.operation !== 'CREATE' || req.subresource || !isCore(req, 'PersistentVolumeClaim') || !req.object) return;
      const claim = req.object as PersistentVolumeClaim;
      if (claimHasClass(claim)) return;
      const chosen = defaultStorageClass(await storageClasses(store));
      if (!chosen) return;
      claim.spec = { ...(claim.spec ?? {}), storageClassName: chosen.metadata.name };
    },
  };
}

export function storageObjectInUseProtection(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    admit(req) {
      if (req.operation !== 'CREATE' || req.subresource || !req.object) return;
      const finalizer = isCore(req, 'PersistentVolumeClaim') ? PVC_PROTECTION_FINALIZER : isCore(req, 'PersistentVolume') ? PV_PROTECTION_FINALIZER : undefined;
      if (!finalizer) return;
      const meta = req.object.metadata;
      if (!(meta.finalizers ?? []).includes(finalizer)) meta.finalizers = [...(meta.finalizers ?? []), finalizer];
    },
  };
}

export function persistentVolumeClaimResize(store: Store): AdmissionPlugin {
  return {
    name: 'PersistentVolumeClaimResize',
    async validate(req) {
      if (req.operation !== 'UPDATE' || req.subresource || !isCore(req, 'PersistentVolumeClaim') || !req.object || !req.oldObject) return;
      const claim = req.object as PersistentVolumeClaim;
      const old = req.oldObject as PersistentVolumeClaim;
      const size = claim.spec?.resources?.requests?.storage;
      const oldSize = old.spec?.resources?.requests?.storage;
      if (size === undefined || oldSize === undefined || quantityError(size) || quantityError(oldSize) || compareQuantities(size, oldSize) <= 0) return;
      const refuse = (why: string) => errors.forbidden('', 'persistentvolumeclaims', req.name, why);
      if (old.status?.phase !== 'Bound') throw refuse('Only bound persistent volume claims can be expanded');
      const className = claimClass(claim);
      let allowed = false;
      if (className && className === claimClass(old)) {
        const kv = await store.get(storageKey('storage.k8s.io', 'storageclasses', undefined, className));
        allowed = kv ? (JSON.parse(kv.value) as StorageClass).allowVolumeExpansion === true : false;
      }
      if (!allowed) throw refuse('only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
    },
  };
}
