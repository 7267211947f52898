// pods/exec, pods/attach and pods/portforward (GET and POST, as upstream's connect verbs): the
// API server checks the request against the Pod — which container, which streams, which node
// — then hands the upgrade to that node's agent and relays bytes both ways, whatever the
// client negotiates with it (WebSocket, SPDY/3.1, SPDY tunnelled in WebSocket). A refusal by
// the agent (a container not running, no common protocol) reaches the client unchanged.
import https from 'node:https';
import type { KeyPairPem } from '../../api/certificates/x509.js';
import type { Duplex } from 'node:stream';
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { decodeObject, objectKey } from '../objects.js';
import { agentEndpoint, agentTls } from './nodeagent.js';

export type StreamSubresource = 'exec' | 'attach' | 'portforward';

/** kubectl's annotation naming the container exec, attach and logs use when none is given. */
export const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container';

interface PodShape extends KubeObject {
  spec: {
    nodeName?: string;
    containers: { name: string }[];
    initContainers?: { name: string }[];
    ephemeralContainers?: { name: string }[];
  };
}

/** Go's strconv.ParseBool, which decodes the boolean query parameters of PodExecOptions. */
function parseBool(query: URLSearchParams, name: string, otherwise: boolean): boolean {
  const v = query.get(name);
  if (v === null) return otherwise;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw errors.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

const names = (list: { name: string }[] | undefined) => (list ?? []).map((c) => c.name).join(' ');

/**
 * The container a request means: the one named, else the Pod's default-container annotation,
 * else its only container. Errors as upstream's validateContainer words them.
 */
export function resolveContainer(pod: PodShape, requested: string): string {
  const name = pod.metadata.name!;
  const all = [...pod.spec.containers, ...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])];
  if (requested) {
    if (!all.some((c) => c.name === requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const annotated = pod.metadata.annotations?.[defaultContainerAnnotation];
  if (annotated && all.some((c) => c.name === annotated)) return annotated;
  if (pod.spec.containers.length === 1) return pod.spec.containers[0].name;
  if (pod.spec.containers.length === 0) throw errors.badRequest(`a container name must be specified for pod ${name}`);
  let message = `a container name must be specified for pod ${name}, choose one of: [${names(pod.spec.containers)}]`;
  if (pod.spec.initContainers?.length) message += ` or one of the init containers: [${names(pod.spec.initContainers)}]`;
  if (pod.spec.ephemeralContainers?.length) message += ` or one of the ephemeral containers: [${names(pod.spec.ephemeralContainers)}]`;
  throw errors.badRequest(message);
}

/**
 * The agent path and query for a request, in the kubelet's terms (input/output/error/tty as
 * "1"): /exec/<ns>/<pod>/<container>?command=..., /attach/..., /portForward/<ns>/<pod>.
 */
export function agentStreamPath(pod: PodShape, subresource: StreamSubresource, query: URLSearchParams): string {
  const ns = encodeURIComponent(pod.metadata.namespace ?? 'default');
  const name = pod.metadata.name!;
  const q = new URLSearchParams();
  let path: string;
  if (subresource === 'portforward') {
    for (const p of query.getAll('ports')) {
      if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw errors.badRequest(`invalid port: ${p}`);
      q.append('port', p);
    }
    path = `/portForward/${ns}/${encodeURIComponent(name)}`;
  } else {
    const container = resolveContainer(pod, query.get('container') ?? '');
    const stdin = parseBool(query, 'stdin', false);
    const stdout = parseBool(query, 'stdout', true);
    const stderr = parseBool(query, 'stderr', true);
    const tty = parseBool(query, 'tty', false);
    if (!stdin && !stdout && !stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
    if (stdin) q.set('input', '1');
    if (stdout) q.set('output', '1');
    if (stderr) q.set('error', '1');
    if (tty) q.set('tty', '1');
    if (subresource === 'exec') {
      const command = query.getAll('command');
      if (command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
      for (const c of command) q.append('command', c);
    }
    path = `/${subresource}/${ns}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
  }
  if (!pod.spec.nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Headers of the client's upgrade request the agent needs to negotiate with it. */
const passedHeaders = ['upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version'];

export async function podStream(ctx: RequestContext, kubeletClient: KeyPairPem): Promise<void> {
  const subresource = ctx.info.subresource as StreamSubresource;
  if (ctx.info.verb !== 'get' && ctx.info.verb !== 'create') throw errors.methodNotAllowed(ctx.req.method ?? '', `pods/${subresource}`);
  const r = ctx.resource;
  const name = ctx.info.name;
  const kv = await ctx.parts.store.get(objectKey(r, ctx.info.namespace, name));
  if (!kv) throw errors.notFound('', 'pods', name);
  const pod = decodeObject(kv, r) as PodShape;
  const path = agentStreamPath(pod, subresource, ctx.query);
  if (!ctx.upgrade) throw errors.badRequest('Upgrade request required');
  const endpoint = await agentEndpoint(ctx, pod.spec.nodeName!, name);
  const headers: Record<string, string | string[]> = { Connection: 'Upgrade' };
  for (const h of passedHeaders) {
    const v = ctx.req.headersDistinct[h];
    if (v) headers[h] = v.length === 1 ? v[0] : v;
  }
  const { socket, head } = ctx.upgrade;
  await new Promise<void>((resolve, reject) => {
    const upstream = https.request({ host: endpoint.host, port: endpoint.port, method: 'GET', path, headers, ...agentTls(kubeletClient) });
    upstream.on('upgrade', (res, agentSocket: Duplex, agentHead: Buffer) => {
      ctx.upgrade!.taken = true;
      if (socket.destroyed) {
        // The client left while the agent was answering.
        agentSocket.destroy();
        return resolve();
      }
      const lines = [`HTTP/1.1 101 ${res.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (agentHead.length) socket.write(agentHead);
      if (head.length) agentSocket.write(head);
      relay(socket, agentSocket);
      resolve();
    });
    upstream.on('response', (res) => {
      // The agent refused the upgrade: pass its answer on, as upstream's proxy does.
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        ctx.res.writeHead(res.statusCode ?? 502, { 'Content-Type': res.headers['content-type'] ?? 'text/plain; charset=utf-8', 'Content-Length': body.length });
        ctx.res.end(body);
        resolve();
      });
      res.on('error', () => resolve());
    });
    upstream.on('error', (err) => reject(errors.internal(`error dialing backend: ${err.message}`)));
    upstream.end();
  });
}

/** Bytes both ways; when one side goes, the other is ended (what was written still flushes). */
function relay(a: Duplex, b: Duplex): void {
  const destroy = () => {
    a.destroy();
    b.destroy();
  };
  const closeOther = (other: Duplex) => () => {
    other.end();
    setTimeout(() => other.destroy(), 5000).unref();
  };
  a.on('error', destroy);
  b.on('error', destroy);
  a.on('close', closeOther(b));
  b.on('close', closeOther(a));
  a.pipe(b);
  b.pipe(a);
}
