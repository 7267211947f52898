// A small HTTPS client for e2e tests that need raw API access (concurrency, status codes):
// reads the cluster's kubeconfig for the server, CA and admin token.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface RawClient {
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any; text: string }>;
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
    close() {
      agent.destroy();
    },
  };
}
