// For tests: the client end of a SPDY connection, frame by frame, as kubectl's spdystream
// drives it — open streams with headers, send data, and wait for what the server answers.
import type { Duplex } from 'node:stream';
import { decodeHeaderBlock, encodeHeaderBlock, encodeSynStream, FrameParser, HeaderCodec, type Frame } from './spdy.js';

export type DataFrame = Extract<Frame, { type: 'data' }>;

export class SpdyTestClient {
  readonly frames: Frame[] = [];
  private readonly deflate = new HeaderCodec('deflate');
  private readonly inflate = new HeaderCodec('inflate');
  private readonly parser = new FrameParser();
  private nextId = 1;

  constructor(private readonly conn: Duplex) {
    conn.on('data', (d: Buffer) => this.frames.push(...this.parser.push(d)));
  }

  /** Open a stream (odd ids, as a client's); returns its id. */
  async open(headers: Record<string, string>): Promise<number> {
    const id = this.nextId;
    this.nextId += 2;
    const block = await this.deflate.process(encodeHeaderBlock(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]))));
    this.conn.write(encodeSynStream(id, block));
    return id;
  }

  send(bytes: Buffer): void {
    this.conn.write(bytes);
  }

  /** Everything the server sent on a stream so far, and whether it closed its side. */
  received(streamId: number): { text: string; fin: boolean } {
    const data = this.frames.filter((f): f is DataFrame => f.type === 'data' && f.streamId === streamId);
    return { text: Buffer.concat(data.map((d) => d.data)).toString(), fin: data.some((d) => d.fin) };
  }

  async headersOf(block: Buffer): Promise<Record<string, string[]>> {
    return decodeHeaderBlock(await this.inflate.process(block));
  }

  async until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.conn.destroy();
    this.deflate.close();
    this.inflate.close();
  }
}
