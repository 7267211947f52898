// Port-forward, as the kubelet serves it over SPDY (portforward.k8s.io): for every connection
// kubectl accepts locally it opens two streams with the same requestID, an error stream and a
// data stream, both naming the port. The data stream is joined to a TCP connection to the Pod's
// address and port; a failure is written on the error stream. Both streams are closed when the
// connection ends, which is what kubectl waits for.
import net from 'node:net';
import type { SpdySession, SpdyStream } from './spdy.js';

export const portForwardProtocol = 'portforward.k8s.io';
/** What kubectl 1.31+ asks for over WebSocket: the SPDY session tunnelled in binary messages. */
export const tunnelingProtocol = `SPDY/3.1+${portForwardProtocol}`;

export interface PortForwardTarget {
  /** What messages call the pod (upstream: its name and uid). */
  podName: string;
  podUid: string;
  podIP: string;
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Serve one port-forward connection until the client closes it. */
export function servePortForward(session: SpdySession, target: PortForwardTarget, pairTimeoutMs = 30_000): void {
  const pairs = new Map<string, Pair>();
  session.on('stream', (stream: SpdyStream) => {
    const type = stream.headers['streamtype'];
    // Clients before requestIDs existed sent one pair at a time: the port names it then.
    const key = stream.headers['requestid'] ?? `port:${stream.headers['port']}`;
    if (type !== 'data' && type !== 'error') {
      stream.destroy();
      return;
    }
    let pair = pairs.get(key);
    if (!pair) {
      pair = {
        timer: setTimeout(() => {
          pairs.delete(key);
          pair!.data?.destroy();
          pair!.error?.end(`timed out waiting for the ${pair!.data ? 'error' : 'data'} stream of request ${key}`);
        }, pairTimeoutMs),
      };
      pairs.set(key, pair);
    }
    pair[type] = stream;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(key);
      forward(target, pair.data, pair.error);
    }
  });
  session.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
  });
}

/** Join a data stream to podIP:port; report a failure on the error stream. */
export function forward(target: PortForwardTarget, data: SpdyStream, error: SpdyStream): void {
  const portText = data.headers['port'] ?? '';
  const port = Number(portText);
  error.resume(); // the client writes nothing on it, but closes its side
  const fail = (message: string) => {
    if (!error.destroyed && !error.writableEnded) error.end(`error forwarding port ${portText} to pod ${target.podName}, uid ${target.podUid}: ${message}`);
    if (!data.destroyed && !data.writableEnded) data.end();
  };
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    fail(`invalid port ${JSON.stringify(portText)}`);
    return;
  }
  const conn = net.connect({ host: target.podIP, port });
  let connected = false;
  conn.once('connect', () => {
    connected = true;
    data.pipe(conn);
  });
  conn.on('data', (chunk: Buffer) => {
    if (!data.destroyed && !data.writableEnded) data.write(chunk);
  });
  conn.on('end', () => {
    if (!data.destroyed && !data.writableEnded) data.end();
    if (!error.destroyed && !error.writableEnded) error.end();
  });
  conn.on('error', (err: NodeJS.ErrnoException) => {
    fail(connected ? err.message : dialError(err, target.podIP, port));
    conn.destroy();
  });
  conn.on('close', () => {
    if (!error.destroyed && !error.writableEnded) error.end();
  });
  // kubectl resets the data stream when its local connection ends.
  data.on('close', () => conn.destroy());
  data.on('error', () => conn.destroy());
}

/** Go's words for a failed dial, which upstream's message carries. */
function dialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const addr = `${host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: i/o timeout`;
    default:
      return `dial tcp ${addr}: ${err.message}`;
  }
}
