// One run of a container probe, as the kubelet's prober does it: httpGet and tcpSocket from
// the node to the Pod's address, exec through the container runtime. Messages follow upstream
// (Go's error texts included) so `kubectl describe` shows what a kubelet would.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Writable } from 'node:stream';
import type { Runtime } from '../runtime/runtime.js';

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: string;
  httpHeaders?: HTTPHeader[];
}

export interface TCPSocketAction {
  port: number | string;
  host?: string;
}

/** The fields of a v1 Probe this node agent reads. */
export interface Probe {
  exec?: { command?: string[] };
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: { port: number; service?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface ProbeTarget {
  podIP: string;
  containerId: string;
  runtime: Pick<Runtime, 'exec'>;
  /** The container's ports, for probes that name a port. */
  ports?: ContainerPort[];
}

export interface ProbeResult {
  result: 'Success' | 'Failure';
  message: string;
  /**
   * The probe could not be run at all (unknown port name, runtime error, unsupported kind).
   * Upstream calls this "probe errored" and its workers throw such results away.
   */
  errored?: boolean;
  /** Success, but worth an event: a redirect to another host was not followed (upstream ProbeWarning). */
  warning?: boolean;
}

/** The timer functions a probe uses for its timeout; tests pass a fake clock's. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Upstream reads at most 10 KiB of an HTTP body or of exec output. */
const MAX_OUTPUT = 10 * 1024;
const MAX_REDIRECTS = 10;
/** Upstream sends kube-probe/<major>.<minor>; this is the Kubernetes version unyo's API server reports. */
const USER_AGENT = 'kube-probe/1.33';

class ProbeError extends Error {}

export async function runProbe(probe: Probe, target: ProbeTarget, timeoutMs: number, timers: Timers = realTimers): Promise<ProbeResult> {
  try {
    if (probe.exec) return await execProbe(probe.exec.command ?? [], target, timeoutMs, timers);
    if (probe.httpGet) return await httpProbe(probe.httpGet, target, timeoutMs, timers);
    if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket, target, timeoutMs, timers);
    if (probe.grpc) throw new ProbeError('grpc probes are not supported by the process runtime');
    throw new ProbeError('missing probe handler');
  } catch (err) {
    if (err instanceof ProbeError) return { result: 'Failure', message: err.message, errored: true };
    throw err;
  }
}

/** A port given by number, or by the name of one of the container's ports (upstream ResolveContainerPort). */
export function resolvePort(port: number | string, ports: ContainerPort[] = []): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else {
    const named = ports.find((p) => p.name === port);
    if (!named) throw new ProbeError(`port ${JSON.stringify(port)} not found`);
    n = named.containerPort;
  }
  if (!Number.isInteger(n) || n <= 0 || n >= 65536) throw new ProbeError(`invalid port number: ${n}`);
  return n;
}

const joinHostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Go's text for a failed dial or read, which upstream puts in the probe message. */
function netErrorText(err: NodeJS.ErrnoException, addr: string, host: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'EADDRNOTAVAIL':
      return `dial tcp ${addr}: connect: cannot assign requested address`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${host}: no such host`;
    case 'ECONNRESET':
      // Node says "socket hang up" when the peer closed before answering; Go reports EOF.
      return err.message === 'socket hang up' ? 'EOF' : `read tcp ${addr}: read: connection reset by peer`;
    default:
      return err.message;
  }
}

function tcpProbe(action: TCPSocketAction, target: ProbeTarget, timeoutMs: number, timers: Timers): Promise<ProbeResult> {
  const port = resolvePort(action.port, target.ports);
  const host = action.host || target.podIP;
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (r: ProbeResult) => {
      timers.clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = timers.setTimeout(() => done({ result: 'Failure', message: `dial tcp ${addr}: i/o timeout` }), timeoutMs);
    socket.once('connect', () => done({ result: 'Success', message: '' }));
    socket.once('error', (err) => done({ result: 'Failure', message: netErrorText(err, addr, host) }));
  });
}

/** The URL upstream builds: the path as given (query included) on scheme://host:port. */
function probeURL(scheme: string, host: string, port: number, path: string): URL {
  const p = path === '' || path.startsWith('/') ? path : `/${path}`;
  return new URL(`${scheme}://${joinHostPort(host, port)}${p}`);
}

/** Go prints a URL without the trailing slash it was not given. */
const showURL = (url: URL, givenPath: boolean) => (givenPath ? url.href : url.href.replace(/\/$/, ''));

interface HttpAnswer {
  status: number;
  location?: string;
  body: string;
}

async function httpProbe(action: HTTPGetAction, target: ProbeTarget, timeoutMs: number, timers: Timers): Promise<ProbeResult> {
  const port = resolvePort(action.port, target.ports);
  const scheme = (action.scheme || 'HTTP').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') throw new ProbeError(`unsupported scheme ${JSON.stringify(action.scheme)}`);
  const host = action.host || target.podIP;
  const path = action.path ?? '';
  const headers = probeHeaders(action.httpHeaders ?? []);

  let url: URL;
  try {
    url = probeURL(scheme, host, port, path);
  } catch {
    throw new ProbeError(`invalid probe URL: ${scheme}://${joinHostPort(host, port)}${path}`);
  }
  // One deadline for the whole exchange, redirects included, as Go's http.Client.Timeout.
  const controller = new AbortController();
  const timer = timers.setTimeout(() => controller.abort(), timeoutMs);
  let shown = showURL(url, path !== '');
  try {
    for (let redirects = 0; ; redirects++) {
      let answer: HttpAnswer;
      try {
        answer = await httpGet(url, headers, controller.signal);
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { phase?: string };
        const text = controller.signal.aborted
          ? `context deadline exceeded (${e.phase === 'body' ? 'Client.Timeout or context cancellation while reading body' : 'Client.Timeout exceeded while awaiting headers'})`
          : netErrorText(e, joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port)), url.hostname);
        return { result: 'Failure', message: `Get ${JSON.stringify(shown)}: ${text}` };
      }
      const { status, location, body } = answer;
      const isRedirect = [301, 302, 303, 307, 308].includes(status) && location !== undefined;
      if (isRedirect) {
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return { result: 'Failure', message: `Get ${JSON.stringify(shown)}: failed to parse Location header ${JSON.stringify(location)}` };
        }
        // Redirects are followed on the same host only; another host ends the probe with a warning.
        if (next.hostname === url.hostname) {
          // Go's client refuses a redirect once it has sent 10 requests: 9 redirects are followed.
          if (redirects + 1 >= MAX_REDIRECTS) return { result: 'Failure', message: `Get ${JSON.stringify(next.href)}: stopped after ${MAX_REDIRECTS} redirects` };
          if (/^[a-z][a-z0-9+.-]*:/i.test(location)) headers.delete('host');
          url = next;
          shown = url.href;
          continue;
        }
      }
      if (status >= 200 && status < 400) {
        if (status >= 300) return { result: 'Success', message: `Probe terminated redirects, Response body: ${body}`, warning: true };
        return { result: 'Success', message: body };
      }
      return { result: 'Failure', message: `HTTP probe failed with statuscode: ${status}` };
    }
  } finally {
    timers.clearTimeout(timer);
  }
}

/** The request headers: the probe's own, then User-Agent and Accept unless it set them (an empty Accept removes it). */
function probeHeaders(list: HTTPHeader[]): Map<string, { name: string; values: string[] }> {
  const headers = new Map<string, { name: string; values: string[] }>();
  for (const h of list) {
    const key = h.name.toLowerCase();
    const have = headers.get(key);
    if (have) have.values.push(h.value);
    else headers.set(key, { name: h.name, values: [h.value] });
  }
  if (!headers.has('user-agent')) headers.set('user-agent', { name: 'User-Agent', values: [USER_AGENT] });
  if (!headers.has('accept')) headers.set('accept', { name: 'Accept', values: ['*/*'] });
  else if (headers.get('accept')!.values.every((v) => v === '')) headers.delete('accept');
  return headers;
}

function httpGet(url: URL, headers: Map<string, { name: string; values: string[] }>, signal: AbortSignal): Promise<HttpAnswer> {
  const outgoing: Record<string, string | string[]> = {};
  for (const { name, values } of headers.values()) outgoing[name] = values.length === 1 ? values[0] : values;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const options: https.RequestOptions = {
    method: 'GET',
    hostname,
    port: Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: outgoing,
    // No keep-alive, as upstream: every probe is a fresh connection.
    agent: false,
    signal,
  };
  const isHttps = url.protocol === 'https:';
  if (isHttps) {
    // Upstream skips certificate verification: containers commonly serve self-signed certificates.
    options.rejectUnauthorized = false;
    options.servername = net.isIP(hostname) ? '' : hostname;
  }
  return new Promise((resolve, reject) => {
    const req = (isHttps ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        res.destroy();
        const location = res.headers.location;
        resolve({ status: res.statusCode ?? 0, location, body: Buffer.concat(chunks).subarray(0, MAX_OUTPUT).toString('utf8') });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_OUTPUT) finish();
      });
      res.on('end', finish);
      res.on('error', (err) => {
        if (!finished) reject(Object.assign(err, { phase: 'body' }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function execProbe(command: string[], target: ProbeTarget, timeoutMs: number, timers: Timers): Promise<ProbeResult> {
  if (command.length === 0) throw new ProbeError('exec probe has no command');
  const chunks: Buffer[] = [];
  let size = 0;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (size < MAX_OUTPUT) {
        const buf = Buffer.from(chunk);
        chunks.push(buf.subarray(0, MAX_OUTPUT - size));
        size += buf.length;
      }
      callback();
    },
  });
  const text = () => Buffer.concat(chunks).toString('utf8');
  let timer: unknown;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = timers.setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const exit = await Promise.race([target.runtime.exec(target.containerId, { command, stdout: output, stderr: output }), timedOut]);
    if (exit === 'timeout') return { result: 'Failure', message: `command ${JSON.stringify(command.join(' '))} timed out` };
    return { result: exit === 0 ? 'Success' : 'Failure', message: text() };
  } catch (err) {
    throw new ProbeError((err as Error).message);
  } finally {
    timers.clearTimeout(timer);
  }
}
