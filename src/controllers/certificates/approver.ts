// csrapproving (upstream pkg/controller/certificates/approver): approves node client
// certificate requests on their own, as upstream's SubjectAccessReview approver does with
// kubeadm's default bindings: a request for signer kube-apiserver-client-kubelet whose subject
// is a node's (`CN=system:node:<name>, O=system:nodes`, client usages, no alternative names),
// made either by a bootstrap-token user (group system:bootstrappers: a node joining) or by that
// node itself (renewal). Anything else is left for a person (`kubectl certificate approve`).
import { ApiError } from '../../api/errors.js';
import { ApiClient } from '../../client/client.js';
import { Informer } from '../../client/informer.js';
import { KUBE_APISERVER_CLIENT_KUBELET_SIGNER, NODE_USER_PREFIX, nodeClientRequestError } from '../../api/certificates/signers.js';
import { rfc3339, type Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { isDecided, parsedRequest, type CertificateSigningRequest } from './csr.js';

export const csrApproving: ControllerDescriptor = {
  name: 'csrapproving',
  setup: (ctx) => new CsrApprovingController(ctx),
};

/** Why this request is approved automatically, or undefined when it is not. */
export function autoApproval(csr: CertificateSigningRequest): string | undefined {
  if (csr.spec?.signerName !== KUBE_APISERVER_CLIENT_KUBELET_SIGNER) return undefined;
  const parsed = parsedRequest(csr);
  if (!parsed || nodeClientRequestError(parsed, csr.spec.usages ?? [])) return undefined;
  const groups = csr.spec.groups ?? [];
  if (groups.includes('system:bootstrappers')) return 'Auto approving kubelet client certificate after SubjectAccessReview.';
  if (csr.spec.username === parsed.commonName && csr.spec.username.startsWith(NODE_USER_PREFIX) && groups.includes('system:nodes')) {
    return 'Auto approving self kubelet client certificate after SubjectAccessReview.';
  }
  return undefined;
}

export class CsrApprovingController {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly csrs: Informer<CertificateSigningRequest>;
  private readonly controller: Controller;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.csrs = ctx.informers.get<CertificateSigningRequest>(resources.certificateSigningRequests);
    this.controller = new Controller('csrapproving', (key) => this.reconcile(key), { clock: ctx.clock });
    const enqueue = (csr: CertificateSigningRequest) => {
      if (!isDecided(csr)) this.controller.enqueue(csr.metadata.name!);
    };
    this.csrs.on({ add: enqueue, update: (_old, cur) => enqueue(cur) });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private async reconcile(name: string): Promise<void> {
    const csr = this.csrs.get(name);
    if (!csr || isDecided(csr)) return;
    const message = autoApproval(csr);
    if (!message) return;
    const now = rfc3339(this.clock.now());
    const approved = structuredClone(csr);
    approved.status = { ...(approved.status ?? {}), conditions: [...(approved.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message, lastUpdateTime: now, lastTransitionTime: now }] };
    try {
      await this.client.update(resources.certificateSigningRequests, approved, 'approval');
    } catch (err) {
      // Gone, or changed meanwhile (the next event brings it back if it still needs us).
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
