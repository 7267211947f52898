// One Pod on this node, driven through its lifecycle as the kubelet's pod worker does: set up
// (address, volumes, images), init containers in order, then the containers with their
// restart policy and CrashLoopBackOff, probes, status written back to the API, and graceful
// termination. Level-based: every sync() looks at the Pod and the runtime and takes the next
// steps; events and timers only ask for another sync.
import { mkdirSync, symlinkSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/types.js';
import { ApiClient, core } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import { RuntimeError, type ContainerStatus, type Runtime } from './runtime/runtime.js';
import { containerEnv, EnvError } from './env.js';
import { formatResolvConf, podDNS, type ClusterDNSConfig, type ResolverConfig } from './dns.js';

export interface VolumeHost {
  prepare(pod: KubeObject, podDir: string): Promise<Map<string, { hostPath: string; readOnly: boolean }>>;
  cleanup(podDir: string): Promise<void>;
  /** The host path of a mount's subPath inside its volume; refuses paths that leave the volume. */
  resolveMount(volumeHostPath: string, subPath?: string): Promise<string>;
}

export interface ProbeHooks {
  /** Start probing a running container; call onChange(type, healthy, message) on transitions. Returns a stop function. */
  start(pod: KubeObject, container: any, containerId: string, podIP: string, onChange: (type: 'liveness' | 'readiness' | 'startup', healthy: boolean, message: string) => void): () => void;
}

export interface PodWorkerDeps {
  client: ApiClient;
  runtime: Runtime;
  events: EventRecorder;
  volumes: VolumeHost;
  probes?: ProbeHooks;
  nodeName: string;
  hostIP: string;
  podsDir: string;
  logDir: string;
  allocateIP(uid: string): string;
  releaseIP(uid: string): void;
  now(): Date;
  /** CrashLoopBackOff: first delay and cap, in ms (upstream 10 s and 300 s). */
  backoff: { initialMs: number; maxMs: number };
  /** Ask the agent to sync this pod again (after timers, exits, probe changes). */
  requeue(uid: string, afterMs?: number): void;
  /** The Services the agent knows now (for the containers' Service environment variables). */
  services?(): KubeObject[];
  /** The cluster DNS (kubelet --cluster-dns, --cluster-domain) and the node's own resolver. */
  dns?: { cluster: ClusterDNSConfig; host: ResolverConfig };
}

interface ContainerRecord {
  id?: string;
  restartCount: number;
  /** Earliest time the next start may happen (CrashLoopBackOff). */
  backoffUntil: number;
  backoffMs: number;
  lastTerminated?: ContainerStatus;
  waiting?: { reason: string; message?: string };
  ready: boolean;
  started: boolean;
  stopProbes?: () => void;
  /** Liveness failed: the container is being restarted. */
  unhealthy?: boolean;
}

const rfc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Runtime times carry milliseconds; the API's container times are whole seconds. */
const seconds = (t?: string) => (t ? t.replace(/\.\d+Z$/, 'Z') : t);

export class PodWorker {
  private pod: KubeObject & { spec: any; status?: any };
  private readonly containers = new Map<string, ContainerRecord>();
  private podIP = '';
  private mounts?: Map<string, { hostPath: string; readOnly: boolean }>;
  private setupError?: { reason: string; message: string };
  private startTime?: string;
  private syncing = false;
  private again = false;
  private terminated = false;
  private lastStatus?: unknown;

  constructor(pod: KubeObject, private readonly deps: PodWorkerDeps) {
    this.pod = pod as any;
  }

  get uid(): string {
    return this.pod.metadata.uid!;
  }

  get object(): KubeObject {
    return this.pod;
  }

  /** The current container of each of the Pod's containers (for stats). */
  currentContainers(): Array<{ name: string; id: string }> {
    return [...this.containers].filter(([, rec]) => rec.id).map(([name, rec]) => ({ name, id: rec.id! }));
  }

  get podDir(): string {
    return join(this.deps.podsDir, this.uid);
  }

  /** The Pod's address, once it has one. */
  get ip(): string {
    return this.podIP;
  }

  /** The runtime id of the named container (init, regular) while it runs. */
  runningContainerId(name: string): string | undefined {
    const id = this.containers.get(name)?.id;
    return id && this.deps.runtime.containerStatus(id)?.state === 'running' ? id : undefined;
  }

  update(pod: KubeObject): void {
    this.pod = pod as any;
  }

  /**
   * Take over the containers a previous agent started for this Pod (the runtime finds them
   * after an agent restart): the newest attempt of each container becomes its current one, so
   * a running container keeps running instead of being started a second time. Older attempts
   * are forgotten (their log files stay for `logs --previous`).
   */
  adopt(found: ContainerStatus[]): void {
    const byName = new Map<string, ContainerStatus[]>();
    for (const st of found) {
      if (!st.containerName) continue;
      byName.set(st.containerName, [...(byName.get(st.containerName) ?? []), st]);
    }
    if (byName.size > 0 && this.pod.status?.podIP) this.podIP = this.pod.status.podIP;
    for (const [name, attempts] of byName) {
      attempts.sort((a, b) => (a.attempt ?? 0) - (b.attempt ?? 0));
      const latest = attempts[attempts.length - 1];
      for (const old of attempts.slice(0, -1)) void this.deps.runtime.removeContainer(old.id).catch(() => undefined);
      const rec = this.record(name);
      rec.id = latest.id;
      rec.restartCount = latest.attempt ?? 0;
      const spec = (this.pod.spec.containers as any[]).find((c) => c.name === name);
      if (latest.state === 'running' && spec) this.startProbes(spec, rec, latest.id);
    }
  }

  async sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again);
    } finally {
      this.syncing = false;
    }
  }

  private async syncOnce(): Promise<void> {
    if (this.terminated) return;
    const pod = this.pod;
    if (pod.metadata.deletionTimestamp) return this.terminate();
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      await this.stopAll(0);
      return;
    }
    if (!this.startTime) this.startTime = pod.status?.startTime ?? rfc(this.deps.now());
    if (!this.podIP) this.podIP = pod.status?.podIP || this.deps.allocateIP(this.uid);
    if (!this.mounts) {
      try {
        mkdirSync(this.podDir, { recursive: true });
        this.writeResolvConf();
        this.mounts = await this.deps.volumes.prepare(pod, this.podDir);
        this.setupError = undefined;
      } catch (err) {
        const message = `MountVolume.SetUp failed: ${(err as Error).message}`;
        if (this.setupError?.message !== message) this.deps.events.record(pod, 'Warning', 'FailedMount', message);
        this.setupError = { reason: 'ContainerCreating', message };
        await this.writeStatus();
        this.deps.requeue(this.uid, 2000);
        return;
      }
    }
    const init: any[] = pod.spec.initContainers ?? [];
    for (const c of init) {
      const rec = this.record(c.name);
      const st = rec.id ? this.deps.runtime.containerStatus(rec.id) : undefined;
      if (st?.state === 'exited' && st.exitCode === 0) continue;
      if (st?.state === 'running') {
        await this.writeStatus();
        return;
      }
      if (st?.state === 'exited') {
        this.onTerminated(rec, st);
        if (pod.spec.restartPolicy === 'Never') {
          await this.writeStatus('Failed');
          return;
        }
      }
      await this.startContainer(c, rec, true);
      await this.writeStatus();
      return;
    }
    for (const c of pod.spec.containers as any[]) {
      const rec = this.record(c.name);
      const st = rec.id ? this.deps.runtime.containerStatus(rec.id) : undefined;
      if (st?.state === 'running' && !rec.unhealthy) continue;
      if (st?.state === 'running' && rec.unhealthy) {
        this.deps.events.record(pod, 'Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`, `spec.containers{${c.name}}`);
        await this.deps.runtime.stopContainer(rec.id!, pod.spec.terminationGracePeriodSeconds ?? 30);
        rec.unhealthy = false;
      }
      const now = this.deps.runtime.containerStatus(rec.id ?? '') ?? st;
      if (now?.state === 'exited') {
        if (rec.lastTerminated?.id !== now.id) this.onTerminated(rec, now);
        const policy = pod.spec.restartPolicy ?? 'Always';
        const restart = policy === 'Always' || (policy === 'OnFailure' && now.exitCode !== 0);
        if (!restart) continue;
      }
      await this.startContainer(c, rec, false);
    }
    await this.writeStatus();
  }

  private record(name: string): ContainerRecord {
    let rec = this.containers.get(name);
    if (!rec) {
      rec = { restartCount: 0, backoffUntil: 0, backoffMs: 0, ready: false, started: false };
      this.containers.set(name, rec);
    }
    return rec;
  }

  private onTerminated(rec: ContainerRecord, st: ContainerStatus): void {
    rec.lastTerminated = st;
    rec.ready = false;
    rec.started = false;
    rec.stopProbes?.();
    rec.stopProbes = undefined;
    // Ten minutes of running resets the back-off, as upstream does.
    const ran = st.startedAt && st.finishedAt ? Date.parse(st.finishedAt) - Date.parse(st.startedAt) : 0;
    rec.backoffMs = ran > 600_000 || rec.backoffMs === 0 ? this.deps.backoff.initialMs : Math.min(rec.backoffMs * 2, this.deps.backoff.maxMs);
    rec.backoffUntil = this.deps.now().getTime() + rec.backoffMs;
  }

  private async startContainer(c: any, rec: ContainerRecord, isInit: boolean): Promise<void> {
    const pod = this.pod;
    const fieldPath = `spec.${isInit ? 'initContainers' : 'containers'}{${c.name}}`;
    const now = this.deps.now().getTime();
    if (rec.lastTerminated && now < rec.backoffUntil) {
      const wait = rec.backoffUntil - now;
      const message = `back-off ${Math.round(rec.backoffMs / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${this.uid})`;
      if (rec.waiting?.reason !== 'CrashLoopBackOff') this.deps.events.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container ' + c.name + ' in pod ' + pod.metadata.name + '_' + pod.metadata.namespace + '(' + this.uid + ')', fieldPath);
      rec.waiting = { reason: 'CrashLoopBackOff', message };
      this.deps.requeue(this.uid, wait);
      return;
    }
    try {
      await this.deps.runtime.pullImage(c.image, c.command);
      if (!rec.id) this.deps.events.record(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, fieldPath);
    } catch (err) {
      const message = (err as Error).message;
      const reason = rec.waiting?.reason === 'ErrImagePull' || rec.waiting?.reason === 'ImagePullBackOff' ? 'ImagePullBackOff' : 'ErrImagePull';
      if (reason === 'ErrImagePull') this.deps.events.record(pod, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${message}`, fieldPath);
      rec.waiting = { reason, message: reason === 'ImagePullBackOff' ? `Back-off pulling image "${c.image}": ${message}` : message };
      this.deps.requeue(this.uid, 5000);
      return;
    }
    let env: Record<string, string>;
    try {
      env = await containerEnv(this.deps.client, pod, c, this.podIP, this.deps.services?.() ?? []);
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      rec.waiting = { reason: 'CreateContainerConfigError', message: err.message };
      this.deps.events.record(pod, 'Warning', 'Failed', `Error: ${err.message}`, fieldPath);
      this.deps.requeue(this.uid, 5000);
      return;
    }
    const attempt = rec.lastTerminated || rec.id ? rec.restartCount + 1 : 0;
    const logPath = this.logPath(c.name, attempt);
    try {
      const mounts = [];
      for (const m of c.volumeMounts ?? []) {
        const v = this.mounts!.get(m.name);
        if (!v) throw new RuntimeError('CreateContainerConfigError', `volume "${m.name}" not found`);
        let hostPath: string;
        try {
          hostPath = await this.deps.volumes.resolveMount(v.hostPath, m.subPath);
        } catch (err) {
          throw new RuntimeError('CreateContainerConfigError', (err as Error).message);
        }
        mounts.push({ hostPath, containerPath: m.mountPath, readOnly: Boolean(m.readOnly || v.readOnly) });
      }
      const id = await this.deps.runtime.startContainer({
        podUid: this.uid,
        podName: pod.metadata.name!,
        podNamespace: pod.metadata.namespace!,
        containerName: c.name,
        attempt,
        image: c.image,
        command: c.command,
        args: c.args,
        env,
        workingDir: c.workingDir,
        mounts,
        podIP: this.podIP,
        resolvConf: this.deps.dns ? join(this.podDir, 'resolv.conf') : undefined,
        ports: (c.ports ?? []).map((p: any) => p.containerPort),
        hostname: pod.spec.hostname ?? pod.metadata.name!,
        logPath,
        stdin: c.stdin,
        tty: c.tty,
      });
      if (rec.id) {
        rec.restartCount++;
        await this.deps.runtime.removeContainer(rec.id).catch(() => undefined);
      }
      rec.id = id;
      rec.waiting = undefined;
      rec.ready = false;
      rec.started = false;
      this.linkLog(c.name, id, logPath);
      this.deps.events.record(pod, 'Normal', 'Created', `Created container ${c.name}`, fieldPath);
      this.deps.events.record(pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
      if (!isInit) this.startProbes(c, rec, id);
    } catch (err) {
      const reason = err instanceof RuntimeError ? err.reason : 'RunContainerError';
      const message = (err as Error).message;
      rec.waiting = { reason, message };
      this.deps.events.record(pod, 'Warning', 'Failed', `Error: ${message}`, fieldPath);
      rec.backoffMs = rec.backoffMs ? Math.min(rec.backoffMs * 2, this.deps.backoff.maxMs) : this.deps.backoff.initialMs;
      rec.backoffUntil = this.deps.now().getTime() + rec.backoffMs;
      this.deps.requeue(this.uid, rec.backoffMs);
    }
  }

  private startProbes(c: any, rec: ContainerRecord, id: string): void {
    const hasReadiness = Boolean(c.readinessProbe);
    const hasStartup = Boolean(c.startupProbe);
    rec.ready = !hasReadiness && !hasStartup;
    rec.started = !hasStartup;
    if (!this.deps.probes || (!c.readinessProbe && !c.livenessProbe && !c.startupProbe)) {
      rec.ready = true;
      rec.started = true;
      return;
    }
    rec.stopProbes = this.deps.probes.start(this.pod, c, id, this.podIP, (type, healthy, message) => {
      if (rec.id !== id) return;
      const field = `spec.containers{${c.name}}`;
      if (type === 'startup') {
        rec.started = healthy;
        if (healthy && !hasReadiness) rec.ready = true;
      }
      if (type === 'readiness') {
        rec.ready = healthy;
        if (!healthy) this.deps.events.record(this.pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${message}`, field);
      }
      if (type === 'liveness' && !healthy) {
        this.deps.events.record(this.pod, 'Warning', 'Unhealthy', `Liveness probe failed: ${message}`, field);
        rec.unhealthy = true;
      }
      this.deps.requeue(this.uid);
    });
  }

  /** The Pod's resolv.conf from its dnsPolicy and dnsConfig, made once, before any container. */
  private writeResolvConf(): void {
    if (!this.deps.dns) return;
    const { config, fallback } = podDNS(this.pod, this.deps.dns.cluster, this.deps.dns.host);
    if (fallback) this.deps.events.record(this.pod, 'Warning', 'MissingClusterDNS', fallback);
    writeFileSync(join(this.podDir, 'resolv.conf'), formatResolvConf(config));
  }

  private logPath(container: string, attempt: number): string {
    const pod = this.pod;
    return join(this.deps.logDir, 'pods', `${pod.metadata.namespace}_${pod.metadata.name}_${this.uid}`, container, `${attempt}.log`);
  }

  /** /var/log/containers/<pod>_<namespace>_<container>-<id>.log, a link to the pod log file. */
  private linkLog(container: string, id: string, logPath: string): void {
    const pod = this.pod;
    const link = join(this.deps.logDir, 'containers', `${pod.metadata.name}_${pod.metadata.namespace}_${container}-${id}.log`);
    try {
      mkdirSync(dirname(link), { recursive: true });
      mkdirSync(dirname(logPath), { recursive: true });
      if (!existsSync(link)) symlinkSync(logPath, link);
    } catch {
      // the link is a convenience for log collectors; the pod log itself is what matters
    }
  }

  private async stopAll(grace: number): Promise<void> {
    const stops: Promise<void>[] = [];
    for (const rec of this.containers.values()) {
      rec.stopProbes?.();
      rec.stopProbes = undefined;
      rec.ready = false;
      const st = rec.id ? this.deps.runtime.containerStatus(rec.id) : undefined;
      if (st?.state === 'running') stops.push(this.deps.runtime.stopContainer(rec.id!, grace));
    }
    await Promise.all(stops);
  }

  /** Graceful deletion: stop containers within the grace period, then remove the Pod for good. */
  private async terminate(): Promise<void> {
    const pod = this.pod;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    for (const [name, rec] of this.containers) {
      const st = rec.id ? this.deps.runtime.containerStatus(rec.id) : undefined;
      if (st?.state === 'running') this.deps.events.record(pod, 'Normal', 'Killing', `Stopping container ${name}`, `spec.containers{${name}}`);
    }
    await this.stopAll(grace);
    this.terminated = true;
    await this.cleanup();
    try {
      await this.deps.client.delete(core('pods', pod.metadata.namespace), pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
    } catch (err) {
      if ((err as { code?: number }).code !== 404 && (err as { code?: number }).code !== 409) throw err;
    }
  }

  /** The Pod is gone from the API: stop everything now and free its resources. */
  async remove(): Promise<void> {
    this.terminated = true;
    await this.stopAll(0);
    await this.cleanup();
  }

  private async cleanup(): Promise<void> {
    for (const rec of this.containers.values()) if (rec.id) await this.deps.runtime.removeContainer(rec.id).catch(() => undefined);
    await this.deps.volumes.cleanup(this.podDir).catch(() => undefined);
    rmSync(this.podDir, { recursive: true, force: true });
    this.deps.releaseIP(this.uid);
  }

  private containerStatus(c: any, isInit: boolean): any {
    const rec = this.record(c.name);
    const st = rec.id ? this.deps.runtime.containerStatus(rec.id) : undefined;
    const out: any = { name: c.name, image: c.image, imageID: `unyo://${c.image}`, ready: rec.ready && st?.state === 'running', restartCount: rec.restartCount, started: st?.state === 'running' && rec.started };
    if (rec.id) out.containerID = `unyo://${rec.id}`;
    const term = (t: ContainerStatus) => ({ terminated: { exitCode: t.exitCode ?? 0, reason: t.reason ?? (t.exitCode === 0 ? 'Completed' : 'Error'), startedAt: seconds(t.startedAt), finishedAt: seconds(t.finishedAt), containerID: `unyo://${t.id}` } });
    if (rec.waiting && st?.state !== 'running') out.state = { waiting: rec.waiting };
    else if (st?.state === 'running') out.state = { running: { startedAt: seconds(st.startedAt) } };
    else if (st?.state === 'exited') out.state = term(st);
    else out.state = { waiting: { reason: this.setupError ? 'ContainerCreating' : isInit ? 'PodInitializing' : 'ContainerCreating' } };
    const last = rec.lastTerminated && rec.lastTerminated.id !== st?.id ? rec.lastTerminated : rec.lastTerminated && out.state.waiting ? rec.lastTerminated : undefined;
    out.lastState = last ? term(last) : {};
    if (isInit) delete out.started;
    return out;
  }

  private async writeStatus(forcePhase?: 'Failed'): Promise<void> {
    const pod = this.pod;
    const init = (pod.spec.initContainers ?? []).map((c: any) => this.containerStatus(c, true));
    const main = (pod.spec.containers as any[]).map((c) => this.containerStatus(c, false));
    const initDone = init.every((s: any) => s.state.terminated?.exitCode === 0);
    const allReady = main.every((s: any) => s.ready);
    const policy = pod.spec.restartPolicy ?? 'Always';
    let phase = 'Pending';
    const running = main.filter((s: any) => s.state.running).length;
    const terminated = main.filter((s: any) => s.state.terminated);
    if (forcePhase) phase = forcePhase;
    else if (initDone && running > 0) phase = 'Running';
    else if (initDone && terminated.length === main.length && main.length > 0 && policy !== 'Always') {
      const failed = terminated.some((s: any) => s.state.terminated.exitCode !== 0);
      phase = failed && policy === 'Never' ? 'Failed' : failed ? 'Running' : 'Succeeded';
    } else if (initDone && main.some((s: any) => s.lastState.terminated) && policy !== 'Never') phase = 'Running';
    const ts = rfc(this.deps.now());
    const prev: any[] = pod.status?.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string) => {
      const old = prev.find((c) => c.type === type);
      const status = ok ? 'True' : 'False';
      const c: any = { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : ts };
      if (!ok && reason) c.reason = reason;
      return c;
    };
    const scheduled = prev.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: ts };
    const conditions = [
      cond('PodReadyToStartContainers', Boolean(this.mounts)),
      cond('Initialized', initDone, 'ContainersNotInitialized'),
      cond('Ready', initDone && allReady && phase === 'Running', 'ContainersNotReady'),
      cond('ContainersReady', initDone && allReady && phase === 'Running', 'ContainersNotReady'),
      scheduled,
    ];
    const status: any = {
      phase,
      conditions,
      hostIP: this.deps.hostIP,
      hostIPs: [{ ip: this.deps.hostIP }],
      podIP: this.podIP,
      podIPs: [{ ip: this.podIP }],
      startTime: this.startTime,
      containerStatuses: main,
      qosClass: pod.status?.qosClass,
    };
    if (init.length) status.initContainerStatuses = init;
    if (this.setupError) status.message = this.setupError.message;
    if (isDeepStrictEqual(status, this.lastStatus)) return;
    try {
      const updated = await this.deps.client.patch(core('pods', pod.metadata.namespace), pod.metadata.name!, { status }, 'merge', { subresource: 'status' });
      this.pod = updated as any;
      this.lastStatus = status;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return;
      this.deps.requeue(this.uid, 1000);
    }
  }

  /** A container of this pod exited: note it and sync. */
  containerExited(): void {
    this.deps.requeue(this.uid);
  }
}
