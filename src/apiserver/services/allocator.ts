// Allocation of unique values (cluster IPs, node ports) as claims in the store: one key per
// value, `/registry/ranges/<range>/<value>`, naming the Service that holds it. Creating the
// key is the allocation, so two API servers can never hand out the same value (the store's
// create is atomic), and a claim names its owner's uid, so a release can never free a value
// that has since gone to another Service (upstream's IPAddress objects work the same way).
import { KeyExistsError, type Store } from '../../store/store.js';
import type { AllocationRange } from './range.js';

export interface ClaimOwner {
  namespace: string;
  name: string;
  uid: string;
}

export interface Claim {
  owner: ClaimOwner;
  /** When the claim was made; the repair loop frees old claims whose owner never appeared. */
  createdAt: string;
}

export class AllocatedError extends Error {}
export class NotInRangeError extends Error {}
export class RangeFullError extends Error {
  constructor() {
    super('range is full');
  }
}

export class ClaimAllocator {
  constructor(
    private readonly store: Store,
    /** "serviceips" or "servicenodeports". */
    readonly name: string,
    readonly range: AllocationRange,
    /** The words upstream uses: "IP" or "port". */
    private readonly noun: 'IP' | 'port',
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get prefix(): string {
    return `/registry/ranges/${this.name}/`;
  }

  private key(value: string): string {
    return this.prefix + value;
  }

  private notInRange(value: string): NotInRangeError {
    return this.noun === 'IP'
      ? new NotInRangeError(`the provided IP (${value}) is not in the valid range. The range of valid IPs is ${this.range.text}`)
      : new NotInRangeError(`provided port is not in the valid range. The range of valid ports is ${this.range.text}`);
  }

  /** Claim a requested value for owner; a value the owner already holds is fine. */
  async allocate(value: string, owner: ClaimOwner, dryRun = false): Promise<boolean> {
    if (this.range.offsetOf(value) < 0) throw this.notInRange(value);
    if (dryRun) {
      const held = await this.holder(value);
      if (held && held.owner.uid !== owner.uid) throw new AllocatedError(`provided ${this.noun} is already allocated`);
      return false;
    }
    try {
      await this.store.create(this.key(value), JSON.stringify({ owner, createdAt: this.now().toISOString() } satisfies Claim));
      return true;
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
      const held = await this.holder(value);
      if (held?.owner.uid === owner.uid) return false;
      throw new AllocatedError(`provided ${this.noun} is already allocated`);
    }
  }

  /** Claim any free value: a random one from the dynamic band, else from the static band. */
  async allocateNext(owner: ClaimOwner, dryRun = false): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const used = new Set((await this.store.list(this.prefix)).items.map((kv) => kv.key.slice(this.prefix.length)));
      const value = this.pickFree(used);
      if (value === undefined) throw new RangeFullError();
      if (dryRun) return value;
      try {
        await this.store.create(this.key(value), JSON.stringify({ owner, createdAt: this.now().toISOString() } satisfies Claim));
        return value;
      } catch (err) {
        if (!(err instanceof KeyExistsError)) throw err;
        // Another server took it meanwhile: look again.
      }
    }
    throw new RangeFullError();
  }

  private pickFree(used: Set<string>): string | undefined {
    const { size, dynamicStart } = this.range;
    const bands: Array<[number, number]> = [
      [dynamicStart, size],
      [0, dynamicStart],
    ];
    for (const [from, to] of bands) {
      const span = to - from;
      if (span <= 0) continue;
      const start = Math.floor(Math.random() * span);
      for (let i = 0; i < span; i++) {
        const value = this.range.at(from + ((start + i) % span));
        if (!used.has(value)) return value;
      }
    }
    return undefined;
  }

  /** Free a value if (and only if) ownerUid still holds it. */
  async release(value: string, ownerUid: string): Promise<void> {
    const kv = await this.store.get(this.key(value));
    if (!kv) return;
    const claim = JSON.parse(kv.value) as Claim;
    if (claim.owner.uid !== ownerUid) return;
    await this.store.delete(kv.key, kv.modRevision).catch(() => undefined);
  }

  async holder(value: string): Promise<Claim | undefined> {
    const kv = await this.store.get(this.key(value));
    return kv ? (JSON.parse(kv.value) as Claim) : undefined;
  }

  /** Every claim, by value. */
  async claims(): Promise<Map<string, Claim & { modRevision: number }>> {
    const out = new Map<string, Claim & { modRevision: number }>();
    for (const kv of (await this.store.list(this.prefix)).items) out.set(kv.key.slice(this.prefix.length), { ...(JSON.parse(kv.value) as Claim), modRevision: kv.modRevision });
    return out;
  }

  /** Make a claim for an existing owner (repair); false when someone else holds the value. */
  async adopt(value: string, owner: ClaimOwner): Promise<boolean> {
    if (this.range.offsetOf(value) < 0) return false;
    try {
      return (await this.allocate(value, owner)) || true;
    } catch {
      return false;
    }
  }

  async drop(value: string, modRevision: number): Promise<void> {
    await this.store.delete(this.key(value), modRevision).catch(() => undefined);
  }
}
