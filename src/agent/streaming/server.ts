// The agent's streaming endpoint (the kubelet's /exec, /attach and /portForward), reached only
// through the API server, which has already authenticated the user and checked the Pod and
// container. It upgrades the connection to whichever transport the client offered — WebSocket
// (v5/v4.channel.k8s.io for exec and attach, SPDY tunnelled in WebSocket for port-forward) or
// plain SPDY/3.1 — and runs the session against the container runtime.
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { Runtime } from '../runtime/runtime.js';
import { SpdySession } from './spdy.js';
import {
  parseStreamOptions, protocols, spdyStreams, statusFor, StreamRequestError, webSocketStreams,
  type RemoteCommandStreams, type StreamOptions,
} from './remotecommand.js';
import { portForwardProtocol, servePortForward, tunnelingProtocol, type PortForwardTarget } from './portforward.js';

/** What the endpoint needs to know about the Pods on this node. */
export interface StreamingHost {
  /** The id of the named container when it is running, else the kubelet's error text. */
  runningContainer(namespace: string, pod: string, container: string): { id: string } | { error: string };
  /** Address and identity of a Pod on this node. */
  portForwardTarget(namespace: string, pod: string): PortForwardTarget | { error: string };
}

type Operation = 'exec' | 'attach' | 'portForward';

interface Route {
  operation: Operation;
  namespace: string;
  pod: string;
  container: string;
}

/** /exec/<ns>/<pod>/<container>, /attach/<ns>/<pod>/<container>, /portForward/<ns>/<pod>. */
export function parseStreamingPath(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [op, namespace, pod, container] = parts;
  if ((op === 'exec' || op === 'attach') && parts.length === 4) return { operation: op, namespace, pod, container };
  if (op === 'portForward' && parts.length === 3) return { operation: op, namespace, pod, container: '' };
  return undefined;
}

/** SPDY: the protocol versions the client offers, in its order of preference. */
function offeredStreamProtocols(req: IncomingMessage): string[] {
  const raw = req.headersDistinct['x-stream-protocol-version'] ?? [];
  return raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export class StreamingServer {
  /** The subprotocol chosen for each request being upgraded. */
  private readonly chosen = new WeakMap<IncomingMessage, string>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_offered, req) => this.chosen.get(req) ?? false });

  constructor(
    private readonly runtime: Pick<Runtime, 'exec' | 'attach'>,
    private readonly host: StreamingHost,
  ) {}

  /** Serve an upgrade request (already authenticated). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    try {
      this.upgrade(req, socket, head);
    } catch (err) {
      reject(socket, 500, (err as Error).message);
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://agent');
    const route = parseStreamingPath(url.pathname);
    if (!route) return reject(socket, 404, 'not found');
    let opts: StreamOptions | undefined;
    let command: string[] = [];
    let containerId = '';
    let target: PortForwardTarget | undefined;
    try {
      if (route.operation === 'portForward') {
        const t = this.host.portForwardTarget(route.namespace, route.pod);
        if ('error' in t) return reject(socket, 400, t.error);
        target = t;
      } else {
        opts = parseStreamOptions(url.searchParams);
        command = url.searchParams.getAll('command');
        if (route.operation === 'exec' && command.length === 0) return reject(socket, 400, 'you must specify at least one command for the container');
        const c = this.host.runningContainer(route.namespace, route.pod, route.container);
        if ('error' in c) return reject(socket, 400, c.error);
        containerId = c.id;
      }
    } catch (err) {
      if (err instanceof StreamRequestError) return reject(socket, 400, err.message);
      throw err;
    }

    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      const offered = new Set((req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean));
      const supported = route.operation === 'portForward' ? [tunnelingProtocol] : [protocols.v5, protocols.v4];
      const chosen = supported.find((p) => offered.has(p));
      if (!chosen) return reject(socket, 400, `unable to upgrade: unable to negotiate protocol: client supports [${[...offered].join(' ')}], server accepts [${supported.join(' ')}]`);
      this.chosen.set(req, chosen);
      // kubectl's tunnelling subprotocol has a '/', outside RFC 6455's token grammar, which ws
      // enforces; the choice is made already, so ws is shown a stand-in and answers with the choice.
      req.headers['sec-websocket-protocol'] = 'chosen';
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        if (route.operation === 'portForward') {
          const session = new SpdySession(createWebSocketStream(ws));
          servePortForward(session, target!);
        } else void this.run(route.operation, containerId, command, opts!, webSocketStreams(ws as WebSocket, opts!));
      });
      return;
    }
    if (upgrade === 'spdy/3.1') {
      const offered = offeredStreamProtocols(req);
      const supported = route.operation === 'portForward' ? [portForwardProtocol] : [protocols.v4];
      const chosen = offered.find((p) => supported.includes(p));
      if (!chosen) return reject(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${supported.join(' ')}]`);
      socket.write(['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1', `X-Stream-Protocol-Version: ${chosen}`, '', ''].join('\r\n'));
      if (head.length) socket.unshift(head);
      const session = new SpdySession(socket);
      if (route.operation === 'portForward') servePortForward(session, target!);
      else {
        spdyStreams(session, opts!).then(
          (streams) => this.run(route.operation as 'exec' | 'attach', containerId, command, opts!, streams),
          () => socket.destroy(),
        );
      }
      return;
    }
    reject(socket, 400, 'Upgrade request required');
  }

  close(): void {
    this.wss.close();
  }

  /** Run the command or the attach until it ends, then report its Status. */
  private async run(operation: 'exec' | 'attach', id: string, command: string[], opts: StreamOptions, streams: RemoteCommandStreams): Promise<void> {
    try {
      if (operation === 'exec') {
        const code = await this.runtime.exec(id, { command, stdin: streams.stdin, stdout: streams.stdout, stderr: streams.stderr, tty: opts.tty, resize: streams.resize, signal: streams.signal });
        await streams.finish(code === 0 ? statusFor.success() : statusFor.exitCode(command, code));
      } else {
        await this.runtime.attach(id, { stdin: streams.stdin, stdout: streams.stdout, stderr: streams.stderr, tty: opts.tty, signal: streams.signal });
        await streams.finish(statusFor.success());
      }
    } catch (err) {
      await streams.finish(statusFor.internalError(`error ${operation === 'exec' ? 'executing command in' : 'attaching to'} container: ${(err as Error).message}`)).catch(() => undefined);
    }
  }
}

/** Answer an upgrade request with a plain-text error, as the kubelet does; the API server relays it. */
function reject(socket: Duplex, code: number, text: string): void {
  const body = Buffer.from(text);
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${text}`,
  );
}
