// The remote command protocol of exec and attach, as the kubelet serves it: which streams the
// client asked for, how they travel (WebSocket channels v4/v5, or SPDY streams v4), the
// terminal sizes on the resize stream, and the Status on the error stream that ends a session
// and carries the command's exit code.
import { EventEmitter } from 'node:events';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { SpdySession, SpdyStream } from './spdy.js';

export const protocols = {
  v5: 'v5.channel.k8s.io',
  v4: 'v4.channel.k8s.io',
} as const;

/** WebSocket channel numbers: the first byte of every binary message. */
export const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface TerminalSize {
  width: number;
  height: number;
}

/** The Status written on the error stream: metav1.Status without its TypeMeta, as the kubelet marshals it. */
export interface StreamStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
  code?: number;
}

export class StreamRequestError extends Error {}

/**
 * The kubelet's stream options (input/output/error/tty as "1"). A tty carries stderr on stdout,
 * so stderr is dropped with tty, as upstream does; at least one stream must remain.
 */
export function parseStreamOptions(query: URLSearchParams): StreamOptions {
  const on = (name: string) => query.get(name) === '1';
  const tty = on('tty');
  const opts = { stdin: on('input'), stdout: on('output'), stderr: on('error') && !tty, tty };
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw new StreamRequestError('you must specify at least 1 of stdin, stdout, stderr');
  return opts;
}

export const statusFor = {
  success: (): StreamStatus => ({ metadata: {}, status: 'Success' }),
  /** The exit code goes in a cause of type ExitCode; kubectl exits with it. */
  exitCode: (command: string[], code: number): StreamStatus => ({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command '${command.join(' ')}' exited with ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  }),
  /** The command could not be run at all; kubectl prints the message. */
  internalError: (message: string): StreamStatus => ({
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ reason: '', message }] },
    code: 500,
  }),
};

/** A resize stream carries JSON objects {"Width":w,"Height":h}, one per write, possibly newline-separated. */
export function parseTerminalSizes(text: string): TerminalSize[] {
  const out: TerminalSize[] = [];
  for (const piece of text.split('\n')) {
    const t = piece.trim();
    if (!t) continue;
    try {
      const v = JSON.parse(t) as { Width?: number; Height?: number };
      if (typeof v.Width === 'number' && typeof v.Height === 'number') out.push({ width: v.Width, height: v.Height });
    } catch {
      // A malformed size is ignored, as upstream logs and skips it.
    }
  }
  return out;
}

/** The sizes from the resize stream: 'resize' events, and the latest one for a command not started yet. */
export class TerminalSizeQueue extends EventEmitter {
  last?: TerminalSize;

  push(size: TerminalSize): void {
    this.last = size;
    this.emit('resize', size);
  }
}

/** One exec or attach session's streams, whatever carries them. */
export interface RemoteCommandStreams {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  resize: TerminalSizeQueue;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Write the final Status on the error stream and close the connection. */
  finish(status: StreamStatus): Promise<void>;
}

/** A binary WebSocket message: the channel byte, then the data. */
export function encodeChannelFrame(ch: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([ch]), data]);
}

export function decodeChannelFrame(msg: Buffer): { channel: number; data: Buffer } | undefined {
  if (msg.length === 0) return undefined;
  return { channel: msg[0], data: msg.subarray(1) };
}

/**
 * Streams over an accepted WebSocket speaking v4 or v5.channel.k8s.io. v5 adds the CLOSE
 * message [255, channel] by which the client half-closes stdin (its end of input); with v4 the
 * input ends only with the connection.
 */
export function webSocketStreams(ws: WebSocket, opts: StreamOptions): RemoteCommandStreams {
  const abort = new AbortController();
  const resize = new TerminalSizeQueue();
  const stdin = opts.stdin ? new PassThrough() : undefined;
  stdin?.on('error', () => undefined);
  const output = (ch: number) =>
    new Writable({
      write(chunk: Buffer, _enc, callback) {
        if (ws.readyState !== ws.OPEN) return callback();
        ws.send(encodeChannelFrame(ch, chunk), { binary: true }, () => callback());
      },
    });
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const frame = decodeChannelFrame(toBuffer(raw));
    if (!frame) return;
    if (frame.channel === channel.stdin) {
      if (stdin && !stdin.writableEnded) stdin.write(frame.data);
    }
    else if (frame.channel === channel.resize) for (const size of parseTerminalSizes(frame.data.toString('utf8'))) resize.push(size);
    else if (frame.channel === channel.close && frame.data[0] === channel.stdin) stdin?.end();
  });
  ws.on('close', () => {
    stdin?.end();
    abort.abort();
  });
  ws.on('error', () => abort.abort());
  return {
    stdin,
    stdout: opts.stdout ? output(channel.stdout) : undefined,
    stderr: opts.stderr ? output(channel.stderr) : undefined,
    resize,
    signal: abort.signal,
    finish: (status) =>
      new Promise<void>((resolve) => {
        if (ws.readyState !== ws.OPEN) return resolve();
        ws.send(encodeChannelFrame(channel.error, Buffer.from(JSON.stringify(status))), { binary: true }, () => {
          ws.close(1000);
          resolve();
        });
      }),
  };
}

function toBuffer(raw: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

/** How long the client has to open the streams it asked for (upstream's streamCreationTimeout). */
export const streamCreationTimeoutMs = 30_000;

/**
 * Streams over a SPDY connection speaking v4.channel.k8s.io: the client opens one stream per
 * stream type (the streamType header: error, stdin, stdout, stderr, resize); once every stream
 * it asked for is there, the session can run.
 */
export function spdyStreams(session: SpdySession, opts: StreamOptions, timeoutMs = streamCreationTimeoutMs): Promise<RemoteCommandStreams> {
  const expected = ['error', ...(opts.stdin ? ['stdin'] : []), ...(opts.stdout ? ['stdout'] : []), ...(opts.stderr ? ['stderr'] : []), ...(opts.tty ? ['resize'] : [])];
  const got = new Map<string, SpdyStream>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.close();
      reject(new StreamRequestError(`timed out waiting for client to create streams (have ${[...got.keys()].join(', ') || 'none'})`));
    }, timeoutMs);
    const onClose = () => {
      clearTimeout(timer);
      reject(new StreamRequestError('the client closed the connection before opening its streams'));
    };
    session.once('close', onClose);
    const onStream = (stream: SpdyStream) => {
      const type = stream.headers['streamtype'];
      if (!expected.includes(type) || got.has(type)) {
        stream.destroy();
        return;
      }
      got.set(type, stream);
      if (got.size < expected.length) return;
      clearTimeout(timer);
      session.off('stream', onStream);
      session.off('close', onClose);
      resolve(fromSpdy(session, got));
    };
    session.on('stream', onStream);
  });
}

function fromSpdy(session: SpdySession, streams: Map<string, SpdyStream>): RemoteCommandStreams {
  const abort = new AbortController();
  session.once('close', () => abort.abort());
  const resize = new TerminalSizeQueue();
  const resizeStream = streams.get('resize');
  if (resizeStream) {
    let pending = '';
    resizeStream.on('data', (d: Buffer) => {
      pending += d.toString('utf8');
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      for (const size of parseTerminalSizes(pending.slice(0, cut))) resize.push(size);
      pending = pending.slice(cut + 1);
    });
  }
  // The command's output must not close the streams: the session's end does.
  const output = (s: SpdyStream | undefined) =>
    s &&
    new Writable({
      write(chunk: Buffer, _enc, callback) {
        if (s.destroyed || s.writableEnded) return callback();
        s.write(chunk, () => callback());
      },
    });
  const stdin = streams.get('stdin');
  stdin?.on('error', () => undefined);
  return {
    stdin,
    stdout: output(streams.get('stdout')),
    stderr: output(streams.get('stderr')),
    resize,
    signal: abort.signal,
    finish: async (status) => {
      const error = streams.get('error')!;
      await new Promise<void>((resolve) => error.end(JSON.stringify(status), () => resolve()));
      for (const s of streams.values()) if (s !== error && !s.writableEnded && !s.destroyed) s.end();
      session.close();
    },
  };
}
