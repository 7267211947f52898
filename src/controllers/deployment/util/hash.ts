// The pod-template-hash: the name suffix of a Deployment's ReplicaSets and the label that keeps
// their Pods apart. As upstream's ComputeHash: a 32-bit FNV-1a hash of the pod template, then of
// the Deployment's collisionCount (so a collision yields a new name on the next try), printed in
// decimal and spelled with upstream's SafeEncodeString alphabet (no vowels, no 0/1/3: never a
// word). Upstream hashes Go's printing of its typed struct, which a JSON implementation cannot
// reproduce bit for bit; here the template's canonical JSON (keys sorted, empty values dropped)
// is hashed, so equal templates always get the same hash.
import type { PodTemplateSpec } from '../../replicaset/types.js';

export const podTemplateHashLabel = 'pod-template-hash';

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Upstream rand.SafeEncodeString: each byte mapped into a vowel-free alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphabet[s.charCodeAt(i) % alphabet.length];
  return out;
}

/** A value with empty maps, empty lists and nulls dropped and keys sorted, as stored objects compare. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v === null || v === undefined) continue;
      if (Array.isArray(v) && v.length === 0) continue;
      if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
      out[key] = v;
    }
    return out;
  }
  return value;
}

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(JSON.stringify(canonical(template))));
  if (collisionCount !== undefined && collisionCount !== null) {
    const le = new Uint8Array(4);
    new DataView(le.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(le, h);
  }
  return safeEncodeString(String(h));
}

function withoutHash(template: PodTemplateSpec | undefined): unknown {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[podTemplateHashLabel];
  return canonical(t);
}

/** Whether two pod templates are the same apart from the pod-template-hash label (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return JSON.stringify(withoutHash(a)) === JSON.stringify(withoutHash(b));
}
