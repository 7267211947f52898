// A real `unyo up` as a child process, and a minimal Kubernetes REST client for it: HTTPS
// with the cluster CA and the admin token from the kubeconfig it writes, keep-alive agents.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import type { Child, Processes } from './processes.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

export interface UnyoCluster {
  readonly server: URL;
  readonly process: Child;
  readonly client: KubeClient;
  stop(): Promise<void>;
}

export async function startUnyo(processes: Processes, extraArgs: string[] = []): Promise<UnyoCluster> {
  const dataDir = processes.tempDir('unyo');
  const child = await processes.start('unyo up', process.execPath, [join(repoRoot, 'bin', 'unyo.js'), 'up', '--data-dir', dataDir, '--port', '0', '--nodes', '0', ...extraArgs], /ready/, 60_000);
  const cluster = JSON.parse(readFileSync(join(dataDir, 'cluster.json'), 'utf8')) as { server: string };
  const config = parse(readFileSync(join(dataDir, 'kubeconfig'), 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { token?: string } }[];
  };
  const ca = Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8');
  const token = config.users[0].user.token;
  if (!token) throw new Error(`${dataDir}/kubeconfig has no token for the admin user`);
  const server = new URL(cluster.server);
  return {
    server,
    process: child,
    client: new KubeClient(server, ca, token),
    stop: async () => {
      await child.stop();
      processes.removeDir(dataDir);
    },
  };
}

export interface Response {
  status: number;
  body: Buffer;
  /** performance.now() when the status line and headers had arrived, and when the body had. */
  headersAt: number;
  endAt: number;
}

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    body: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/** Timestamps a watch line with when its bytes arrived, before any parsing. */
export type WatchLine = (line: string, arrivedAt: number) => void;

export interface WatchStream {
  close(): void;
}

export class KubeClient {
  constructor(
    readonly server: URL,
    readonly ca: string,
    readonly token: string,
  ) {}

  /** A keep-alive agent holding at most `maxSockets` TLS connections to the server. */
  agent(maxSockets: number): https.Agent {
    return new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca: this.ca });
  }

  request(agent: https.Agent, method: string, path: string, body?: string): Promise<Response> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = https.request({ host: this.server.hostname, port: this.server.port, method, path, agent, headers }, (res) => {
        const headersAt = performance.now();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headersAt, endAt: performance.now() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** `request`, rejecting with an ApiError unless the status is `expected`. */
  async expect(agent: https.Agent, expected: number, method: string, path: string, body?: string): Promise<Response> {
    const res = await this.request(agent, method, path, body);
    if (res.status !== expected) throw new ApiError(method, path, res.status, res.body.toString('utf8'));
    return res;
  }

  /**
   * Opens a watch (`path` must carry watch=true) and resolves once the server has answered
   * 200, which it does only after registering the watcher. Each complete line of the chunked
   * stream goes to `onLine`.
   */
  watch(agent: https.Agent, path: string, onLine: WatchLine): Promise<WatchStream> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: this.server.hostname, port: this.server.port, method: 'GET', path, agent, headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' } },
        (res) => {
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => reject(new ApiError('GET', path, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
            return;
          }
          let pending = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const arrivedAt = performance.now();
            pending += chunk;
            for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
              const line = pending.slice(0, nl);
              pending = pending.slice(nl + 1);
              if (line) onLine(line, arrivedAt);
            }
          });
          res.on('error', () => undefined);
          resolve({ close: () => req.destroy() });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
}

/** A ConfigMap with one data entry, serialized as the body of a create. */
export function configMap(name: string, value: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value } });
}
