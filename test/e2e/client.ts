// A small HTTPS client for e2e tests that need raw API access (concurrency, status codes):
// reads the cluster's kubeconfig for the server, CA and admin token.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

export interface RawRequest {
  method: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Send the admin token (the default); false sends no credentials, a string sends that token. */
  token?: boolean | string;
}

/** An open watch: the events received so far, in order, until `close()` or the server ends it. */
export interface RawWatch {
  status: number;
  events: Array<{ type: string; object: any }>;
  ended: Promise<void>;
  close(): void;
}

export interface RawClient {
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any; text: string }>;
  send(req: RawRequest): Promise<RawResponse>;
  watch(path: string): Promise<RawWatch>;
  agent: https.Agent;
  close(): void;
}

export function rawClient(kubeconfigPath: string, maxSockets = 64): RawClient {
  const cfg = parse(readFileSync(kubeconfigPath, 'utf8'));
  const server = new URL(cfg.clusters[0].cluster.server);
  const ca = Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64');
  const token = cfg.users[0].user.token;
  const agent = new https.Agent({ keepAlive: true, maxSockets, ca });
  return {
    agent,
    request(method, path, body, contentType = 'application/json') {
      return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const req = https.request(
          { host: server.hostname, port: server.port, path, method, agent, headers: { Authorization: `Bearer ${token}`, ...(data ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) } : {}) } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => {
              let parsed: any;
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = undefined;
              }
              resolve({ status: res.statusCode ?? 0, body: parsed, text });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    },
    send({ method, path, body, headers = {}, token: useToken = true }) {
      return new Promise((resolve, reject) => {
        const auth: Record<string, string> = useToken === false ? {} : { Authorization: `Bearer ${useToken === true ? token : useToken}` };
        const req = https.request({ host: server.hostname, port: server.port, path, method, agent, headers: { ...auth, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            let parsed: any;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
          });
          res.on('error', reject);
        });
        // A server may answer (413) and close before reading a large body: the answer is what counts.
        req.on('error', reject);
        req.end(body);
      });
    },
    watch(path) {
      return new Promise((resolve, reject) => {
        const req = https.request({ host: server.hostname, port: server.port, path, method: 'GET', agent: new https.Agent({ ca }), headers: { Authorization: `Bearer ${token}` } }, (res) => {
          const events: RawWatch['events'] = [];
          let buffered = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            buffered += d;
            let newline: number;
            while ((newline = buffered.indexOf('\n')) >= 0) {
              const line = buffered.slice(0, newline).trim();
              buffered = buffered.slice(newline + 1);
              if (line) events.push(JSON.parse(line));
            }
          });
          const ended = new Promise<void>((done) => {
            res.on('end', done);
            res.on('close', done);
            res.on('error', () => done());
          });
          resolve({ status: res.statusCode ?? 0, events, ended, close: () => req.destroy() });
        });
        req.on('error', (err) => {
          if (!req.destroyed) reject(err);
        });
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}
