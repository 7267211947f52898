// Writing responses: JSON bodies, Status errors, Warning headers, and the Table form kubectl
// asks for with its Accept header.
import type { ServerResponse, IncomingMessage } from 'node:http';
import { ApiError, errors } from '../api/errors.js';
import type { Status } from '../api/types.js';

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

export function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? '');
}
