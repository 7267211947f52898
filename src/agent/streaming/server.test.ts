// The agent's streaming endpoint against a fake runtime, through the transports kubectl uses:
// WebSocket channels (v5, v4), SPDY/3.1, and SPDY tunnelled in WebSocket for port-forward.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import * as wsModule from 'ws';
import { WebSocket } from 'ws';
import type { AttachOptions, ExecOptions } from '../runtime/runtime.js';
import { StreamingServer } from './server.js';
import { encodeData } from './spdy.js';
import { SpdyTestClient } from './testing.js';

/** Commands the fake runtime understands. */
const fakeRuntime = {
  aborted: 0,
  async exec(_id: string, o: ExecOptions): Promise<number> {
    const [cmd, ...args] = o.command;
    switch (cmd) {
      case 'echo':
        o.stdout?.write(`${args.join(' ')}\n`);
        return 0;
      case 'exit':
        o.stderr?.write('bye\n');
        return Number(args[0]);
      case 'cat':
        return new Promise((resolve) => {
          o.stdin!.on('data', (d) => o.stdout!.write(d));
          o.stdin!.on('end', () => resolve(0));
        });
      case 'size':
        o.stdout?.write(JSON.stringify(o.resize?.last ?? null));
        return 0;
      case 'hang':
        return new Promise((resolve) =>
          o.signal!.addEventListener('abort', () => {
            fakeRuntime.aborted++;
            resolve(137);
          }),
        );
      default:
        throw new Error(`exec: "${cmd}": executable file not found in $PATH`);
    }
  },
  async attach(_id: string, o: AttachOptions): Promise<void> {
    o.stdout?.write('attached\n');
    o.stdin?.on('data', (d) => o.stdout?.write(`got ${d}`));
    await new Promise<void>((resolve) => o.stdin?.on('end', resolve));
  },
};

describe('streaming endpoint', () => {
  let server: http.Server;
  let base: string;
  let echo: net.Server;
  let echoPort: number;
  let closedPort: number;

  before(async () => {
    echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as net.AddressInfo).port;
    const unused = net.createServer();
    await new Promise<void>((r) => unused.listen(0, '127.0.0.1', r));
    closedPort = (unused.address() as net.AddressInfo).port;
    await new Promise<void>((r) => unused.close(() => r()));
    const streaming = new StreamingServer(fakeRuntime, {
      runningContainer: (ns, pod, c) => (ns === 'default' && pod === 'web' && c === 'web' ? { id: 'c1' } : { error: `container not found ("${c}")` }),
      portForwardTarget: (ns, pod) => (pod === 'web' ? { podName: `web_${ns}`, podUid: 'uid-1', podIP: '127.0.0.1' } : { error: `pod "${pod}" is not on this node` }),
    });
    server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => streaming.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
    echo.close();
  });

  /** A WebSocket exec/attach session: every message by channel, and the close code. */
  function session(path: string, protocols = ['v5.channel.k8s.io'], onOpen?: (ws: WebSocket) => void) {
    const ws = new WebSocket(`ws://${base}${path}`, protocols);
    const out: Record<number, string> = {};
    ws.on('open', () => onOpen?.(ws));
    ws.on('message', (m: Buffer) => (out[m[0]] = (out[m[0]] ?? '') + m.subarray(1).toString()));
    return new Promise<{ out: Record<number, string>; code: number; protocol: string }>((resolve, reject) => {
      ws.on('close', (code) => resolve({ out, code, protocol: ws.protocol }));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => reject(Object.assign(new Error(body), { status: res.statusCode })));
      });
      ws.on('error', () => undefined);
    });
  }

  test('exec over v5: stdout, then a Success status on the error channel, then a normal close', async () => {
    const r = await session('/exec/default/web/web?command=echo&command=hi&output=1&error=1');
    assert.equal(r.protocol, 'v5.channel.k8s.io');
    assert.equal(r.out[1], 'hi\n');
    assert.deepEqual(JSON.parse(r.out[3]), { metadata: {}, status: 'Success' });
    assert.equal(r.code, 1000);
  });

  test('exec: a non-zero exit comes as NonZeroExitCode with the code in an ExitCode cause; stderr on its channel', async () => {
    const r = await session('/exec/default/web/web?command=exit&command=3&output=1&error=1');
    assert.equal(r.out[2], 'bye\n');
    const status = JSON.parse(r.out[3]);
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  });

  test('exec: stdin flows in, and the v5 CLOSE message ends it', async () => {
    const r = await session('/exec/default/web/web?command=cat&input=1&output=1&error=1', undefined, (ws) => {
      ws.send(Buffer.from([0, ...Buffer.from('abc')]));
      ws.send(Buffer.from([255, 0]));
    });
    assert.equal(r.out[1], 'abc');
    assert.equal(JSON.parse(r.out[3]).status, 'Success');
  });

  test('exec: v4 is spoken too; a command that cannot run is an InternalError status', async () => {
    const r = await session('/exec/default/web/web?command=nope&output=1', ['v4.channel.k8s.io']);
    assert.equal(r.protocol, 'v4.channel.k8s.io');
    const status = JSON.parse(r.out[3]);
    assert.equal(status.reason, 'InternalError');
    assert.match(status.message, /error executing command in container: exec: "nope": executable file not found/);
  });

  test('exec -t: a terminal size sent as the session opens is there when the command starts', async () => {
    const r = await session('/exec/default/web/web?command=size&input=1&output=1&tty=1', undefined, (ws) => {
      ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":120,"Height":40}')]));
    });
    // The fake runs at once, so the size may or may not have arrived; it must be well-formed when it has.
    assert.ok(r.out[1] === 'null' || r.out[1] === '{"width":120,"height":40}', r.out[1]);
  });

  test('exec: the client going away aborts the command', async () => {
    const before = fakeRuntime.aborted;
    const ws = new WebSocket(`ws://${base}/exec/default/web/web?command=hang&output=1`, ['v5.channel.k8s.io']);
    await new Promise((r) => ws.once('open', r));
    ws.terminate();
    const deadline = Date.now() + 5000;
    while (fakeRuntime.aborted === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(fakeRuntime.aborted, before + 1);
  });

  test('refusals are plain-text HTTP errors before any upgrade, as the kubelet gives them', async () => {
    const cases: [string, string[], number, RegExp][] = [
      ['/exec/default/web/other?command=echo&output=1', ['v5.channel.k8s.io'], 400, /^container not found \("other"\)$/],
      ['/exec/default/web/web?output=1', ['v5.channel.k8s.io'], 400, /you must specify at least one command/],
      ['/exec/default/web/web?command=echo', ['v5.channel.k8s.io'], 400, /you must specify at least 1 of stdin, stdout, stderr/],
      ['/exec/default/web/web?command=echo&output=1', ['base64.channel.k8s.io'], 400, /unable to negotiate protocol/],
      ['/nothing/here', ['v5.channel.k8s.io'], 404, /not found/],
    ];
    for (const [path, protocols, status, message] of cases) {
      await assert.rejects(session(path, protocols), (err: Error & { status?: number }) => {
        assert.equal(err.status, status, path);
        assert.match(err.message, message, path);
        return true;
      });
    }
  });

  test('attach over v5: output from the main process and stdin to it', async () => {
    const r = await session('/attach/default/web/web?input=1&output=1&error=1', undefined, (ws) => {
      ws.send(Buffer.from([0, ...Buffer.from('x\n')]));
      ws.send(Buffer.from([255, 0]));
    });
    assert.equal(r.out[1], 'attached\ngot x\n');
    assert.equal(JSON.parse(r.out[3]).status, 'Success');
  });

  /** An HTTP/1.1 upgrade by hand: the response head, and the socket after it. */
  async function rawUpgrade(path: string, headers: string[]): Promise<{ head: string; socket: net.Socket }> {
    const socket = net.connect(Number(base.split(':')[1]), '127.0.0.1');
    socket.write([`GET ${path} HTTP/1.1`, `Host: ${base}`, 'Connection: Upgrade', ...headers, '', ''].join('\r\n'));
    return new Promise((resolve) => {
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        socket.pause();
        if (end + 4 < buf.length) socket.unshift(buf.subarray(end + 4));
        resolve({ head: buf.subarray(0, end).toString(), socket });
      };
      socket.on('data', onData);
    });
  }

  test('exec over SPDY/3.1: the client opens error, stdout and stderr streams; the status ends the error stream', async () => {
    const { head, socket } = await rawUpgrade('/exec/default/web/web?command=exit&command=4&output=1&error=1', ['Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: v4.channel.k8s.io', 'X-Stream-Protocol-Version: v3.channel.k8s.io']);
    assert.match(head, /^HTTP\/1.1 101 /);
    assert.match(head, /X-Stream-Protocol-Version: v4.channel.k8s.io/);
    const client = new SpdyTestClient(socket);
    socket.resume();
    const error = await client.open({ streamtype: 'error' });
    const stdout = await client.open({ streamtype: 'stdout' });
    const stderr = await client.open({ streamtype: 'stderr' });
    await client.until('the status', () => client.received(error).fin);
    const status = JSON.parse(client.received(error).text);
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '4' }]);
    assert.equal(client.received(stderr).text, 'bye\n');
    assert.ok(client.received(stdout).fin);
    await client.until('GOAWAY', () => client.frames.some((f) => f.type === 'goAway'));
    client.close();
  });

  test('port-forward to a Pod not on this node is refused', async () => {
    const { head, socket } = await rawUpgrade('/portForward/default/gone', ['Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: portforward.k8s.io']);
    assert.match(head, /^HTTP\/1.1 400 /);
    socket.destroy();
  });

  test('SPDY without a protocol version in common is refused with 403', async () => {
    const { head, socket } = await rawUpgrade('/exec/default/web/web?command=echo&output=1', ['Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: v1.channel.k8s.io']);
    assert.match(head, /^HTTP\/1.1 403 /);
    socket.destroy();
  });

  /** One forwarded connection: an error and a data stream with the same requestID. */
  async function forwardOnce(client: SpdyTestClient, port: number, requestId: string, payload: string) {
    const error = await client.open({ streamtype: 'error', port: String(port), requestid: requestId });
    const data = await client.open({ streamtype: 'data', port: String(port), requestid: requestId });
    client.send(encodeData(data, Buffer.from(payload)));
    client.send(encodeData(data, Buffer.alloc(0), true));
    await client.until(`request ${requestId} to end`, () => client.received(error).fin);
    return { data: client.received(data), error: client.received(error) };
  }

  /**
   * The WebSocket client end of port-forward. Its subprotocol has a '/', which ws's client
   * refuses to ask for, so the upgrade is made by hand and ws's own framing (Sender, Receiver)
   * carries the messages: what the client sends is masked, as a client's must be.
   */
  async function tunnel(path: string): Promise<{ head: string; conn: Duplex }> {
    const key = randomBytes(16).toString('base64');
    const { head, socket } = await rawUpgrade(path, ['Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io']);
    // ws exports its framing classes, though its type declarations do not name them.
    const { Sender, Receiver } = wsModule as unknown as { Sender: new (socket: Duplex) => any; Receiver: new (opts: object) => any };
    const sender = new Sender(socket);
    const receiver = new Receiver({ isServer: false, binaryType: 'nodebuffer' });
    const conn = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, callback) {
        sender.send(chunk, { binary: true, mask: true, fin: true, compress: false, rsv1: false }, callback);
      },
    });
    receiver.on('message', (data: Buffer) => conn.push(data));
    receiver.on('conclude', () => conn.push(null));
    socket.pipe(receiver);
    socket.resume();
    conn.on('close', () => socket.destroy());
    return { head, conn };
  }

  test('port-forward over WebSocket (SPDY tunnelled): each connection is joined to podIP:port; failures go on the error stream', async () => {
    const { head, conn } = await tunnel('/portForward/default/web');
    assert.match(head, /^HTTP\/1.1 101 /);
    assert.match(head, /Sec-WebSocket-Protocol: SPDY\/3.1\+portforward.k8s.io/);
    const client = new SpdyTestClient(conn);
    const ok = await forwardOnce(client, echoPort, '0', 'ping');
    assert.deepEqual(ok.error, { text: '', fin: true });
    await client.until('the echo to end', () => client.received(3).fin);
    assert.equal(client.received(3).text, 'ping');
    const again = await forwardOnce(client, echoPort, '1', 'second');
    assert.equal(again.error.text, '');
    const refused = await forwardOnce(client, closedPort, '2', 'x');
    assert.equal(refused.error.text, `error forwarding port ${closedPort} to pod web_default, uid uid-1: dial tcp 127.0.0.1:${closedPort}: connect: connection refused`);
    client.close();
  });

  test('port-forward over SPDY/3.1', async () => {
    const { head, socket } = await rawUpgrade('/portForward/default/web', ['Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: portforward.k8s.io']);
    assert.match(head, /^HTTP\/1.1 101 /);
    const client = new SpdyTestClient(socket);
    socket.resume();
    const r = await forwardOnce(client, echoPort, '0', 'over spdy');
    assert.equal(r.error.text, '');
    await client.until('the echo to end', () => client.received(3).fin);
    assert.equal(client.received(3).text, 'over spdy');
    client.close();
  });
});
