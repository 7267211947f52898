// A small Kubernetes API client for unyo's own components (node agents, scheduler,
// controllers): JSON over HTTPS with keep-alive, bearer-token or client-certificate
// credentials, Status errors as ApiError, and watch streams. It speaks only the public API,
// so the components work against any API server.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../api/errors.js';
import type { KubeObject, KubeList, Status } from '../api/types.js';

export interface ClientConfig {
  server: string;
  caPem: string;
  token?: string;
  certPem?: string;
  keyPem?: string;
  /** Sent as User-Agent; the API server derives default field managers from it. */
  userAgent?: string;
}

/** Where a resource lives: apiVersion path parts plus plural, optionally in one namespace. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';
const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandle {
  stop(): void;
}

export const core = (plural: string, namespace?: string): ResourceRef => ({ group: '', version: 'v1', plural, namespace });

export function loadKubeconfig(path: string, userAgent?: string): ClientConfig {
  const cfg = parseYaml(readFileSync(path, 'utf8'));
  const ctxName = cfg['current-context'];
  const ctx = cfg.contexts.find((c: any) => c.name === ctxName)?.context ?? cfg.contexts[0].context;
  const cluster = cfg.clusters.find((c: any) => c.name === ctx.cluster).cluster;
  const user = cfg.users.find((u: any) => u.name === ctx.user)?.user ?? {};
  const b64 = (s?: string) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  return {
    server: cluster.server,
    caPem: b64(cluster['certificate-authority-data']) ?? readFileSync(cluster['certificate-authority'], 'utf8'),
    token: user.token,
    certPem: b64(user['client-certificate-data']),
    keyPem: b64(user['client-key-data']),
    userAgent,
  };
}

export class ApiClient {
  private readonly agent: https.Agent;
  /**
   * Watches hold their connection for minutes: they get their own pool without a limit, so a
   * component watching many resources (the garbage collector watches every one) never leaves
   * its requests waiting for a free socket.
   */
  private readonly watchAgent: https.Agent;
  private readonly url: URL;

  constructor(private readonly config: ClientConfig) {
    this.url = new URL(config.server);
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca: config.caPem, cert: config.certPem, key: config.keyPem });
    this.watchAgent = new https.Agent({ keepAlive: true, ca: config.caPem, cert: config.certPem, key: config.keyPem });
  }

  static path(ref: ResourceRef, name?: string, subresource?: string): string {
    let p = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
    if (ref.namespace) p += `/namespaces/${encodeURIComponent(ref.namespace)}`;
    p += `/${ref.plural}`;
    if (name) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  /** One request; a non-2xx answer throws ApiError carrying the server's Status. */
  request<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const headers: Record<string, string | number> = { Accept: 'application/json', 'User-Agent': this.config.userAgent ?? 'unyo' };
      if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
      if (data !== undefined) {
        headers['Content-Type'] = contentType;
        headers['Content-Length'] = Buffer.byteLength(data);
      }
      const req = https.request({ host: this.url.hostname, port: this.url.port, path, method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return resolve(parsed as T);
          const status = parsed as Status | undefined;
          if (status?.kind === 'Status') return reject(new ApiError(status.code ?? code, status.reason ?? '', status.message ?? text, status.details));
          reject(new ApiError(code, 'Unknown', text || `HTTP ${code}`));
        });
        res.on('error', reject);
      });
      req.on('error', (err) => reject(new ApiError(503, 'ServiceUnavailable', `cannot reach the API server: ${err.message}`)));
      req.setTimeout(30_000, () => req.destroy(new Error('request timed out')));
      req.end(data);
    });
  }

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string): Promise<T> {
    return this.request('GET', ApiClient.path(ref, name));
  }

  list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.request('GET', ApiClient.path(ref) + query(opts as Record<string, unknown>));
  }

  create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: KubeObject, fieldManager?: string): Promise<T> {
    return this.request('POST', ApiClient.path(ref) + query({ fieldManager }), obj);
  }

  update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: KubeObject, subresource?: string): Promise<T> {
    return this.request('PUT', ApiClient.path(ref, obj.metadata.name, subresource), obj);
  }

  patch<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, patch: unknown, type: PatchType = 'merge', opts: { subresource?: string; fieldManager?: string; force?: boolean } = {}): Promise<T> {
    return this.request('PATCH', ApiClient.path(ref, name, opts.subresource) + query({ fieldManager: opts.fieldManager, force: opts.force }), patch, patchContentType[type]);
  }

  delete(ref: ResourceRef, name: string, opts: { gracePeriodSeconds?: number; propagationPolicy?: string; preconditions?: { uid?: string; resourceVersion?: string } } = {}): Promise<unknown> {
    return this.request('DELETE', ApiClient.path(ref, name), { apiVersion: 'v1', kind: 'DeleteOptions', ...opts });
  }

  /**
   * Watch a collection. Events arrive one by one; the stream ends with onEnd (normal end,
   * timeout or lost connection) or with an ERROR event (e.g. 410 Gone) passed to onEvent.
   */
  watch(ref: ResourceRef, opts: ListOptions & { allowWatchBookmarks?: boolean; timeoutSeconds?: number }, onEvent: (type: WatchEventType, obj: any) => void, onEnd: (err?: Error) => void): WatchHandle {
    const path = ApiClient.path(ref) + query({ ...opts, watch: true } as Record<string, unknown>);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.config.userAgent ?? 'unyo' };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    const req = https.request({ host: this.url.hostname, port: this.url.port, path, method: 'GET', agent: this.watchAgent, headers }, (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          try {
            const s = JSON.parse(text) as Status;
            end(new ApiError(s.code ?? res.statusCode ?? 0, s.reason ?? '', s.message ?? text));
          } catch {
            end(new ApiError(res.statusCode ?? 0, 'Unknown', text));
          }
        });
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (!line.trim()) continue;
          try {
            const e = JSON.parse(line);
            onEvent(e.type, e.object);
          } catch (err) {
            end(err as Error);
            req.destroy();
            return;
          }
        }
      });
      res.on('end', () => end());
      res.on('error', (err) => end(err));
      res.on('close', () => end());
    });
    req.on('error', (err) => end(err));
    req.end();
    return {
      stop: () => {
        ended = true;
        req.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}

function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
