// Defaults for the small cluster-wide kinds: RBAC bindings' API groups, EndpointSlice ports,
// PriorityClass preemption, and CustomResourceDefinition names, conversion and stored versions.
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { each, ensureObject, maybe, setDefault, type Obj } from './common.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function defaultRoleBinding(b: KubeObject): void {
  const o = b as Obj;
  const ref = ensureObject(o, 'roleRef');
  if (!ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  each(o.subjects, (s) => {
    if (s.apiGroup) return;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  });
}

export function defaultEndpointSlice(slice: KubeObject): void {
  each((slice as Obj).ports, (p) => {
    setDefault(p, 'name', '');
    setDefault(p, 'protocol', 'TCP');
  });
}

export function defaultPriorityClass(pc: KubeObject): void {
  setDefault(pc as Obj, 'preemptionPolicy', 'PreemptLowerPriority');
}

export function defaultCustomResourceDefinition(crd: KubeObject): void {
  const s = ensureObject(crd, 'spec');
  const names = ensureObject(s, 'names');
  if (!names.singular && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  if (!isObject(s.conversion)) s.conversion = { strategy: 'None' };
  maybe(s.conversion.webhook, (w) => maybe(w.clientConfig, (cc) => maybe(cc.service, (svc) => setDefault(svc, 'port', 443))));
  const status = ensureObject(crd, 'status');
  if (!Array.isArray(status.storedVersions) || status.storedVersions.length === 0) {
    const storage = Array.isArray(s.versions) ? s.versions.find((v: Obj) => v?.storage === true) : undefined;
    if (storage) status.storedVersions = [storage.name];
  }
}
