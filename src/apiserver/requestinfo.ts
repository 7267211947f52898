// Parses a request path into what it addresses, as upstream's RequestInfo does:
// /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
// /apis/{group}/{version}/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]
export interface RequestInfo {
  /** True for resource requests; false for /healthz, /version, discovery and the like. */
  isResourceRequest: boolean;
  path: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
}

/** What follows /namespaces/{name}/ that is the namespace's own subresource, not a resource in it. */
const namespaceSubresources = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = { isResourceRequest: false, path, group: '', version: '', namespace: '', resource: '', name: '', subresource: '', verb: method.toLowerCase() };
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    info.version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    info.group = parts[1];
    info.version = parts[2];
    rest = parts.slice(3);
  } else {
    return info;
  }
  if (rest.length === 0) return info;
  info.isResourceRequest = true;
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresources.has(rest[2])) {
    info.namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length >= 2) {
    // /api/v1/namespaces/{name}[/status|/finalize] is the namespace object itself.
    info.namespace = rest[1];
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest.slice(2).join('/');
  if (info.resource === 'namespaces' && info.name === '' && info.namespace) info.name = info.namespace;
  const watch = legacyWatch || query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
    case 'HEAD':
      info.verb = info.name === '' ? (watch ? 'watch' : 'list') : watch ? 'watch' : 'get';
      break;
    case 'POST':
      info.verb = 'create';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = info.name === '' ? 'deletecollection' : 'delete';
      break;
    default:
      info.verb = method.toLowerCase();
  }
  return info;
}
