// SPDY/3.1, the server side of what kubectl's streaming client (moby/spdystream) speaks: frame
// encoding, the zlib-compressed header blocks, and a session that turns the client's
// SYN_STREAMs into Duplex streams. Only what that client uses is here: no server-initiated
// streams, no flow control (spdystream neither sends nor honours WINDOW_UPDATE), no priorities.
import { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';
import zlib from 'node:zlib';

export const SPDY_VERSION = 3;

export const frameTypes = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

const FLAG_FIN = 0x01;
const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const rstStatus = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6 } as const;

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'synStream'; streamId: number; associatedTo: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: 'synReply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'ping'; id: number }
  | { type: 'goAway'; lastGoodStreamId: number; status: number }
  | { type: 'settings' }
  | { type: 'windowUpdate'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number };

export class SpdyProtocolError extends Error {}

/**
 * Cuts a byte stream into frames. Control frames: 1 bit set, 15-bit version, 16-bit type, then
 * 8-bit flags and 24-bit length; data frames: 0 bit, 31-bit stream id, flags and length.
 */
export class FrameParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUInt32BE(4) & 0xffffff;
      if (this.buffer.length < 8 + length) break;
      frames.push(decodeFrame(this.buffer.subarray(0, 8 + length)));
      this.buffer = this.buffer.subarray(8 + length);
    }
    return frames;
  }
}

/** One whole frame (header and payload) → Frame. */
export function decodeFrame(buf: Buffer): Frame {
  const first = buf.readUInt32BE(0);
  const flags = buf[4];
  const payload = buf.subarray(8);
  if ((first & 0x80000000) === 0) return { type: 'data', streamId: first & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: payload };
  const version = (first >>> 16) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = first & 0xffff;
  const need = (n: number) => {
    if (payload.length < n) throw new SpdyProtocolError(`short control frame of type ${type}`);
  };
  const fin = (flags & FLAG_FIN) !== 0;
  switch (type) {
    case frameTypes.synStream:
      need(10);
      return {
        type: 'synStream',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        associatedTo: payload.readUInt32BE(4) & 0x7fffffff,
        fin,
        unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: payload.subarray(10),
      };
    case frameTypes.synReply:
      need(4);
      return { type: 'synReply', streamId: payload.readUInt32BE(0) & 0x7fffffff, fin, headerBlock: payload.subarray(4) };
    case frameTypes.headers:
      need(4);
      return { type: 'headers', streamId: payload.readUInt32BE(0) & 0x7fffffff, fin, headerBlock: payload.subarray(4) };
    case frameTypes.rstStream:
      need(8);
      return { type: 'rstStream', streamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.readUInt32BE(4) };
    case frameTypes.ping:
      need(4);
      return { type: 'ping', id: payload.readUInt32BE(0) };
    case frameTypes.goAway:
      need(8);
      return { type: 'goAway', lastGoodStreamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.readUInt32BE(4) };
    case frameTypes.settings:
      return { type: 'settings' };
    case frameTypes.windowUpdate:
      need(8);
      return { type: 'windowUpdate', streamId: payload.readUInt32BE(0) & 0x7fffffff, delta: payload.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'unknown', frameType: type };
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

export function encodeData(streamId: number, data: Buffer, fin = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
  return Buffer.concat([head, data]);
}

/** SYN_STREAM as a client sends it (the tests' client side). */
export function encodeSynStream(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  const p = Buffer.alloc(10);
  p.writeUInt32BE(streamId, 0);
  return controlFrame(frameTypes.synStream, fin ? FLAG_FIN : 0, Buffer.concat([p, headerBlock]));
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(streamId, 0);
  return controlFrame(frameTypes.synReply, fin ? FLAG_FIN : 0, Buffer.concat([p, headerBlock]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(frameTypes.rstStream, 0, p);
}

export function encodePing(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id >>> 0, 0);
  return controlFrame(frameTypes.ping, 0, p);
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(frameTypes.goAway, 0, p);
}

export type Headers = Record<string, string[]>;

/** The (uncompressed) name/value block: counts and lengths are 32-bit, names lower-case, values joined by NUL. */
export function encodeHeaderBlock(headers: Headers): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  const names = Object.keys(headers);
  parts.push(u32(names.length));
  for (const name of names) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(headers[name].join('\0'));
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(buf: Buffer): Headers {
  const headers: Headers = {};
  let at = 0;
  const u32 = () => {
    if (at + 4 > buf.length) throw new SpdyProtocolError('truncated header block');
    const n = buf.readUInt32BE(at);
    at += 4;
    return n;
  };
  const bytes = (n: number) => {
    if (at + n > buf.length) throw new SpdyProtocolError('truncated header block');
    const s = buf.subarray(at, at + n).toString('utf8');
    at += n;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32()).toLowerCase();
    const value = bytes(u32());
    (headers[name] ??= []).push(...value.split('\0'));
  }
  return headers;
}

/**
 * The dictionary SPDY/3 primes its header zlib streams with (the protocol draft, section
 * 2.6.10.1): length-prefixed header names and common values, then a run of common text.
 */
export const headerDictionary: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
    'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
    'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
    'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
    'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive',
    'origin',
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const w of words) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length, 0);
    parts.push(len, Buffer.from(w, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

/**
 * One direction's header compression: a single zlib stream (primed with the dictionary) runs
 * over every header block of the connection, each block ending in a sync flush.
 */
export class HeaderCodec {
  private readonly z: zlib.Inflate | zlib.Deflate;
  private queue: Promise<unknown> = Promise.resolve();
  private failure?: Error;

  constructor(direction: 'inflate' | 'deflate') {
    this.z = direction === 'inflate' ? zlib.createInflate({ dictionary: headerDictionary }) : zlib.createDeflate({ dictionary: headerDictionary });
    this.z.on('error', (err) => (this.failure = err));
  }

  /** Blocks go through the stream in call order. */
  process(block: Buffer): Promise<Buffer> {
    const run = this.queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.failure) return reject(this.failure);
          const chunks: Buffer[] = [];
          const onData = (d: Buffer) => chunks.push(d);
          const onError = (err: Error) => {
            this.z.off('data', onData);
            reject(err);
          };
          this.z.on('data', onData);
          this.z.once('error', onError);
          this.z.write(block);
          this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.z.off('data', onData);
            this.z.off('error', onError);
            if (this.failure) reject(this.failure);
            else resolve(Buffer.concat(chunks));
          });
        }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.z.close();
  }
}

/** A stream the client opened: its headers, and its data both ways. */
export class SpdyStream extends Duplex {
  /** The stream's headers, one value per name (the first). */
  readonly headers: Record<string, string>;
  /** The client sent FIN or RST. */
  remoteClosed = false;
  private localClosed = false;

  constructor(
    readonly id: number,
    headers: Headers,
    private readonly session: SpdySession,
  ) {
    super({ allowHalfOpen: true });
    // A write racing the stream's end is not worth a crash; the session reports what matters.
    this.on('error', () => undefined);
    this.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v[0] ?? '']));
  }

  override _read(): void {
    // Data is pushed as frames arrive; spdystream has no flow control to drive.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.localClosed) return callback(new Error(`write on closed SPDY stream ${this.id}`));
    this.session.send(encodeData(this.id, chunk), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.localClosed) return callback();
    this.localClosed = true;
    this.session.send(encodeData(this.id, Buffer.alloc(0), true), callback);
    this.session.maybeForget(this);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.localClosed || !this.remoteClosed) {
      this.localClosed = true;
      if (!this.session.closed) this.session.send(encodeRstStream(this.id, rstStatus.cancel));
    }
    this.session.forget(this);
    callback(err);
  }

  get bothClosed(): boolean {
    return this.localClosed && this.remoteClosed;
  }

  /** Frames from the client. */
  remoteData(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length) this.push(data);
    if (fin) {
      this.remoteClosed = true;
      this.push(null);
      this.session.maybeForget(this);
    }
  }

  remoteReset(): void {
    this.remoteClosed = true;
    this.localClosed = true;
    this.push(null);
    this.destroy();
  }
}

/**
 * The server end of a SPDY/3.1 connection over any byte stream (an upgraded socket, or a
 * WebSocket carrying SPDY for port-forward). Every client stream is accepted with an empty
 * SYN_REPLY, then announced as 'stream'; pings are answered; 'close' when the connection ends.
 */
export class SpdySession extends EventEmitter {
  closed = false;
  private readonly parser = new FrameParser();
  private readonly inflate = new HeaderCodec('inflate');
  private readonly deflate = new HeaderCodec('deflate');
  private readonly streams = new Map<number, SpdyStream>();
  /** Frames in and out are handled one after another: header blocks share zlib state. */
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private lastStreamId = 0;

  constructor(private readonly conn: Duplex) {
    super();
    conn.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.parser.push(chunk);
      } catch (err) {
        return this.fail(err as Error);
      }
      for (const f of frames) this.inbound = this.inbound.then(() => this.handle(f)).catch((err) => this.fail(err as Error));
    });
    conn.on('end', () => this.shutdown());
    conn.on('close', () => this.shutdown());
    conn.on('error', () => this.shutdown());
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Queue bytes for the connection, after every frame queued before them. */
  send(frame: Buffer | Promise<Buffer>, callback?: (error?: Error | null) => void): void {
    this.outbound = this.outbound.then(async () => {
      const bytes = await frame;
      if (this.closed || this.conn.destroyed || this.conn.writableEnded) {
        callback?.(new Error('SPDY connection closed'));
        return;
      }
      await new Promise<void>((resolve) => {
        this.conn.write(bytes, (err) => {
          callback?.(err);
          resolve();
        });
      });
    });
  }

  /** Say GOAWAY and end the connection once everything queued is written. */
  close(): void {
    if (this.closed) return;
    this.send(encodeGoAway(this.lastStreamId));
    this.outbound = this.outbound.then(() => {
      this.conn.end();
    });
  }

  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
  }

  maybeForget(stream: SpdyStream): void {
    if (stream.bothClosed) this.streams.delete(stream.id);
  }

  private async handle(f: Frame): Promise<void> {
    switch (f.type) {
      case 'synStream': {
        const headers = decodeHeaderBlock(await this.inflate.process(f.headerBlock));
        this.lastStreamId = Math.max(this.lastStreamId, f.streamId);
        const stream = new SpdyStream(f.streamId, headers, this);
        this.streams.set(f.streamId, stream);
        this.send(this.deflate.process(encodeHeaderBlock({})).then((block) => encodeSynReply(f.streamId, block)));
        if (f.fin || f.unidirectional) stream.remoteData(Buffer.alloc(0), true);
        this.emit('stream', stream);
        return;
      }
      case 'data':
        this.streams.get(f.streamId)?.remoteData(f.data, f.fin);
        return;
      case 'headers':
        // Keep the shared zlib stream in step even though nothing here needs these headers.
        await this.inflate.process(f.headerBlock);
        if (f.fin) this.streams.get(f.streamId)?.remoteData(Buffer.alloc(0), true);
        return;
      case 'synReply':
        await this.inflate.process(f.headerBlock);
        return;
      case 'rstStream':
        this.streams.get(f.streamId)?.remoteReset();
        return;
      case 'ping':
        // The client's pings have odd ids: answer them with the same frame.
        if (f.id % 2 === 1) this.send(encodePing(f.id));
        return;
      case 'goAway':
        this.close();
        return;
      default:
        return;
    }
  }

  private fail(err: Error): void {
    this.emit('protocolError', err);
    this.conn.destroy();
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.remoteReset();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.emit('close');
  }
}
