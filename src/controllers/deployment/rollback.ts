// Rollback through the deprecated.deployment.rollback.to annotation (upstream rollback.go),
// what apps/v1beta1 and extensions/v1beta1 clients ask for with spec.rollbackTo: copy the pod
// template of the ReplicaSet with that revision (0: the one before the current) into the
// Deployment and remove the request. The rollout that follows reuses that ReplicaSet and gives
// it the next revision. `kubectl rollout undo` does the same on the client side, by patching
// the template, and needs nothing from here.
import { deploymentObject, type Deployment, type DeploymentDeps, type ReplicaSet } from './types.js';
import { getAllReplicaSetsAndSyncRevision, updateDeployment } from './sync.js';
import { equalIgnoreHash, podTemplateHashLabel } from './util/hash.js';
import { lastRevision, revisionOf, rollbackToAnnotation, setDeploymentAnnotationsTo } from './util/revision.js';

export const rollbackReasons = {
  revisionNotFound: 'DeploymentRollbackRevisionNotFound',
  templateUnchanged: 'DeploymentRollbackTemplateUnchanged',
  done: 'DeploymentRollback',
} as const;

/** The revision a rollback asks for, if the annotation is there and a number. */
export function rollbackTo(d: Deployment): number | undefined {
  const v = d.metadata.annotations?.[rollbackToAnnotation];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

export async function rollback(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true);
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  let revision = rollbackTo(d)!;
  const warn = (reason: string, message: string) => deps.events.record(deploymentObject(d), 'Warning', reason, message);
  if (revision === 0) {
    revision = lastRevision(all);
    if (revision === 0) {
      warn(rollbackReasons.revisionNotFound, 'Unable to find last revision.');
      return clearRollbackTo(deps, d);
    }
  }
  const target = all.find((rs) => revisionOf(rs) === revision);
  if (!target) {
    warn(rollbackReasons.revisionNotFound, 'Unable to find the revision to rollback to.');
    return clearRollbackTo(deps, d);
  }
  if (equalIgnoreHash(d.spec.template, target.spec.template)) {
    warn(rollbackReasons.templateUnchanged, `The rollback revision contains the same template as current deployment "${d.metadata.name}"`);
    return clearRollbackTo(deps, d);
  }
  const template = structuredClone(target.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels[podTemplateHashLabel];
  d.spec.template = template;
  setDeploymentAnnotationsTo(d, target);
  await clearRollbackTo(deps, d);
  deps.events.record(deploymentObject(d), 'Normal', rollbackReasons.done, `Rolled back deployment "${d.metadata.name}" to revision ${revision}`);
}

async function clearRollbackTo(deps: DeploymentDeps, d: Deployment): Promise<void> {
  if (d.metadata.annotations) delete d.metadata.annotations[rollbackToAnnotation];
  await updateDeployment(deps, d);
}
