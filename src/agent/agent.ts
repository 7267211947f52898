// The node agent (the kubelet's role): registers this node, keeps its Lease and status
// fresh, watches the Pods bound to it and gives each a PodWorker, and serves the API server
// container logs and exec, attach and port-forward sessions over HTTPS (a self-signed serving
// certificate made at start; only a client certificate the cluster CA signed for
// kube-apiserver-kubelet-client gets in). Containers outlive an agent restart (the runtime
// re-adopts them); a clean stop of the agent stops every container it runs.
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../api/types.js';
import { selfSignedServing } from '../api/certificates/x509.js';
import { KUBELET_CLIENT_USER } from '../api/certificates/signers.js';
import { ApiClient, core } from '../client/client.js';
import { Informer } from '../client/informer.js';
import { EventRecorder } from '../client/events.js';
import type { ContainerStatus, Runtime } from './runtime/runtime.js';
import { PodWorker, type ProbeHooks, type VolumeHost } from './podworker.js';
import { PodIPAllocator } from './ipam.js';
import { registerNode, renewLease, updateNodeStatus, type NodeIdentity } from './node.js';
import { attemptFiles, streamLogs } from './logs.js';
import { StatsProvider } from './stats.js';
import { parseResolvConf, type ClusterDNSConfig, type ResolverConfig } from './dns.js';
import { StreamingServer, type StreamingHost } from './streaming/server.js';

export interface AgentTimers {
  /** Lease duration; renewed every quarter of it (upstream 40 s, renewed every 10 s). */
  leaseDurationSeconds: number;
  /** How often the Node status is posted (upstream 10 s). */
  nodeStatusSeconds: number;
  backoff: { initialMs: number; maxMs: number };
}

export const agentTimers: Record<'default' | 'fast', AgentTimers> = {
  default: { leaseDurationSeconds: 40, nodeStatusSeconds: 10, backoff: { initialMs: 10_000, maxMs: 300_000 } },
  fast: { leaseDurationSeconds: 4, nodeStatusSeconds: 2, backoff: { initialMs: 2_000, maxMs: 30_000 } },
};

export interface AgentOptions {
  client: ApiClient;
  runtime: Runtime;
  volumes: VolumeHost;
  probes?: ProbeHooks;
  nodeName: string;
  /** 0-based index of this node on the machine: picks its pod address block. */
  nodeIndex: number;
  zone: string;
  /** The address the API server reaches the agent at, published as the Node's InternalIP (default 127.0.0.1). */
  nodeIP?: string;
  dataDir: string;
  timers: AgentTimers;
  /** The CA whose signature a client certificate of the API server must carry (the cluster CA). */
  clientCaPem: string;
  /** The cluster DNS Pods use (kubelet --cluster-dns and --cluster-domain); default none, cluster.local. */
  clusterDNS?: ClusterDNSConfig;
  /** The node's resolv.conf (Pods with dnsPolicy Default get it). */
  hostResolvConf?: string;
  now?: () => Date;
}

export class NodeAgent {
  private readonly workers = new Map<string, PodWorker>();
  private readonly orphans = new Map<string, ContainerStatus[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private informer?: Informer;
  private services?: Informer;
  private hostResolver: ResolverConfig = { nameservers: [], searches: [], options: [] };
  private loops: NodeJS.Timeout[] = [];
  private server?: https.Server;
  private streaming?: StreamingServer;
  private identity?: NodeIdentity;
  private readonly ipam: PodIPAllocator;
  private readonly events: EventRecorder;
  private readonly now: () => Date;
  private readonly stats: StatsProvider;

  constructor(private readonly opts: AgentOptions) {
    this.now = opts.now ?? (() => new Date());
    mkdirSync(opts.dataDir, { recursive: true });
    this.ipam = new PodIPAllocator(join(opts.dataDir, 'pod-ips.json'), opts.nodeIndex);
    this.events = new EventRecorder(opts.client, 'kubelet', opts.nodeName, this.now);
    this.stats = new StatsProvider(opts.runtime, opts.nodeName, this.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), undefined, this.now);
  }

  private get nodeIP(): string {
    return this.opts.nodeIP ?? '127.0.0.1';
  }

  get logDir(): string {
    return join(this.opts.dataDir, 'logs');
  }

  async start(): Promise<void> {
    const { client, nodeName, timers } = this.opts;
    const port = await this.listen();
    this.identity = { name: nodeName, zone: this.opts.zone, port, hostIP: this.nodeIP };
    await retry(() => registerNode(client, this.identity!, this.now()));
    await retry(() => renewLease(client, nodeName, timers.leaseDurationSeconds, this.now()));
    this.loops.push(setInterval(() => void renewLease(client, nodeName, timers.leaseDurationSeconds, this.now()).catch(() => undefined), (timers.leaseDurationSeconds * 1000) / 4));
    this.loops.push(setInterval(() => void updateNodeStatus(client, this.identity!, this.now()).catch(() => undefined), timers.nodeStatusSeconds * 1000));
    this.opts.runtime.onExit(() => {
      for (const uid of this.workers.keys()) this.requeue(uid);
    });
    // Containers a previous agent left running, by Pod: re-adopted by their Pod's worker, or
    // stopped once the first list shows their Pod is no longer on this node.
    for (const st of this.opts.runtime.listContainers()) {
      if (!st.podUid) continue;
      this.orphans.set(st.podUid, [...(this.orphans.get(st.podUid) ?? []), st]);
    }
    try {
      this.hostResolver = parseResolvConf(readFileSync(this.opts.hostResolvConf ?? '/etc/resolv.conf', 'utf8'));
    } catch {
      // No resolv.conf on this host: Pods with dnsPolicy Default get an empty one.
    }
    // Services, for the containers' Service environment variables (synced before any Pod starts).
    this.services = new Informer(client, core('services'));
    this.services.start();
    await this.services.waitForSync();
    this.informer = new Informer(client, core('pods'), { fieldSelector: `spec.nodeName=${nodeName}` });
    this.informer.on({
      add: (pod) => this.podChanged(pod),
      update: (_old, pod) => this.podChanged(pod),
      delete: (pod) => this.podGone(pod),
    });
    this.informer.start();
    await this.informer.waitForSync();
    await this.removeOrphans();
    this.events.record({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, uid: nodeName } }, 'Normal', 'Starting', 'Starting unyo node agent.');
  }

  /** Stop watching and stop every container (a clean shutdown leaves no process behind). */
  async stop(): Promise<void> {
    for (const l of this.loops) clearInterval(l);
    for (const t of this.timers.values()) clearTimeout(t);
    this.informer?.stop();
    this.services?.stop();
    await Promise.all([...this.workers.values()].map((w) => w.remove().catch(() => undefined)));
    this.streaming?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  private podChanged(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    let w = this.workers.get(uid);
    if (!w) {
      w = new PodWorker(pod, {
        client: this.opts.client,
        runtime: this.opts.runtime,
        events: this.events,
        volumes: this.opts.volumes,
        probes: this.opts.probes,
        nodeName: this.opts.nodeName,
        hostIP: this.nodeIP,
        podsDir: join(this.opts.dataDir, 'pods'),
        logDir: this.logDir,
        allocateIP: (id) => this.ipam.allocate(id),
        releaseIP: (id) => this.ipam.release(id),
        now: this.now,
        backoff: this.opts.timers.backoff,
        requeue: (id, after) => this.requeue(id, after),
        services: () => this.services?.list() ?? [],
        dns: { cluster: this.opts.clusterDNS ?? { servers: [], domain: 'cluster.local' }, host: this.hostResolver },
      });
      this.workers.set(uid, w);
      const found = this.orphans.get(uid);
      if (found) {
        this.orphans.delete(uid);
        w.adopt(found);
      }
    } else w.update(pod);
    this.requeue(uid);
  }

  /** Stop and forget containers whose Pod is gone from this node (deleted while the agent was down). */
  private async removeOrphans(): Promise<void> {
    const left = [...this.orphans];
    this.orphans.clear();
    for (const [uid, containers] of left) {
      for (const st of containers) {
        if (st.state === 'running') await this.opts.runtime.stopContainer(st.id, 0).catch(() => undefined);
        await this.opts.runtime.removeContainer(st.id).catch(() => undefined);
      }
      await this.opts.volumes.cleanup(join(this.opts.dataDir, 'pods', uid)).catch(() => undefined);
      rmSync(join(this.opts.dataDir, 'pods', uid), { recursive: true, force: true });
      this.ipam.release(uid);
    }
  }

  private podGone(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    const w = this.workers.get(uid);
    if (!w) return;
    this.workers.delete(uid);
    clearTimeout(this.timers.get(uid));
    void w.remove();
  }

  private requeue(uid: string, afterMs = 0): void {
    const existing = this.timers.get(uid);
    if (existing && afterMs > 0) return;
    clearTimeout(existing);
    const t = setTimeout(() => {
      this.timers.delete(uid);
      const w = this.workers.get(uid);
      if (w) void w.sync().catch((err) => console.error(`pod ${uid}: ${(err as Error).message}`));
    }, afterMs);
    t.unref();
    this.timers.set(uid, t);
  }

  /**
   * The agent's endpoint, for the API server only: /containerLogs/<namespace>/<pod>/<container>,
   * /stats/summary, /metrics/resource, /healthz, and the streaming upgrades /exec, /attach and
   * /portForward (streaming/).
   */
  private async listen(): Promise<number> {
    const serving = await selfSignedServing(this.opts.nodeName, [this.opts.nodeName, 'localhost'], [...new Set(['127.0.0.1', this.nodeIP])]);
    this.server = https.createServer({ key: serving.key, cert: serving.cert, ca: this.opts.clientCaPem, requestCert: true, rejectUnauthorized: false }, (req, res) => void this.serve(req, res));
    this.streaming = new StreamingServer(this.opts.runtime, this.streamingHost());
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!this.authorized(req)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\nConnection: close\r\n\r\nUnauthorized');
        return;
      }
      this.streaming!.handleUpgrade(req, socket, head);
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, this.nodeIP, () => resolve((this.server!.address() as AddressInfo).port));
    });
  }

  /** Only the API server, with a client certificate the cluster CA issued for it, may use the endpoint. */
  private authorized(req: http.IncomingMessage): boolean {
    const socket = req.socket as TLSSocket;
    return socket.authorized === true && socket.getPeerCertificate()?.subject?.CN === KUBELET_CLIENT_USER;
  }

  /** The Pods of this node as the streaming endpoint sees them, in the kubelet's words. */
  private streamingHost(): StreamingHost {
    const find = (namespace: string, name: string) => {
      const pod = this.informer?.get(`${namespace}/${name}`);
      const worker = pod && this.workers.get(pod.metadata.uid!);
      return pod && worker ? { pod, worker } : undefined;
    };
    return {
      runningContainer: (namespace, name, container) => {
        const found = find(namespace, name);
        if (!found) return { error: `pod "${name}" in namespace "${namespace}" is not on node ${this.opts.nodeName}` };
        const id = found.worker.runningContainerId(container);
        return id ? { id } : { error: `container not found ("${container}")` };
      },
      portForwardTarget: (namespace, name) => {
        const found = find(namespace, name);
        if (!found) return { error: `pod "${name}" in namespace "${namespace}" is not on node ${this.opts.nodeName}` };
        if (!found.worker.ip) return { error: `pod "${name}" has no address yet` };
        return { podName: `${name}_${namespace}`, podUid: found.pod.metadata.uid!, podIP: found.worker.ip };
      },
    };
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://agent');
    if (!this.authorized(req)) {
      res.writeHead(401).end('Unauthorized');
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname === '/stats/summary' || url.pathname === '/metrics/resource') {
      const refs = [...this.workers.values()].flatMap((w) => w.currentContainers().map((c) => ({ pod: w.object, container: c.name, id: c.id, startedAt: this.opts.runtime.containerStatus(c.id)?.startedAt })));
      const summary = this.stats.summary(refs);
      if (url.pathname === '/stats/summary') res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(summary, null, 2));
      else res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(StatsProvider.resourceMetrics(summary, this.now().getTime()));
      return;
    }
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end('not found');
      return;
    }
    const [, namespace, podName, container] = m.map(decodeURIComponent);
    const pod = this.informer?.get(`${namespace}/${podName}`);
    if (!pod) {
      res.writeHead(404).end(`pod "${podName}" is not on node ${this.opts.nodeName}`);
      return;
    }
    const dir = join(this.logDir, 'pods', `${namespace}_${podName}_${pod.metadata.uid}`, container);
    const files = attemptFiles(dir);
    const previous = url.searchParams.get('previous') === 'true';
    const file = previous ? files[files.length - 2] : files[files.length - 1];
    if (!file) {
      const msg = previous ? `previous terminated container "${container}" in pod "${podName}" not found` : `container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`;
      res.writeHead(400).end(msg);
      return;
    }
    const q = url.searchParams;
    const since = q.get('sinceTime') ? new Date(q.get('sinceTime')!) : q.get('sinceSeconds') ? new Date(this.now().getTime() - Number(q.get('sinceSeconds')) * 1000) : undefined;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    await streamLogs(
      file,
      {
        follow: q.get('follow') === 'true' && !previous,
        previous,
        tailLines: q.has('tailLines') ? Number(q.get('tailLines')) : undefined,
        sinceTime: since,
        timestamps: q.get('timestamps') === 'true',
        limitBytes: q.has('limitBytes') ? Number(q.get('limitBytes')) : undefined,
      },
      res,
      () => attemptFiles(dir).at(-1) === file && this.workers.has(pod.metadata.uid!),
    );
    res.end();
  }
}

async function retry<T>(fn: () => Promise<T>, attempts = 30): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
