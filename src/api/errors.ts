// The one catalogue of API errors. Every error the API answers is a Kubernetes Status with the
// HTTP code and reason upstream uses for the same situation, built here and nowhere else, so
// kubectl prints "Error from server (Reason): message" exactly as it does for a real cluster.
import type { Status, StatusCause, StatusDetails } from './types.js';

export class ApiError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason, code };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

/** A group+resource as upstream prints it in messages: "deployments.apps", "pods". */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),

  unauthorized: (message = 'Unauthorized') => new ApiError(401, 'Unauthorized', message),

  forbidden: (group: string, resource: string, name: string, why: string) =>
    new ApiError(403, 'Forbidden', `${qualifiedResource(group, resource)}${name ? ` "${name}"` : ''} is forbidden: ${why}`, { name: name || undefined, group: group || undefined, kind: resource }),

  /** A refused request for a path that is no resource (upstream: `forbidden: User "u" cannot get path "/metrics"`). */
  forbiddenPath: (why: string) => new ApiError(403, 'Forbidden', `forbidden: ${why}`),

  notFound: (group: string, resource: string, name: string) =>
    new ApiError(404, 'NotFound', `${qualifiedResource(group, resource)} "${name}" not found`, { name, group: group || undefined, kind: resource }),

  /** An URL the server does not serve at all (unknown group, version or resource). */
  pathNotFound: (message = 'the server could not find the requested resource') =>
    new ApiError(404, 'NotFound', message, {}),

  /** A subresource that exists upstream but that this server does not serve (yet). */
  notFoundSubresource: (resource: { group: string; plural: string }, sub: string) =>
    new ApiError(404, 'NotFound', `the server does not serve the ${sub} subresource of ${qualifiedResource(resource.group, resource.plural)}`, {}),

  methodNotAllowed: (verb: string, what: string) =>
    new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${what}"`),

  notAcceptable: (message: string) => new ApiError(406, 'NotAcceptable', message),

  alreadyExists: (group: string, resource: string, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualifiedResource(group, resource)} "${name}" already exists`, { name, group: group || undefined, kind: resource }),

  conflict: (group: string, resource: string, name: string, why: string) =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`, { name, group: group || undefined, kind: resource }),

  /** Server-side apply found fields owned by other managers. */
  applyConflict: (causes: StatusCause[], message: string) =>
    new ApiError(409, 'Conflict', message, { causes }),

  gone: (message: string) => new ApiError(410, 'Expired', message),

  requestEntityTooLarge: (message: string) => new ApiError(413, 'RequestEntityTooLarge', message),

  unsupportedMediaType: (contentType: string) =>
    new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got "${contentType}")`),

  /** Validation failures: kind is the Kind ("Deployment"), causes name each bad field. */
  invalid: (group: string, kind: string, name: string, all: FieldError[]) => {
    // Identical errors are reported once, as upstream's aggregate does.
    const seen = new Set<string>();
    const causes = all.filter((c) => {
      const text = fieldErrorText(c);
      if (seen.has(text)) return false;
      seen.add(text);
      return true;
    });
    const list = causes.map(fieldErrorText);
    const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    return new ApiError(422, 'Invalid', `${qualifiedResource(group, kind)} "${name}" is invalid: ${summary}`, {
      name,
      group: group || undefined,
      kind,
      causes: causes.map((c) => ({ reason: c.type, message: fieldErrorText(c).slice(c.field.length + 2), field: c.field })),
    });
  },

  tooManyRequests: (message: string, retryAfterSeconds?: number) =>
    new ApiError(429, 'TooManyRequests', message, retryAfterSeconds ? { retryAfterSeconds } : undefined),

  internal: (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),

  serviceUnavailable: (message: string) => new ApiError(503, 'ServiceUnavailable', message),

  timeout: (message: string, retryAfterSeconds = 1) => new ApiError(504, 'Timeout', message, { retryAfterSeconds }),
};

/** One bad field, as upstream's field.Error: Required, Invalid, NotSupported, Duplicate, Forbidden, TooLong, FieldValueTypeInvalid. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTypeInvalid' | 'FieldValueTooMany' | 'FieldValueNotFound';
  field: string;
  value?: unknown;
  detail?: string;
  /** For NotSupported: the values that are allowed. */
  supported?: string[];
}

const typeText: Record<FieldError['type'], string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueTooMany: 'Too many',
  FieldValueNotFound: 'Not found',
};

function valueText(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return JSON.stringify(value);
}

/** Renders a field error the way upstream's field.Error.Error() does. */
export function fieldErrorText(e: FieldError): string {
  let text = `${e.field}: ${typeText[e.type]}`;
  const showValue = e.type === 'FieldValueInvalid' || e.type === 'FieldValueNotSupported' || e.type === 'FieldValueDuplicate' || e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueNotFound' || e.type === 'FieldValueTooMany';
  if (showValue && e.value !== undefined) text += `: ${valueText(e.value)}`;
  if (e.type === 'FieldValueNotSupported' && e.supported) text += `: supported values: ${e.supported.map((s) => `"${s}"`).join(', ')}`;
  else if (e.detail) text += `: ${e.detail}`;
  return text;
}

/** Small builders so validators read like upstream's field.Required(path, detail). */
export const field = {
  required: (path: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field: path, detail }),
  invalid: (path: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field: path, value, detail }),
  notSupported: (path: string, value: unknown, supported: string[]): FieldError => ({ type: 'FieldValueNotSupported', field: path, value, supported }),
  duplicate: (path: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: path, value }),
  forbidden: (path: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: path, detail }),
  tooLong: (path: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field: path, detail: `may not be more than ${max} bytes` }),
  typeInvalid: (path: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field: path, value, detail }),
};
