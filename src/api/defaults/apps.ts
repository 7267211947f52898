// Defaults for apps/v1 workloads: replica counts, rollout strategies and history limits, and the
// pod template each one carries.
import type { KubeObject } from '../types.js';
import { ensureObject, maybe, setDefault, type Obj } from './common.js';
import { defaultPersistentVolumeClaimSpec, defaultPodTemplateSpec } from './pod.js';

function spec(o: KubeObject): Obj {
  return ensureObject(o, 'spec');
}

export function defaultDeployment(d: KubeObject): void {
  const s = spec(d);
  setDefault(s, 'replicas', 1);
  const strategy = ensureObject(s, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObject(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(s, 'revisionHistoryLimit', 10);
  setDefault(s, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(s.template);
}

export function defaultReplicaSet(rs: KubeObject): void {
  const s = spec(rs);
  setDefault(s, 'replicas', 1);
  defaultPodTemplateSpec(s.template);
}

export function defaultDaemonSet(ds: KubeObject): void {
  const s = spec(ds);
  const strategy = ensureObject(s, 'updateStrategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObject(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(s, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(s.template);
}

export function defaultStatefulSet(sts: KubeObject): void {
  const s = spec(sts);
  if (!s.podManagementPolicy) s.podManagementPolicy = 'OrderedReady';
  const strategy = ensureObject(s, 'updateStrategy');
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    ensureObject(strategy, 'rollingUpdate');
  }
  if (strategy.type === 'RollingUpdate') maybe(strategy.rollingUpdate, (ru) => setDefault(ru, 'partition', 0));
  const retention = ensureObject(s, 'persistentVolumeClaimRetentionPolicy');
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  setDefault(s, 'replicas', 1);
  setDefault(s, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(s.template);
  if (Array.isArray(s.volumeClaimTemplates)) {
    for (const t of s.volumeClaimTemplates) maybe(t, (claim) => defaultPersistentVolumeClaimSpec(ensureObject(claim, 'spec')));
  }
}
