// Pod IP addresses: each node hands out loopback addresses from its own block
// (127.<64+node index>.x.y), so containerPorts never collide and every Pod answers on an
// address of its own. Allocations are kept in a file so a restarted agent keeps them. The
// search for a free address starts at a point derived from that file's path, so two clusters
// on one machine (another data directory) do not hand out the same first addresses.
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** Host parts of a block: 2..65533, skipping .0 and .255 in the last octet. */
const first = 2;
const last = 65533;

export class PodIPAllocator {
  private readonly byPod = new Map<string, string>();

  constructor(private readonly file: string, private readonly block: number) {
    if (block < 0 || block > 63) throw new Error(`node index ${block} is out of range 0..63`);
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      for (const [uid, ip] of Object.entries(saved)) this.byPod.set(uid, ip);
    }
  }

  /** The Pod's address, allocating one the first time. */
  allocate(podUid: string): string {
    const have = this.byPod.get(podUid);
    if (have) return have;
    const used = new Set(this.byPod.values());
    const size = last - first + 1;
    const start = createHash('sha256').update(this.file).digest().readUInt32BE(0) % size;
    for (let i = 0; i < size; i++) {
      const n = first + ((start + i) % size);
      const ip = `127.${64 + this.block}.${n >> 8}.${n & 255}`;
      if ((n & 255) === 0 || (n & 255) === 255 || used.has(ip)) continue;
      this.byPod.set(podUid, ip);
      this.save();
      return ip;
    }
    throw new Error('no free pod addresses left on this node');
  }

  release(podUid: string): void {
    if (this.byPod.delete(podUid)) this.save();
  }

  private save(): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify(Object.fromEntries(this.byPod)));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
