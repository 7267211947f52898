// What every built-in image shares: reading its settings from env and `--flag` args, the
// address the runtime gives the Pod, volume paths, and a graceful HTTP server lifecycle.
import http from 'node:http';
import { join } from 'node:path';
import { usePodResolver } from './resolver.js';

// Every image resolves names as its Pod's containers should (see resolver.ts).
usePodResolver();

/**
 * An image's settings: each named setting comes from `--name=value` / `--name value` in the
 * args (lower case, `_` as `-`) or else from the env variable NAME. Unknown flags are
 * rejected so a typo in a Pod's args fails the container instead of being ignored.
 */
export class Settings {
  readonly positional: string[] = [];
  private readonly flags = new Map<string, string>();

  constructor(names: string[], argv = process.argv.slice(2), private readonly env: NodeJS.ProcessEnv = process.env) {
    const known = new Map(names.map((n) => [n.toLowerCase().replace(/_/g, '-'), n]));
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (!arg.startsWith('--')) {
        this.positional.push(arg);
        continue;
      }
      const eq = arg.indexOf('=');
      const flag = arg.slice(2, eq >= 0 ? eq : undefined);
      const name = known.get(flag);
      if (!name) throw new Error(`unknown flag --${flag} (known: ${[...known.keys()].map((k) => `--${k}`).join(', ')})`);
      if (eq >= 0) this.flags.set(name, arg.slice(eq + 1));
      else if (i + 1 < argv.length) this.flags.set(name, argv[++i]);
      else throw new Error(`flag --${flag} needs a value`);
    }
  }

  string(name: string): string | undefined {
    const value = this.flags.get(name) ?? this.env[name];
    return value === '' ? undefined : value;
  }

  number(name: string, fallback: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
    return value;
  }

  bool(name: string): boolean {
    return /^(1|true|yes|on)$/i.test(this.string(name) ?? '');
  }
}

/** Where the runtime wants the image to listen: the Pod's own loopback address, its first containerPort. */
export function listenAddress(settings: Settings, defaultPort: number | undefined): { host: string; port: number } | undefined {
  const host = process.env.UNYO_POD_IP || '127.0.0.1';
  const explicit = settings.string('PORT') ?? process.env.UNYO_PORTS?.split(',').find((p) => p.trim() !== '');
  if (explicit === undefined) return defaultPort === undefined ? undefined : { host, port: defaultPort };
  const port = Number(explicit);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${JSON.stringify(explicit)}`);
  return { host, port };
}

/** Container paths of the volumes mounted into this container (the runtime's UNYO_MOUNTS). */
export function volumeMounts(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.UNYO_MOUNTS ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
}

function mountVariable(containerPath: string, env: NodeJS.ProcessEnv): string | undefined {
  const trimmed = containerPath.replace(/\/+$/, '') || '/';
  return env[`UNYO_MOUNT_${trimmed.replace(/[^A-Za-z0-9_]/g, '_')}`];
}

/**
 * Where a container path is on the host. As root the runtime bind-mounts volumes, so the
 * path is itself; without root it names each mount's host directory in
 * UNYO_MOUNT_<container path, each character other than [A-Za-z0-9_] as _>, and a path
 * inside a mount maps under it.
 */
export function hostPath(containerPath: string, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [...volumeMounts(env), containerPath].sort((a, b) => b.length - a.length);
  for (const mount of candidates) {
    const base = mount.replace(/\/+$/, '');
    if (containerPath !== base && !containerPath.startsWith(`${base}/`)) continue;
    const host = mountVariable(base, env);
    if (host !== undefined) return join(host, containerPath.slice(base.length));
  }
  return containerPath;
}

export function log(image: string, message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${image}: ${message}\n`);
}

/** Reports a bad configuration the way a container does: a message on stderr, exit code 2. */
export function fail(image: string, err: unknown): never {
  process.stderr.write(`${image}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

/** How long after SIGTERM a server exits even with requests still in flight. */
const stopDeadlineMs = 900;
/** How long after SIGTERM idle keep-alive connections stay open for a last request. */
const idleGraceMs = 500;

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface GracefulServer {
  /** True once SIGTERM has arrived: readiness endpoints answer 503 from then on. */
  readonly stopping: boolean;
}

/**
 * Serves `handler` on `address` and logs `listening on http://host:port` (tests and humans
 * wait for that line). On SIGTERM or SIGINT it stops accepting connections, lets in-flight
 * requests finish on connections it then closes (`Connection: close`), gives idle keep-alive
 * connections idleGraceMs for a last request, runs `onStop`, and exits 0 — within
 * stopDeadlineMs even if a request hangs, well inside Kubernetes' default 30 s grace period.
 */
export function serveGracefully(image: string, handler: Handler, address: { host: string; port: number }, options: { onStop?: () => Promise<void> | void } = {}): GracefulServer {
  const active = new Set<http.ServerResponse>();
  let stopping = false;
  const server = http.createServer((req, res) => {
    active.add(res);
    if (stopping) res.shouldKeepAlive = false;
    res.on('close', () => active.delete(res));
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        log(image, `${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('internal error\n');
      });
  });
  server.on('error', (err) => fail(image, err));
  server.listen(address.port, address.host, () => {
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : address.port;
    log(image, `listening on http://${address.host}:${port}`);
  });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    for (const res of active) if (!res.headersSent) res.shouldKeepAlive = false;
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, stopDeadlineMs);
    deadline.unref();
    server.close(async () => {
      try {
        await options.onStop?.();
      } finally {
        process.exit(0);
      }
    });
    // Idle keep-alive connections are not cut at once: a client may be sending its next request
    // on one right now. Each gets a moment to do so and is answered with `Connection: close`;
    // what is still idle after that is closed.
    setTimeout(() => server.closeIdleConnections(), idleGraceMs).unref();
    log(image, `${signal}: stopped accepting connections, ${active.size} request(s) in flight`);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return {
    get stopping() {
      return stopping;
    },
  };
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request with a deadline; rejects on network errors and timeouts, never on a status. */
export function httpRequest(url: string | URL, options: { method?: string; body?: Buffer | string; headers?: http.OutgoingHttpHeaders; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, timeout: options.timeoutMs ?? 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${options.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Reads a request body; undefined when it is larger than `limit` bytes (the rest is drained so a 413 can be sent). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}
