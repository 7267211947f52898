// persistentVolumeClaim volumes: the claim leads to its bound PersistentVolume, and the PV's
// source says where the data is. A unyo.local volume is the directory <volumes dir>/<handle>,
// which every node of the machine reaches, so a Pod moved to another node mounts the same
// data; hostPath and local PVs are paths of this machine. The messages are the kubelet's.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../api/types.js';
import { UNYO_LOCAL_DRIVER, isValidUnyoLocalHandle, type PersistentVolume, type PersistentVolumeClaim } from '../../api/volumes.js';
import { core, type ResourceRef } from '../../client/client.js';
import { checkHostPathType } from './hostpath.js';
import { SetUpError, type PersistentVolumeClaimVolumeSource, type VolumeClient, type VolumeContext, type VolumePlugin } from './types.js';

async function fetch<T extends KubeObject>(client: VolumeClient, ref: ResourceRef, name: string): Promise<T | undefined> {
  try {
    return (await client.get(ref, name)) as T;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

const PV_SOURCES = ['csi', 'hostPath', 'local', 'nfs', 'iscsi', 'fc', 'rbd', 'cephfs', 'glusterfs', 'awsElasticBlockStore', 'gcePersistentDisk', 'azureDisk', 'azureFile', 'cinder', 'vsphereVolume', 'portworxVolume', 'flexVolume'];

/** The directory on this machine holding the PV's data. */
async function volumeDirectory(pv: PersistentVolume, ctx: VolumeContext): Promise<string> {
  const name = pv.metadata.name;
  const spec = pv.spec;
  if (spec.csi) {
    if (spec.csi.driver !== UNYO_LOCAL_DRIVER) throw new SetUpError(`kubernetes.io/csi: mounter.SetUpAt failed to get CSI client: driver name ${spec.csi.driver} not found in the list of registered CSI drivers`);
    if (!ctx.volumesDir) throw new SetUpError(`${UNYO_LOCAL_DRIVER} volume ${name}: this node agent was started without --volumes-dir`);
    const handle = spec.csi.volumeHandle;
    if (!isValidUnyoLocalHandle(handle)) throw new SetUpError(`${UNYO_LOCAL_DRIVER} volume ${name}: invalid volume handle ${JSON.stringify(handle)}`);
    const dir = join(ctx.volumesDir, handle);
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new SetUpError(`${UNYO_LOCAL_DRIVER} volume ${name}: volume directory ${dir} does not exist`);
    return dir;
  }
  if (spec.hostPath) {
    await checkHostPathType(spec.hostPath.path, spec.hostPath.type ?? '');
    return spec.hostPath.path;
  }
  if (spec.local) {
    if (!(await stat(spec.local.path).catch(() => undefined))) throw new SetUpError(`path "${spec.local.path}" does not exist`);
    return spec.local.path;
  }
  const type = PV_SOURCES.find((k) => spec[k] !== undefined && spec[k] !== null) ?? 'unknown';
  throw new SetUpError(`PersistentVolume ${name} is a ${type} volume, which unyo does not support`);
}

export const persistentVolumeClaimPlugin: VolumePlugin = {
  async setUp(volume, ctx) {
    const source = volume.persistentVolumeClaim as PersistentVolumeClaimVolumeSource;
    const namespace = ctx.pod.metadata.namespace ?? 'default';
    const key = `${namespace}/${source.claimName}`;
    const claim = await fetch<PersistentVolumeClaim>(ctx.client, core('persistentvolumeclaims', namespace), source.claimName);
    if (!claim) throw new SetUpError(`error processing PVC ${key}: failed to fetch PVC from API server: persistentvolumeclaims "${source.claimName}" not found`);
    if (claim.metadata.deletionTimestamp) throw new SetUpError(`error processing PVC ${key}: can't start pod because PVC is being deleted`);
    const volumeName = claim.spec?.volumeName ?? '';
    if (claim.status?.phase !== 'Bound' || !volumeName) throw new SetUpError(`error processing PVC ${key}: PVC ${key} has non-bound phase ("${claim.status?.phase ?? ''}") or empty pvc.Spec.VolumeName ("${volumeName}")`);
    const pv = await fetch<PersistentVolume>(ctx.client, core('persistentvolumes'), volumeName);
    if (!pv) throw new SetUpError(`error processing PVC ${key}: failed to fetch PV ${volumeName} from API server: persistentvolumes "${volumeName}" not found`);
    if (!pv.spec.claimRef) throw new SetUpError(`error processing PVC ${key}: found PV object ${volumeName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
    if (pv.spec.claimRef.uid !== claim.metadata.uid) throw new SetUpError(`error processing PVC ${key}: found PV object ${volumeName} but its pv.Spec.ClaimRef.UID (${pv.spec.claimRef.uid ?? ''}) does not point to claim.UID (${claim.metadata.uid})`);
    const hostPath = await volumeDirectory(pv, ctx);
    return { hostPath, readOnly: source.readOnly === true || pv.spec.csi?.readOnly === true, changed: false };
  },
};
