// One Service port's TCP load balancer: each new client connection goes to the next ready
// endpoint (round robin, or the client's previous one under ClientIP session affinity), and
// the bytes flow both ways with backpressure and half-close. An endpoint that refuses the
// connection is skipped for the next one. So is one that closes or resets the connection
// before answering anything while the client's first bytes are still at hand (a server that
// stopped listening as it shut down, with the connection still in its accept queue): those
// bytes are replayed to the next endpoint, so a client never sees that shutdown.
import net from 'node:net';

export interface Backend {
  ip: string;
  port: number;
}

export interface Affinity {
  /** sessionAffinity ClientIP: how long a client sticks to its endpoint. */
  timeoutSeconds: number;
}

/** Client bytes kept for a replay; past this the connection is committed to its endpoint. */
const REPLAY_LIMIT = 64 * 1024;
const CONNECT_TIMEOUT_MS = 5000;

export class ServicePortBalancer {
  private ready: Backend[] = [];
  private fallback: Backend[] = [];
  private next = 0;
  private affinity?: Affinity;
  private readonly sticky = new Map<string, { backend: string; expires: number }>();
  readonly connections = new Set<net.Socket>();

  constructor(readonly name: string, private readonly now: () => number = Date.now) {}

  /**
   * Ready endpoints take new connections; when there are none, serving endpoints that are
   * terminating do (upstream kube-proxy's terminating-endpoint fallback).
   */
  setBackends(ready: Backend[], servingTerminating: Backend[], affinity?: Affinity): void {
    this.ready = ready;
    this.fallback = servingTerminating;
    this.affinity = affinity;
    if (!affinity) this.sticky.clear();
  }

  get backends(): Backend[] {
    return this.ready.length ? this.ready : this.fallback;
  }

  /** The endpoints to try for a new connection, in order. */
  candidates(clientIP: string): Backend[] {
    const pool = this.backends;
    if (pool.length === 0) return [];
    const start = this.next++ % pool.length;
    const ordered = [...pool.slice(start), ...pool.slice(0, start)];
    if (this.affinity) {
      const s = this.sticky.get(clientIP);
      if (s && s.expires > this.now()) {
        const i = ordered.findIndex((b) => key(b) === s.backend);
        if (i > 0) ordered.unshift(...ordered.splice(i, 1));
      }
    }
    return ordered;
  }

  private connected(clientIP: string, b: Backend): void {
    if (this.affinity) this.sticky.set(clientIP, { backend: key(b), expires: this.now() + this.affinity.timeoutSeconds * 1000 });
  }

  /** Take a client connection (paused, as the listener hands it over). */
  handle(client: net.Socket, log: (line: string) => void): void {
    const clientIP = client.remoteAddress ?? '';
    const candidates = this.candidates(clientIP);
    if (candidates.length === 0) {
      // No endpoints: refuse, as upstream's REJECT rule does.
      client.resetAndDestroy();
      return;
    }
    this.connections.add(client);
    client.on('close', () => this.connections.delete(client));
    new Relay(client, candidates, (b) => this.connected(clientIP, b), log, this.name).start();
  }
}

const key = (b: Backend) => `${b.ip}:${b.port}`;

class Relay {
  private upstream?: net.Socket;
  private attempt = 0;
  /** Client bytes not yet answered; undefined once the endpoint has answered (no more replays). */
  private pending: Buffer[] | undefined = [];
  private pendingBytes = 0;
  private clientEnded = false;
  private upstreamAnswered = false;
  private done = false;

  constructor(
    private readonly client: net.Socket,
    private readonly candidates: Backend[],
    private readonly onConnected: (b: Backend) => void,
    private readonly log: (line: string) => void,
    private readonly name: string,
  ) {}

  start(): void {
    const client = this.client;
    client.on('data', (chunk: Buffer) => {
      if (this.pending) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        if (this.pendingBytes > REPLAY_LIMIT) this.pending = undefined;
      }
      if (this.upstream && this.upstream.readyState === 'open' && !this.upstream.write(chunk)) {
        client.pause();
        this.upstream.once('drain', () => client.resume());
      }
    });
    client.on('end', () => {
      this.clientEnded = true;
      if (this.upstream?.readyState === 'open') this.upstream.end();
    });
    client.on('error', () => this.finish());
    client.on('close', () => this.finish());
    this.connect();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.upstream?.destroy();
    this.client.destroy();
  }

  private connect(): void {
    const backend = this.candidates[this.attempt++];
    const upstream = net.connect({ host: backend.ip, port: backend.port, allowHalfOpen: true });
    this.upstream = upstream;
    let connected = false;
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error('connect timed out')));
    upstream.on('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      this.onConnected(backend);
      upstream.setNoDelay(true);
      // What the client sent meanwhile (or sent to an endpoint that gave up on it) goes first.
      for (const chunk of this.pending ?? []) upstream.write(chunk);
      if (this.clientEnded) upstream.end();
      this.client.resume();
    });
    upstream.on('data', (chunk: Buffer) => {
      this.upstreamAnswered = true;
      this.pending = undefined;
      if (!this.client.write(chunk)) {
        upstream.pause();
        this.client.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => {
      // Closed without a word while a replay is possible: drop it and try the next endpoint.
      if (this.retryable()) upstream.destroy();
      else this.client.end();
    });
    upstream.on('error', () => undefined);
    upstream.on('close', () => {
      if (this.done || upstream !== this.upstream) return;
      if (this.retryable()) {
        if (!connected) this.log(`proxy: ${this.name}: ${key(backend)} refused the connection; trying the next endpoint`);
        this.client.pause();
        this.connect();
        return;
      }
      if (!this.upstreamAnswered && !connected) this.log(`proxy: ${this.name}: no endpoint took the connection (last tried ${key(backend)})`);
      if (!this.upstreamAnswered && !connected) {
        this.client.resetAndDestroy();
        return;
      }
      // The endpoint is gone: end the client's side after what it sent, and give the client a
      // moment to close its own before the connection is dropped.
      this.client.end();
      setTimeout(() => this.finish(), 10_000).unref();
    });
  }

  /** Whether the connection can still move to another endpoint without the client noticing. */
  private retryable(): boolean {
    return !this.done && !this.upstreamAnswered && this.pending !== undefined && !this.clientEnded && this.attempt < this.candidates.length;
  }
}
