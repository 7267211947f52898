// The DNS wire format (RFC 1035, with RFC 2782 SRV, RFC 3596 AAAA and RFC 6891 OPT), as much
// of it as the cluster DNS needs: decoding queries and answers (names with compression
// pointers) and encoding answers (names written out in full; the answers are small).

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface Question {
  name: string;
  type: number;
  class: number;
}

export type RData =
  | { kind: 'A' | 'AAAA'; address: string }
  | { kind: 'CNAME' | 'PTR' | 'NS'; target: string }
  | { kind: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { kind: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { kind: 'raw'; data: Buffer };

export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: RData;
}

export interface Message {
  id: number;
  /** Response (QR bit). */
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

export class FormatError extends Error {}

export function emptyMessage(id = 0): Message {
  return { id, response: false, opcode: 0, authoritative: false, truncated: false, recursionDesired: false, recursionAvailable: false, rcode: 0, questions: [], answers: [], authorities: [], additionals: [] };
}

// ---------------------------------------------------------------- decoding

class Reader {
  offset = 0;
  constructor(readonly buf: Buffer) {}

  need(n: number): void {
    if (this.offset + n > this.buf.length) throw new FormatError('message too short');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.offset++];
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** A name, following compression pointers (never forwards past 128 jumps). */
  name(): string {
    const labels: string[] = [];
    let offset = this.offset;
    let jumped = false;
    for (let jumps = 0; ; ) {
      if (offset >= this.buf.length) throw new FormatError('name runs past the message');
      const len = this.buf[offset];
      if (len === 0) {
        offset++;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        if (offset + 1 >= this.buf.length) throw new FormatError('bad compression pointer');
        const target = ((len & 0x3f) << 8) | this.buf[offset + 1];
        if (!jumped) this.offset = offset + 2;
        jumped = true;
        if (++jumps > 128) throw new FormatError('compression loop');
        offset = target;
        continue;
      }
      if (len > 63) throw new FormatError('bad label length');
      if (offset + 1 + len > this.buf.length) throw new FormatError('label runs past the message');
      labels.push(this.buf.toString('latin1', offset + 1, offset + 1 + len));
      offset += 1 + len;
    }
    if (!jumped) this.offset = offset;
    return labels.join('.');
  }
}

function readRecord(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16();
  const klass = r.u16();
  const ttl = r.u32();
  const length = r.u16();
  const end = r.offset + length;
  r.need(length);
  let data: RData;
  switch (type) {
    case TYPE.A:
      data = { kind: 'A', address: [...r.bytes(4)].join('.') };
      break;
    case TYPE.AAAA: {
      const b = r.bytes(16);
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
      data = { kind: 'AAAA', address: groups.join(':') };
      break;
    }
    case TYPE.CNAME:
    case TYPE.PTR:
    case TYPE.NS:
      data = { kind: type === TYPE.CNAME ? 'CNAME' : type === TYPE.PTR ? 'PTR' : 'NS', target: r.name() };
      break;
    case TYPE.SRV:
      data = { kind: 'SRV', priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
      break;
    case TYPE.SOA:
      data = { kind: 'SOA', mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
      break;
    default:
      data = { kind: 'raw', data: Buffer.from(r.bytes(length)) };
  }
  if (r.offset !== end) throw new FormatError('record data length does not match its contents');
  return { name, type, class: klass, ttl, data };
}

export function decode(buf: Buffer): Message {
  const r = new Reader(buf);
  const m = emptyMessage(r.u16());
  const flags = r.u16();
  m.response = (flags & 0x8000) !== 0;
  m.opcode = (flags >> 11) & 0xf;
  m.authoritative = (flags & 0x0400) !== 0;
  m.truncated = (flags & 0x0200) !== 0;
  m.recursionDesired = (flags & 0x0100) !== 0;
  m.recursionAvailable = (flags & 0x0080) !== 0;
  m.rcode = flags & 0xf;
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()];
  for (let i = 0; i < counts[0]; i++) m.questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  for (let i = 0; i < counts[1]; i++) m.answers.push(readRecord(r));
  for (let i = 0; i < counts[2]; i++) m.authorities.push(readRecord(r));
  for (let i = 0; i < counts[3]; i++) m.additionals.push(readRecord(r));
  return m;
}

// ---------------------------------------------------------------- encoding

function encodeName(name: string): Buffer {
  const trimmed = name.replace(/\.$/, '');
  const parts: Buffer[] = [];
  if (trimmed !== '') {
    for (const label of trimmed.split('.')) {
      const b = Buffer.from(label, 'latin1');
      if (b.length === 0 || b.length > 63) throw new FormatError(`bad label in ${JSON.stringify(name)}`);
      parts.push(Buffer.from([b.length]), b);
    }
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function ipv6Bytes(address: string): Buffer {
  let [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail !== undefined ? 8 - h.length - t.length : 0;
  const groups = [...h, ...Array(fill).fill('0'), ...t];
  if (groups.length !== 8) throw new FormatError(`bad IPv6 address ${address}`);
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return b;
}

function encodeRData(d: RData): Buffer {
  switch (d.kind) {
    case 'A': {
      const parts = d.address.split('.').map(Number);
      if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new FormatError(`bad IPv4 address ${d.address}`);
      return Buffer.from(parts);
    }
    case 'AAAA':
      return ipv6Bytes(d.address);
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return encodeName(d.target);
    case 'SRV':
      return Buffer.concat([u16(d.priority), u16(d.weight), u16(d.port), encodeName(d.target)]);
    case 'SOA':
      return Buffer.concat([encodeName(d.mname), encodeName(d.rname), u32(d.serial), u32(d.refresh), u32(d.retry), u32(d.expire), u32(d.minimum)]);
    case 'raw':
      return d.data;
  }
}

function encodeRecord(rr: ResourceRecord): Buffer {
  const data = encodeRData(rr.data);
  return Buffer.concat([encodeName(rr.name), u16(rr.type), u16(rr.class), u32(rr.ttl), u16(data.length), data]);
}

export function encode(m: Message): Buffer {
  const flags =
    (m.response ? 0x8000 : 0) | ((m.opcode & 0xf) << 11) | (m.authoritative ? 0x0400 : 0) | (m.truncated ? 0x0200 : 0) | (m.recursionDesired ? 0x0100 : 0) | (m.recursionAvailable ? 0x0080 : 0) | (m.rcode & 0xf);
  const parts = [u16(m.id), u16(flags), u16(m.questions.length), u16(m.answers.length), u16(m.authorities.length), u16(m.additionals.length)];
  for (const q of m.questions) parts.push(encodeName(q.name), u16(q.type), u16(q.class));
  for (const rr of [...m.answers, ...m.authorities, ...m.additionals]) parts.push(encodeRecord(rr));
  return Buffer.concat(parts);
}

/**
 * Encode a response for UDP within `limit` bytes: records that do not fit are dropped
 * (additionals first) and, if answers had to go, the TC bit tells the client to ask over TCP.
 */
export function encodeForUdp(m: Message, limit: number): Buffer {
  let out = encode(m);
  if (out.length <= limit) return out;
  const opt = m.additionals.filter((r) => r.type === TYPE.OPT);
  const trimmed: Message = { ...m, additionals: opt, authorities: [] };
  out = encode(trimmed);
  if (out.length <= limit) return out;
  return encode({ ...trimmed, answers: [], truncated: true });
}

/** The OPT pseudo-record a response carries when the query had one (RFC 6891). */
export function optRecord(udpSize: number): ResourceRecord {
  return { name: '', type: TYPE.OPT, class: udpSize, ttl: 0, data: { kind: 'raw', data: Buffer.alloc(0) } };
}
