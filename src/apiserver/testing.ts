// An in-process API server on the memory store, for the tests of components that talk to
// the cluster through the API (controllers, scheduler, operations): real HTTP, real
// validation and watch, no processes to start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApiClient } from '../client/client.js';
import { openStore } from '../store/index.js';
import { StaticTokens } from './authn.js';
import { ensurePki, type ClusterPki } from './pki.js';
import { ApiServer } from './server.js';

export interface TestApiServer {
  server: ApiServer;
  client: ApiClient;
  /** https://127.0.0.1:<port> */
  url: string;
  pki: ClusterPki;
  /** A fresh client (e.g. one per component under test). */
  newClient(userAgent?: string): ApiClient;
  stop(): Promise<void>;
}

export async function startTestApiServer(opts: { now?: () => Date } = {}): Promise<TestApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'unyo-apiserver-test-'));
  const pki = await ensurePki(dir);
  const token = randomBytes(16).toString('hex');
  const tokens = new StaticTokens();
  tokens.add(token, { name: 'unyo-admin', groups: ['system:masters'] });
  const store = await openStore({ driver: 'memory', dataDir: dir });
  const server = new ApiServer({ store, pki, tokens: [tokens], now: opts.now });
  await server.start(0);
  const clients: ApiClient[] = [];
  const newClient = (userAgent = 'unyo-test') => {
    const c = new ApiClient({ server: `https://127.0.0.1:${server.port}`, caPem: pki.ca.cert, token, userAgent });
    clients.push(c);
    return c;
  };
  const client = newClient();
  return {
    server,
    client,
    url: `https://127.0.0.1:${server.port}`,
    pki,
    newClient,
    stop: async () => {
      for (const c of clients) c.close();
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
