// Authorization: may this user do this verb on this resource? The request path asks one
// Authorizer; RBAC (a later issue) plugs in here. Until then authenticated users may do
// everything, with the restrictions upstream's default roles put on the two kinds of
// not-yet-trusted callers:
// - bootstrap-token users (group system:bootstrappers) may only create and read
//   CertificateSigningRequests (system:node-bootstrapper), plus discovery;
// - anonymous users reach health and version, and may read kube-public/cluster-info (the CA
//   and server address a joining node checks against its pin; kubeadm's bootstrap-signer role).
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
const isPublicPath = (path: string) => publicPaths.has(path) || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/');
/** system:discovery, which every authenticated user has. */
const isDiscoveryPath = (path: string) => path === '/api' || path.startsWith('/api/') || path === '/apis' || path.startsWith('/apis/') || path === '/openapi' || path.startsWith('/openapi/');

const bootstrapperVerbs = new Set(['create', 'get', 'list', 'watch']);

export class AuthenticatedAuthorizer implements Authorizer {
  authorize(user: UserInfo, request: RequestInfo): Decision {
    if (user.groups.includes('system:bootstrappers') && !user.groups.includes('system:masters')) return bootstrapper(request);
    if (user.groups.includes('system:authenticated')) return { allowed: true };
    if (!request.isResourceRequest && isPublicPath(request.path)) return { allowed: true };
    if (request.isResourceRequest && request.verb === 'get' && request.group === '' && request.resource === 'configmaps' && request.namespace === 'kube-public' && request.name === 'cluster-info' && !request.subresource) {
      return { allowed: true };
    }
    return { allowed: false, reason: 'anonymous requests are not allowed' };
  }
}

function bootstrapper(request: RequestInfo): Decision {
  if (!request.isResourceRequest) return { allowed: request.verb === 'get' && (isPublicPath(request.path) || isDiscoveryPath(request.path)) };
  const csr = request.group === 'certificates.k8s.io' && request.resource === 'certificatesigningrequests' && !request.subresource;
  return { allowed: csr && bootstrapperVerbs.has(request.verb) };
}

/** Upstream's wording of a refusal: `User "u" cannot list resource "nodes" in API group "" at the cluster scope`. */
export function forbiddenMessage(user: UserInfo, request: RequestInfo): string {
  if (!request.isResourceRequest) return `User "${user.name}" cannot ${request.verb} path "${request.path}"`;
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const scope = request.namespace ? `in the namespace "${request.namespace}"` : 'at the cluster scope';
  return `User "${user.name}" cannot ${request.verb} resource "${resource}" in API group "${request.group}" ${scope}`;
}
