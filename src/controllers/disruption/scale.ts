// The expected number of Pods behind a PodDisruptionBudget: the sum of the scales of the
// controllers of the Pods it selects (upstream getExpectedScale). A ReplicaSet owned by a
// Deployment counts as the Deployment; any other kind is asked through its scale subresource.
import { ApiClient } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { controllerOf } from '../runtime/owners.js';
import type { Pod } from '../runtime/pods.js';

export interface ControllerScale {
  uid: string;
  scale: number;
}

export interface ScaleSources {
  client: ApiClient;
  replicaSets: Informer;
  deployments: Informer;
  statefulSets: Informer;
  replicationControllers: Informer;
}

type Finder = (ref: OwnerReference, namespace: string) => Promise<ControllerScale | undefined>;

const replicas = (o: KubeObject | undefined) => ((o?.spec as any)?.replicas ?? 1) as number;

function byRef(informer: Informer, ref: OwnerReference, namespace: string, kind: string, group: string): KubeObject | undefined {
  if (ref.kind !== kind || (ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '') !== group) return undefined;
  const obj = informer.get(`${namespace}/${ref.name}`);
  return obj?.metadata.uid === ref.uid ? obj : undefined;
}

/** The finders in upstream's order: ReplicationController, Deployment (via its ReplicaSet), ReplicaSet, StatefulSet, any scale. */
export function finders(s: ScaleSources, scaleOf: (ref: OwnerReference, namespace: string) => Promise<ControllerScale | undefined>): Finder[] {
  return [
    async (ref, ns) => {
      const rc = byRef(s.replicationControllers, ref, ns, 'ReplicationController', '');
      return rc && { uid: rc.metadata.uid!, scale: replicas(rc) };
    },
    async (ref, ns) => {
      const rs = byRef(s.replicaSets, ref, ns, 'ReplicaSet', 'apps');
      const owner = rs && controllerOf(rs);
      const d = owner && byRef(s.deployments, owner, ns, 'Deployment', 'apps');
      return d && { uid: d.metadata.uid!, scale: replicas(d) };
    },
    async (ref, ns) => {
      const rs = byRef(s.replicaSets, ref, ns, 'ReplicaSet', 'apps');
      // Owned by a Deployment: the Deployment finder has answered for it.
      if (!rs || controllerOf(rs)?.kind === 'Deployment') return undefined;
      return { uid: rs.metadata.uid!, scale: replicas(rs) };
    },
    async (ref, ns) => {
      const ss = byRef(s.statefulSets, ref, ns, 'StatefulSet', 'apps');
      return ss && { uid: ss.metadata.uid!, scale: replicas(ss) };
    },
    scaleOf,
  ];
}

/** Ask any kind with a scale subresource, finding its resource name through discovery. */
export function scaleSubresource(client: ApiClient): (ref: OwnerReference, namespace: string) => Promise<ControllerScale | undefined> {
  const plurals = new Map<string, Map<string, string>>();
  return async (ref, namespace) => {
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    let kinds = plurals.get(base);
    if (!kinds) {
      kinds = new Map();
      const list: any = await client.request('GET', base).catch(() => undefined);
      const names = new Set<string>((list?.resources ?? []).map((r: any) => r.name));
      for (const r of list?.resources ?? []) if (!r.name.includes('/') && names.has(`${r.name}/scale`)) kinds.set(r.kind, r.name);
      plurals.set(base, kinds);
    }
    const plural = kinds.get(ref.kind);
    if (!plural) return undefined;
    const scale: any = await client.request('GET', `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(ref.name)}/scale`).catch(() => undefined);
    if (!scale || scale.metadata?.uid !== ref.uid) return undefined;
    return { uid: scale.metadata.uid, scale: scale.spec?.replicas ?? 0 };
  };
}

/**
 * Sum the scales of the selected Pods' controllers, each counted once; Pods without a
 * controller are returned as unmanaged. A Pod whose controller cannot be found is an error.
 */
export async function expectedScale(pods: Pod[], find: Finder[]): Promise<{ expected: number; unmanaged: string[] }> {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name!);
      continue;
    }
    if (scales.has(ref.uid)) continue;
    let found: ControllerScale | undefined;
    for (const f of find) {
      found = await f(ref, pod.metadata.namespace!);
      if (found) break;
    }
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(found.uid, found.scale);
  }
  let expected = 0;
  for (const n of scales.values()) expected += n;
  return { expected, unmanaged };
}

/** An int-or-percent scaled against a total, rounding up (upstream GetScaledValueFromIntOrPercent). */
export function scaledValue(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) {
    if (/^\d+$/.test(value)) return Number(value);
    throw new Error(`invalid value for IntOrString: invalid value "${value}": must be an integer or percentage (e.g "5%")`);
  }
  return Math.ceil((Number(m[1]) * total) / 100);
}
