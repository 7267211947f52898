// Writing responses: JSON bodies, Status errors, Warning headers, and the Table form kubectl
// asks for with its Accept header.
import type { ServerResponse, IncomingMessage } from 'node:http';
import { ApiError, errors } from '../api/errors.js';
import type { Status } from '../api/types.js';
import { parseTableAccept } from './table/table.js';
import { UnavailableError } from '../store/store.js';

export function writeJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = [], contentType = 'application/json'): void {
  if (res.headersSent) return;
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string | string[] | number> = {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length) headers['Warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(data);
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  // Whatever path met it, a store that cannot answer (no quorum, closed) is a 503 the client may retry.
  if (err instanceof UnavailableError) return errors.serviceUnavailable(`storage is unavailable: ${err.message}`);
  const message = err instanceof Error ? err.message : String(err);
  return errors.internal(message);
}

export function writeError(res: ServerResponse, err: unknown, warnings: string[] = []): void {
  const e = toApiError(err);
  if (e.code >= 500 && !(err instanceof ApiError)) console.error('internal error:', err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: string[] = [];
  if (e.status.details?.retryAfterSeconds) res.setHeader('Retry-After', String(e.status.details.retryAfterSeconds));
  writeJson(res, e.code, e.status, [...warnings, ...headers]);
}

export function successStatus(details: Status['details']): Status {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', details, code: 200 } as Status;
}

/** Whether the client asked for a Table (kubectl get does); 406 when it accepts nothing we can produce. */
export function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  if (!accept || !/as=Table/.test(accept)) return false;
  const choice = parseTableAccept(accept);
  if (!choice) throw errors.notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf; and Table as application/json;as=Table;v=v1;g=meta.k8s.io`);
  return choice.table;
}
