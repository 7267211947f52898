// Bootstrap tokens, as kubeadm keeps them: a token "<id>.<secret>" is the Secret
// kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token. Deleting the Secret
// revokes the token; its `expiration` ends it on its own. Only the Kubernetes API is used, so
// these work against any cluster that enables bootstrap-token authentication.
import { randomInt } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { ApiClient, core } from '../client/client.js';

export const TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
/** The extra group joining nodes get (kubeadm: system:bootstrappers:kubeadm:default-node-token). */
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:unyo:default-node-token';
const secretPrefix = 'bootstrap-token-';
const secrets = core('secrets', 'kube-system');

export interface BootstrapToken {
  id: string;
  /** The whole token, "<id>.<secret>" (only known when it was just created). */
  token?: string;
  description: string;
  /** RFC 3339; undefined when it never expires. */
  expiration?: string;
  usages: string[];
  groups: string[];
}

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomString = (n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const rfc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Create a token valid for `ttlSeconds` (0: it never expires). */
export async function createBootstrapToken(client: ApiClient, opts: { ttlSeconds: number; description?: string; now?: Date }): Promise<BootstrapToken> {
  const now = opts.now ?? new Date();
  const expiration = opts.ttlSeconds > 0 ? rfc(new Date(now.getTime() + opts.ttlSeconds * 1000)) : undefined;
  for (let attempt = 0; ; attempt++) {
    const id = randomString(6);
    const secret = randomString(16);
    const data: Record<string, string> = {
      'token-id': b64(id),
      'token-secret': b64(secret),
      'usage-bootstrap-authentication': b64('true'),
      'usage-bootstrap-signing': b64('true'),
      'auth-extra-groups': b64(DEFAULT_NODE_TOKEN_GROUP),
    };
    if (expiration) data.expiration = b64(expiration);
    if (opts.description) data.description = b64(opts.description);
    try {
      await client.create(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${secretPrefix}${id}`, namespace: 'kube-system' }, type: TOKEN_SECRET_TYPE, data } as KubeObject);
    } catch (err) {
      if (err instanceof ApiError && err.code === 409 && attempt < 5) continue;
      throw err;
    }
    return { id, token: `${id}.${secret}`, description: opts.description ?? '', expiration, usages: ['authentication', 'signing'], groups: [DEFAULT_NODE_TOKEN_GROUP] };
  }
}

export async function listBootstrapTokens(client: ApiClient): Promise<BootstrapToken[]> {
  const list = await client.list(secrets, { fieldSelector: `type=${TOKEN_SECRET_TYPE}` });
  return list.items
    .filter((s: any) => s.type === TOKEN_SECRET_TYPE && s.metadata.name.startsWith(secretPrefix))
    .map((s: any) => {
      const field = (k: string) => (s.data?.[k] ? Buffer.from(s.data[k], 'base64').toString('utf8') : '');
      return {
        id: field('token-id') || s.metadata.name.slice(secretPrefix.length),
        description: field('description'),
        expiration: field('expiration') || undefined,
        usages: Object.keys(s.data ?? {}).filter((k) => k.startsWith('usage-bootstrap-') && field(k) === 'true').map((k) => k.slice('usage-bootstrap-'.length)).sort(),
        groups: field('auth-extra-groups').split(',').filter(Boolean),
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Revoke a token, given its id or the whole token. */
export async function deleteBootstrapToken(client: ApiClient, idOrToken: string): Promise<string> {
  const id = idOrToken.split('.')[0];
  if (!/^[a-z0-9]{6}$/.test(id)) throw new Error(`"${idOrToken}" is not a bootstrap token or token id ([a-z0-9]{6})`);
  try {
    await client.delete(secrets, `${secretPrefix}${id}`);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) throw new Error(`bootstrap token "${id}" not found`);
    throw err;
  }
  return id;
}
