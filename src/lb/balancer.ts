// The API load balancer of an HA control plane: the role HAProxy (with keepalived) plays in
// upstream HA guides. One TCP listener in front of every API server; TLS passes through
// untouched, so client certificates and tokens reach the API server as they were sent.
// Each API server's /readyz is checked every interval; new connections go round robin to
// the ready ones. When none is ready (e.g. etcd lost quorum) they still go to any server
// that accepts a connection, so clients get the API's own error instead of a refused socket.
// A server that refuses a connection is skipped for the next (src/proxy/tcp.ts's balancer),
// which is what brings the API back at once when the server a client used is killed.
import https from 'node:https';
import net from 'node:net';
import { ServicePortBalancer, type Backend } from '../proxy/tcp.js';

export interface LoadBalancerOptions {
  /** The API servers, host:port. */
  backends: Backend[];
  /** CA that signed the API servers' serving certificate, for the /readyz checks. */
  caPem: string;
  /** How often each backend's /readyz is checked (default 1 s). */
  intervalMs?: number;
  /** A check that takes longer than this fails (default 1 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface BackendHealth extends Backend {
  ready: boolean;
  /** Why the last check failed. */
  reason?: string;
}

export class ApiLoadBalancer {
  private readonly balancer = new ServicePortBalancer('apiserver');
  private readonly health = new Map<string, BackendHealth>();
  private server?: net.Server;
  private timer?: NodeJS.Timeout;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: LoadBalancerOptions) {
    this.log = opts.log ?? ((l) => console.log(l));
    // Until the first checks answer every backend is a candidate.
    for (const b of opts.backends) this.health.set(key(b), { ...b, ready: false, reason: 'not checked yet' });
    this.balancer.setBackends([], opts.backends);
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    // Refused connections are routine while a server restarts: the health transitions are what is logged.
    this.server = net.createServer({ noDelay: true }, (socket) => this.balancer.handle(socket, () => undefined));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    await this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), this.opts.intervalMs ?? 1000);
    return (this.server.address() as net.AddressInfo).port;
  }

  status(): BackendHealth[] {
    return [...this.health.values()].map((h) => ({ ...h }));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const s of this.balancer.connections) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async checkAll(): Promise<void> {
    await Promise.all(this.opts.backends.map((b) => this.check(b)));
    const ready = this.opts.backends.filter((b) => this.health.get(key(b))!.ready);
    const others = this.opts.backends.filter((b) => !this.health.get(key(b))!.ready);
    this.balancer.setBackends(ready, ready.length ? [] : others);
  }

  private async check(b: Backend): Promise<void> {
    const reason = await readyz(b, this.opts.caPem, this.opts.timeoutMs ?? 1000);
    const h = this.health.get(key(b))!;
    const ready = reason === undefined;
    if (ready !== h.ready && (ready || h.reason !== 'not checked yet')) this.log(`lb: apiserver ${key(b)} ${ready ? 'is ready' : `is not ready: ${reason}`}`);
    h.ready = ready;
    h.reason = reason;
  }
}

/** GET /readyz; undefined when it answers 200, else why not. */
function readyz(b: Backend, ca: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = https.get({ host: b.ip, port: b.port, path: '/readyz', ca, servername: 'localhost', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `/readyz answered ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(err.message));
  });
}

const key = (b: Backend) => `${b.ip}:${b.port}`;
