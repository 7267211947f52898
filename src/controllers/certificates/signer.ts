// csrsigning (upstream pkg/controller/certificates/signer): issues the certificates of
// approved requests for the built-in signers with the cluster CA
// (--cluster-signing-cert-file/--cluster-signing-key-file). Each signer's rules are checked
// first (a request that breaks them gets a Failed condition, reason SignerValidationFailure,
// and no certificate). The certificate is valid for the shorter of spec.expirationSeconds and
// --cluster-signing-duration (one year), never beyond the CA itself, and is backdated five
// minutes for clock skew. Requests for other signers are left to their own signers.
import { ApiError } from '../../api/errors.js';
import { ApiClient } from '../../client/client.js';
import { Informer } from '../../client/informer.js';
import { builtinSigners, signerRefusal } from '../../api/certificates/signers.js';
import { signCertificateRequest, type KeyPairPem } from '../../api/certificates/x509.js';
import { rfc3339, type Clock } from '../runtime/clock.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { Controller, TerminalError } from '../runtime/controller.js';
import { resources } from '../runtime/informers.js';
import { hasCondition, parsedRequest, type CertificateSigningRequest } from './csr.js';

export const csrSigning: ControllerDescriptor = {
  name: 'csrsigning',
  setup: (ctx) => new CsrSigningController(ctx),
};

/** Waiting for us: approved, not denied or failed, no certificate yet, one of our signers. */
export function needsSigning(csr: CertificateSigningRequest): boolean {
  return hasCondition(csr, 'Approved') && !hasCondition(csr, 'Denied') && !hasCondition(csr, 'Failed') && !csr.status?.certificate && builtinSigners.includes(csr.spec?.signerName);
}

export class CsrSigningController {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly csrs: Informer<CertificateSigningRequest>;
  private readonly controller: Controller;
  private readonly ca?: KeyPairPem;
  private readonly durationSeconds: number;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.ca = ctx.clusterSigning?.ca;
    this.durationSeconds = ctx.clusterSigning?.durationSeconds ?? 365 * 24 * 3600;
    this.csrs = ctx.informers.get<CertificateSigningRequest>(resources.certificateSigningRequests);
    this.controller = new Controller('csrsigning', (key) => this.reconcile(key), { clock: ctx.clock });
    const enqueue = (csr: CertificateSigningRequest) => {
      if (this.ca && needsSigning(csr)) this.controller.enqueue(csr.metadata.name!);
    };
    this.csrs.on({ add: enqueue, update: (_old, cur) => enqueue(cur) });
  }

  start(): void {
    if (!this.ca) console.error('csrsigning: no --cluster-signing-cert-file/--cluster-signing-key-file, so no certificate requests are signed');
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private async reconcile(name: string): Promise<void> {
    const csr = this.csrs.get(name);
    if (!csr || !this.ca || !needsSigning(csr)) return;
    const usages = csr.spec.usages ?? [];
    const parsed = parsedRequest(csr);
    const refusal = parsed ? signerRefusal(csr.spec.signerName, parsed, usages) : 'the request does not parse';
    const next = structuredClone(csr);
    if (refusal) {
      const now = rfc3339(this.clock.now());
      next.status = { ...(next.status ?? {}), conditions: [...(next.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: refusal, lastUpdateTime: now, lastTransitionTime: now }] };
    } else {
      const seconds = Math.min(csr.spec.expirationSeconds ?? Infinity, this.durationSeconds);
      const now = this.clock.now();
      const certificate = await signCertificateRequest(this.ca, Buffer.from(csr.spec.request, 'base64').toString('utf8'), { usages, notAfter: new Date(now + seconds * 1000), now: new Date(now) }).catch((err: Error) => {
        throw new TerminalError(`cannot sign: ${err.message}`);
      });
      next.status = { ...(next.status ?? {}), certificate: Buffer.from(certificate).toString('base64') };
    }
    try {
      await this.client.update(resources.certificateSigningRequests, next, 'status');
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
