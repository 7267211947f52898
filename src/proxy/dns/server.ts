// The cluster DNS server: UDP and TCP on one address (the kube-dns Service's cluster IP,
// port 53), answering cluster names from ClusterDNS and forwarding every other name to the
// host's resolvers (from /etc/resolv.conf), as CoreDNS's `forward . /etc/resolv.conf` does.
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { ClusterDNS } from './cluster.js';
import { decode, encode, encodeForUdp, emptyMessage, optRecord, RCODE, TYPE, type Message } from './wire.js';

export interface DNSServerOptions {
  address: string;
  port: number;
  cluster: ClusterDNS;
  /** Resolvers for names outside the cluster ("ip" or "ip:port"); default: the host's resolv.conf nameservers. */
  upstreams?: string[];
  /** How long one forwarded query may take per upstream. */
  forwardTimeoutMs?: number;
  log?: (line: string) => void;
}

/** The nameservers of a resolv.conf, without the given address (ours). */
export function hostNameservers(resolvConf = '/etc/resolv.conf', exclude: string[] = []): string[] {
  try {
    return readFileSync(resolvConf, 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((ip): ip is string => Boolean(ip) && !exclude.includes(ip!));
  } catch {
    return [];
  }
}

export class DNSServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly upstreams: string[];
  private readonly log: (line: string) => void;

  constructor(private readonly opts: DNSServerOptions) {
    this.upstreams = opts.upstreams ?? hostNameservers('/etc/resolv.conf', [opts.address]);
    this.log = opts.log ?? ((line) => console.error(line));
  }

  async start(): Promise<{ port: number }> {
    const udp = dgram.createSocket('udp4');
    this.udp = udp;
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, true).then((reply) => reply && udp.send(reply, rinfo.port, rinfo.address));
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.opts.port, this.opts.address, () => {
        udp.off('error', reject);
        udp.on('error', (err) => this.log(`dns: udp: ${err.message}`));
        resolve();
      });
    });
    const port = udp.address().port;
    this.tcp = net.createServer((sock) => this.serveTcp(sock));
    await new Promise<void>((resolve, reject) => {
      this.tcp!.once('error', reject);
      this.tcp!.listen(port, this.opts.address, () => resolve());
    });
    return { port };
  }

  stop(): void {
    this.udp?.close();
    this.tcp?.close();
  }

  /** TCP: each message is preceded by its two-byte length (RFC 1035 4.2.2). */
  private serveTcp(sock: net.Socket): void {
    let buffer = Buffer.alloc(0);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('error', () => undefined);
    sock.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2) {
        const len = buffer.readUInt16BE(0);
        if (buffer.length < 2 + len) break;
        const msg = buffer.subarray(2, 2 + len);
        buffer = buffer.subarray(2 + len);
        void this.handle(msg, false).then((reply) => {
          if (!reply || sock.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([head, reply]));
        });
      }
    });
  }

  /** One query in, one response out (undefined: nothing to send, e.g. a response sent to us). */
  async handle(raw: Buffer, udp: boolean): Promise<Buffer | undefined> {
    let query: Message;
    try {
      query = decode(raw);
    } catch {
      if (raw.length < 12) return undefined;
      const m = emptyMessage(raw.readUInt16BE(0));
      return encode({ ...m, response: true, rcode: RCODE.FORMERR });
    }
    if (query.response) return undefined;
    const opt = query.additionals.find((r) => r.type === TYPE.OPT);
    const limit = opt ? Math.max(512, Math.min(opt.class, 4096)) : 512;
    const reply: Message = { ...emptyMessage(query.id), response: true, opcode: query.opcode, recursionDesired: query.recursionDesired, recursionAvailable: true, questions: query.questions };
    if (opt) reply.additionals.push(optRecord(4096));
    const finish = (m: Message) => (udp ? encodeForUdp(m, limit) : encode(m));
    if (query.opcode !== 0) return finish({ ...reply, rcode: RCODE.NOTIMP });
    if (query.questions.length !== 1) return finish({ ...reply, rcode: RCODE.FORMERR });
    const q = query.questions[0];
    if (!this.opts.cluster.owns(q.name)) return this.forward(raw, reply, udp, limit);
    const a = this.opts.cluster.answer(q);
    return finish({ ...reply, authoritative: true, rcode: a.rcode, answers: a.answers, authorities: a.authorities, additionals: [...a.additionals, ...reply.additionals] });
  }

  /** Ask the host's resolvers, one after another, and pass their answer on as it is. */
  private async forward(raw: Buffer, reply: Message, udp: boolean, limit: number): Promise<Buffer> {
    for (const upstream of this.upstreams) {
      const [host, port] = upstream.includes(':') && !upstream.includes('::') ? upstream.split(':') : [upstream, '53'];
      try {
        const answer = await udpExchange(raw, host, Number(port), this.opts.forwardTimeoutMs ?? 2000);
        if (udp && answer.length > limit) {
          const m = decode(answer);
          return encodeForUdp(m, limit);
        }
        return answer;
      } catch {
        // Try the next one.
      }
    }
    return udp ? encodeForUdp({ ...reply, rcode: RCODE.SERVFAIL }, limit) : encode({ ...reply, rcode: RCODE.SERVFAIL });
  }
}

/** Send one UDP query and wait for the response with the same id. */
export function udpExchange(query: Buffer, host: string, port: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('message', (msg) => {
      if (msg.length < 2 || msg.readUInt16BE(0) !== id) return;
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.send(query, port, host);
  });
}
