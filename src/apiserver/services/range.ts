// The ranges Service values are allocated from: cluster IPs from an IPv4 CIDR (the Service
// CIDR, 127.16.0.0/16 by default: loopback, so the proxy can listen on any of them, and clear
// of the Pod blocks 127.64.0.0/10) and node ports from 30000-32767. A value is addressed by
// its offset in the range, which is how the allocator picks one at random.

export interface AllocationRange {
  /** How the range is named in errors: "127.16.0.0/16", "30000-32767". */
  readonly text: string;
  readonly size: number;
  /**
   * Dynamic allocation starts at this offset and uses the offsets below it only when the rest
   * is full, so statically requested values (the DNS Service's 10th IP) rarely collide.
   */
  readonly dynamicStart: number;
  at(offset: number): string;
  /** The offset of a value, or -1 when the value is outside the range. */
  offsetOf(value: string): number;
}

export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * The usable addresses of an IPv4 CIDR: without the network address and, for prefixes up
 * to /30, the broadcast address, as upstream's allocator. The lower band (the first
 * min(max(16, size/16), 256) addresses) is kept for static requests.
 */
export class CIDRRange implements AllocationRange {
  readonly text: string;
  readonly size: number;
  readonly dynamicStart: number;
  private readonly first: number;

  constructor(cidr: string) {
    const [ip, bitsText] = cidr.split('/');
    const base = parseIPv4(ip);
    const bits = Number(bitsText);
    if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`invalid service CIDR ${JSON.stringify(cidr)}: want an IPv4 a.b.c.d/n with n from 8 to 30`);
    const hostBits = 32 - bits;
    const network = (base >>> hostBits) << hostBits >>> 0;
    this.text = `${formatIPv4(network)}/${bits}`;
    this.first = network + 1;
    this.size = 2 ** hostBits - 2;
    this.dynamicStart = Math.min(Math.max(16, Math.floor(this.size / 16)), 256);
    if (this.dynamicStart >= this.size) this.dynamicStart = 0;
  }

  at(offset: number): string {
    return formatIPv4(this.first + offset);
  }

  offsetOf(value: string): number {
    const n = parseIPv4(value);
    if (n === undefined) return -1;
    const off = n - this.first;
    return off >= 0 && off < this.size ? off : -1;
  }
}

/** A port range, "30000-32767" (upstream's --service-node-port-range). */
export class PortRange implements AllocationRange {
  readonly text: string;
  readonly size: number;
  readonly dynamicStart: number;

  constructor(readonly base: number, size: number) {
    this.size = size;
    this.text = `${base}-${base + size - 1}`;
    // Upstream keeps a lower band of node ports for static requests as well.
    this.dynamicStart = Math.min(Math.max(16, Math.floor(size / 32)), 128);
  }

  at(offset: number): string {
    return String(this.base + offset);
  }

  offsetOf(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n)) return -1;
    const off = n - this.base;
    return off >= 0 && off < this.size ? off : -1;
  }
}
