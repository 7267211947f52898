// Authorization: may this user do this verb on this resource? The request path asks one
// Authorizer; RBAC (a later issue) plugs in here. Until then authenticated users may do
// everything and anonymous users only reach the non-resource health and version paths.
import type { UserInfo } from './authn.js';
import type { RequestInfo } from './requestinfo.js';

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export interface Authorizer {
  authorize(user: UserInfo, request: RequestInfo): Promise<Decision> | Decision;
}

const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

export class AuthenticatedAuthorizer implements Authorizer {
  authorize(user: UserInfo, request: RequestInfo): Decision {
    if (user.groups.includes('system:authenticated')) return { allowed: true };
    if (!request.isResourceRequest && (publicPaths.has(request.path) || request.path.startsWith('/healthz/') || request.path.startsWith('/livez/') || request.path.startsWith('/readyz/'))) return { allowed: true };
    return { allowed: false, reason: 'anonymous requests are not allowed' };
  }
}
