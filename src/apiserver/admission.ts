// Admission: checks and changes made to writes after validation of the request shape and
// before storage. Plugins run in order; mutating ones first. The namespace lifecycle plugin
// refuses objects in namespaces that do not exist or are being deleted.
import type { KubeObject } from '../api/types.js';
import { errors } from '../api/errors.js';
import type { ResourceType } from '../api/resources.js';
import type { UserInfo } from './authn.js';
import type { Store } from '../store/store.js';
import { storageKey } from '../api/resources.js';

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  resource: ResourceType;
  subresource: string;
  namespace: string;
  name: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

export interface AdmissionPlugin {
  name: string;
  admit?(req: AdmissionRequest): Promise<void> | void;
  validate?(req: AdmissionRequest): Promise<void> | void;
}

export class Admission {
  constructor(private readonly plugins: AdmissionPlugin[]) {}
  async run(req: AdmissionRequest): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(req);
    for (const p of this.plugins) if (p.validate) await p.validate(req);
  }
}

const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

export function namespaceLifecycle(store: Store): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(req) {
      if (req.resource.kind === 'Namespace' && req.resource.group === '' && req.operation === 'DELETE' && immortalNamespaces.has(req.name)) {
        throw errors.forbidden('', 'namespaces', req.name, `this namespace may not be deleted`);
      }
      if (!req.resource.namespaced || req.operation !== 'CREATE' || req.subresource) return;
      const kv = await store.get(storageKey('', 'namespaces', undefined, req.namespace));
      if (!kv) throw errors.notFound('', 'namespaces', req.namespace);
      const ns = JSON.parse(kv.value) as KubeObject;
      // Events may still be written while a namespace terminates, as upstream allows.
      if (ns.metadata.deletionTimestamp && !(req.resource.kind === 'Event')) {
        throw errors.forbidden(req.resource.group, req.resource.plural, req.name, `unable to create new content in namespace ${req.namespace} because it is being terminated`);
      }
    },
  };
}

/**
 * DefaultTolerationSeconds: every new Pod tolerates the not-ready and unreachable NoExecute
 * taints for a while (upstream 300 s), so a brief node outage does not evict it at once.
 */
export function defaultTolerationSeconds(seconds: number): AdmissionPlugin {
  const keys = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];
  return {
    name: 'DefaultTolerationSeconds',
    admit(req) {
      if (req.operation !== 'CREATE' || req.subresource || req.resource.kind !== 'Pod' || req.resource.group !== '' || !req.object) return;
      const spec = (req.object.spec ?? {}) as { tolerations?: Array<Record<string, unknown>> };
      const tolerations = spec.tolerations ?? [];
      for (const key of keys) {
        const covered = tolerations.some((t) => (t.operator === 'Exists' && !t.key) || (t.key === key && (!t.effect || t.effect === 'NoExecute')));
        if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
      }
      spec.tolerations = tolerations;
      req.object.spec = spec;
    },
  };
}
