// Bootstrap tokens (upstream's --enable-bootstrap-token-auth): a bearer token "<id>.<secret>"
// stands for the user system:bootstrap:<id> in the group system:bootstrappers (and the extra
// groups its Secret names) while kube-system/bootstrap-token-<id> exists, holds that secret,
// allows authentication and has not expired. The Secret is read from the store on every
// request, so a deleted or expired token is refused at once, on every API server.
import { timingSafeEqual } from 'node:crypto';
import { storageKey } from '../../api/resources.js';
import type { Store } from '../../store/store.js';
import type { TokenAuthenticator, UserInfo } from '../authn.js';

export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
const extraGroupPattern = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

export class BootstrapTokens implements TokenAuthenticator {
  constructor(private readonly store: Store, private readonly now: () => Date = () => new Date()) {}

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const m = BOOTSTRAP_TOKEN_PATTERN.exec(token);
    if (!m) return undefined;
    const [, id, secret] = m;
    const kv = await this.store.get(storageKey('', 'secrets', 'kube-system', `bootstrap-token-${id}`));
    if (!kv) return undefined;
    const obj = JSON.parse(kv.value) as { type?: string; metadata?: { deletionTimestamp?: string }; data?: Record<string, string> };
    if (obj.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || obj.metadata?.deletionTimestamp) return undefined;
    const field = (k: string) => (obj.data?.[k] !== undefined ? Buffer.from(obj.data[k], 'base64').toString('utf8') : '');
    if (field('token-id') !== id) return undefined;
    const want = Buffer.from(field('token-secret'));
    const got = Buffer.from(secret);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    const expiration = field('expiration');
    if (expiration) {
      const at = Date.parse(expiration);
      if (Number.isNaN(at) || this.now().getTime() >= at) return undefined;
    }
    if (field('usage-bootstrap-authentication') !== 'true') return undefined;
    const extra = field('auth-extra-groups').split(',').map((g) => g.trim()).filter(Boolean);
    if (extra.some((g) => !extraGroupPattern.test(g))) return undefined;
    return { name: `system:bootstrap:${id}`, groups: [BOOTSTRAPPERS_GROUP, ...extra] };
  }
}
