// Authentication: who is making a request. Bearer tokens (the admin token written to the
// kubeconfig, later bootstrap and service-account tokens) and client certificates signed
// by the cluster CA. Requests with neither are anonymous and may only reach health and version.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

export const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

export interface TokenAuthenticator {
  /** The user a bearer token stands for, or undefined when the token is not known. */
  authenticateToken(token: string): Promise<UserInfo | undefined> | UserInfo | undefined;
}

/** Static tokens (the admin token). */
export class StaticTokens implements TokenAuthenticator {
  private readonly tokens = new Map<string, UserInfo>();
  add(token: string, user: UserInfo): void {
    this.tokens.set(token, user);
  }
  authenticateToken(token: string): UserInfo | undefined {
    for (const [known, user] of this.tokens) {
      const a = Buffer.from(known);
      const b = Buffer.from(token);
      if (a.length === b.length && timingSafeEqual(a, b)) return user;
    }
    return undefined;
  }
}

export type AuthResult = { user: UserInfo } | { error: 'invalid-token' };

export async function authenticate(req: IncomingMessage, tokens: TokenAuthenticator[]): Promise<AuthResult> {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return { error: 'invalid-token' };
    for (const t of tokens) {
      const user = await t.authenticateToken(m[1]);
      if (user) return { user: withAuthenticated(user) };
    }
    return { error: 'invalid-token' };
  }
  const socket = req.socket as TLSSocket;
  if (socket.authorized && typeof socket.getPeerCertificate === 'function') {
    const cert = socket.getPeerCertificate();
    if (cert && cert.subject && cert.subject.CN) {
      const org = cert.subject.O as unknown;
      const groups = Array.isArray(org) ? (org as string[]) : org ? [String(org)] : [];
      return { user: withAuthenticated({ name: String(cert.subject.CN), groups }) };
    }
  }
  return { user: anonymous };
}

function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes('system:authenticated') ? user : { ...user, groups: [...user.groups, 'system:authenticated'] };
}
