import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import {
  decodeFrame, decodeHeaderBlock, encodeData, encodeGoAway, encodeHeaderBlock, encodePing, encodeRstStream, encodeSynReply,
  encodeSynStream, FrameParser, HeaderCodec, headerDictionary, SpdySession, type Frame, type SpdyStream,
} from './spdy.js';
import { SpdyTestClient } from './testing.js';

test('frames: encode then decode gives the same frame; the parser cuts a byte stream at frame boundaries', () => {
  const cases: [string, Buffer, Frame][] = [
    ['data', encodeData(3, Buffer.from('hi')), { type: 'data', streamId: 3, fin: false, data: Buffer.from('hi') }],
    ['data with FIN', encodeData(5, Buffer.alloc(0), true), { type: 'data', streamId: 5, fin: true, data: Buffer.alloc(0) }],
    ['SYN_STREAM', encodeSynStream(1, Buffer.from('hb')), { type: 'synStream', streamId: 1, associatedTo: 0, fin: false, unidirectional: false, headerBlock: Buffer.from('hb') }],
    ['SYN_REPLY', encodeSynReply(7, Buffer.from('x'), true), { type: 'synReply', streamId: 7, fin: true, headerBlock: Buffer.from('x') }],
    ['RST_STREAM', encodeRstStream(9, 5), { type: 'rstStream', streamId: 9, status: 5 }],
    ['PING', encodePing(11), { type: 'ping', id: 11 }],
    ['GOAWAY', encodeGoAway(13), { type: 'goAway', lastGoodStreamId: 13, status: 0 }],
  ];
  for (const [name, bytes, frame] of cases) assert.deepEqual(decodeFrame(bytes), frame, name);
  const all = Buffer.concat(cases.map((c) => c[1]));
  const parser = new FrameParser();
  const got: Frame[] = [];
  // One byte at a time: frames come out whole, whatever the reads.
  for (let i = 0; i < all.length; i++) got.push(...parser.push(all.subarray(i, i + 1)));
  assert.deepEqual(got, cases.map((c) => c[2]));
});

test('header blocks: names lower-cased, several values joined by NUL', () => {
  const block = encodeHeaderBlock({ streamType: ['data'], Port: ['8080'], multi: ['a', 'b'] });
  assert.deepEqual(decodeHeaderBlock(block), { streamtype: ['data'], port: ['8080'], multi: ['a', 'b'] });
  assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({})), {});
  assert.throws(() => decodeHeaderBlock(block.subarray(0, block.length - 1)), /truncated/);
});

test('header compression: one zlib stream with the SPDY/3 dictionary carries every block of a connection', async () => {
  assert.equal(headerDictionary.length, 1423);
  assert.equal(headerDictionary.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.ok(headerDictionary.toString('latin1').endsWith(',*,enq=0.'));
  const deflate = new HeaderCodec('deflate');
  const inflate = new HeaderCodec('inflate');
  const blocks: Record<string, string[]>[] = [{ streamtype: ['error'], port: ['80'] }, { streamtype: ['data'], port: ['80'] }, {}];
  const compressed = await Promise.all(blocks.map((b) => deflate.process(encodeHeaderBlock(b))));
  // The second block repeats the first's names: the shared stream makes it smaller.
  assert.ok(compressed[1].length < compressed[0].length);
  for (let i = 0; i < blocks.length; i++) assert.deepEqual(decodeHeaderBlock(await inflate.process(compressed[i])), blocks[i]);
  await assert.rejects(new HeaderCodec('inflate').process(Buffer.from('not zlib at all')));
  deflate.close();
  inflate.close();
});

/** A session on a real socket, and a client end that speaks to it frame by frame. */
async function spdyPair(onStream: (s: SpdyStream) => void) {
  let session!: SpdySession;
  const server = net.createServer((socket) => {
    session = new SpdySession(socket);
    session.on('stream', onStream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const client = new SpdyTestClient(socket);
  return {
    client,
    session: () => session,
    close() {
      client.close();
      server.close();
    },
  };
}

test('session: a client stream is accepted with a SYN_REPLY, carries data both ways, and half-closes with FIN', async () => {
  const seen: SpdyStream[] = [];
  const { client, session, close } = await spdyPair((s) => {
    seen.push(s);
    s.on('data', (d: Buffer) => s.write(Buffer.from(`echo:${d}`)));
    s.on('end', () => s.end());
  });
  const id = await client.open({ streamtype: 'data', port: '8080', requestid: '0' });
  await client.until('the reply', () => client.frames.some((x) => x.type === 'synReply'));
  const reply = client.frames.find((x) => x.type === 'synReply') as Extract<Frame, { type: 'synReply' }>;
  assert.equal(reply.streamId, id);
  assert.deepEqual(await client.headersOf(reply.headerBlock), {});
  assert.deepEqual(seen[0].headers, { streamtype: 'data', port: '8080', requestid: '0' });
  client.send(encodeData(id, Buffer.from('abc')));
  client.send(encodeData(id, Buffer.alloc(0), true));
  await client.until('the echo and FIN', () => client.received(id).fin);
  assert.equal(client.received(id).text, 'echo:abc');
  assert.equal(session().streamCount, 0, 'a stream closed both ways is forgotten');
  close();
});

test('session: pings from the client are answered, a reset stream ends, the connection closing ends every stream', async () => {
  const streams: SpdyStream[] = [];
  const { client, session, close } = await spdyPair((s) => streams.push(s));
  client.send(encodePing(5));
  await client.until('the pong', () => client.frames.some((x) => x.type === 'ping' && x.id === 5));
  const first = await client.open({ streamtype: 'error' });
  await client.open({ streamtype: 'data' });
  await client.until('two streams', () => streams.length === 2);
  const ended = new Promise((r) => streams[0].once('close', r));
  client.send(encodeRstStream(first, 5));
  await ended;
  const closed = new Promise((r) => session().once('close', r));
  close();
  await closed;
  assert.ok(streams[1].destroyed);
});
