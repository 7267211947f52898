// ControllerRevisions as data (upstream pkg/controller/history): an immutable snapshot of a
// DaemonSet's or StatefulSet's pod template that `kubectl rollout history` shows and
// `kubectl rollout undo` applies. `data` is a strategic merge patch,
//   {"spec":{"template":{...the template..., "$patch":"replace"}}}
// that puts the snapshot back over the live object. It is encoded as Go's encoding/json
// encodes the typed template (keys sorted, `creationTimestamp: null`, `resources: {}`), so that
// names hash as upstream's do and kubectl's "current template already matches" check, which
// re-encodes the live object the same way, agrees with ours.
import { strategicMergePatch } from '../../api/patch/index.js';
import type { KubeObject } from '../../api/types.js';
import { compareStrings } from '../runtime/pods.js';

/** The label on a revision carrying its hash (upstream ControllerRevisionHashLabel). */
export const revisionHashLabel = 'controller.kubernetes.io/hash';
/** The label on a Pod naming the revision it was made from (DaemonSet: the hash; StatefulSet: the revision's name). */
export const podRevisionLabel = 'controller-revision-hash';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

const containerLists = ['initContainers', 'containers', 'ephemeralContainers'];

/** The template as Go would encode the typed struct: fields that are structs, not pointers, are never omitted. */
function goShapedTemplate(template: any): Record<string, unknown> {
  const t = structuredClone(template ?? {});
  t.metadata ??= {};
  if (t.metadata.creationTimestamp === undefined) t.metadata.creationTimestamp = null;
  for (const list of containerLists) for (const c of t.spec?.[list] ?? []) c.resources ??= {};
  return t;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The revision data for a workload: a patch that replaces spec.template with the current one. */
export function templatePatch(workload: KubeObject): Record<string, unknown> {
  const template = goShapedTemplate((workload.spec as any)?.template);
  return sortKeys({ spec: { template: { ...template, $patch: 'replace' } } }) as Record<string, unknown>;
}

/** The bytes Go's json.Marshal writes for data: sorted keys, HTML characters escaped. */
export function encodeData(data: unknown): string {
  return JSON.stringify(sortKeys(data)).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** 32-bit FNV-1 (not 1a), as Go's hash/fnv New32. */
function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) h = (Math.imul(h, 0x01000193) ^ b) >>> 0;
  return h;
}

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** Upstream rand.SafeEncodeString: each character mapped into an alphabet without vowels. */
export function safeEncode(s: string): string {
  let out = '';
  for (const c of s) out += alphanums[c.charCodeAt(0) % alphanums.length];
  return out;
}

/**
 * The hash naming a revision (upstream HashControllerRevision): FNV-1 of the data's bytes,
 * then of the collision count in decimal when one is given, encoded with safeEncode.
 */
export function hashRevision(data: unknown, collisionCount?: number): string {
  let h = fnv32(new TextEncoder().encode(encodeData(data)));
  if (collisionCount !== undefined) h = fnv32(new TextEncoder().encode(String(collisionCount)), h);
  return safeEncode(String(h));
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters so the name stays within 253. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, 223)}-${hash}`;
}

/** Oldest first: by revision number, then creation time, then name (upstream SortControllerRevisions). */
export function sortRevisions<T extends ControllerRevision>(revisions: T[]): T[] {
  return revisions.sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    return ta - tb || compareStrings(a.metadata.name ?? '', b.metadata.name ?? '');
  });
}

/**
 * Whether two revisions hold the same snapshot. Upstream's EqualRevision first compares hash
 * labels parsed as decimal numbers, which safe-encoded hashes never are, so only the data counts.
 */
export function equalRevision(a: ControllerRevision, b: ControllerRevision): boolean {
  return encodeData(a.data) === encodeData(b.data);
}

/** One more than the highest revision of a sorted list; 1 for none. */
export function nextRevision(sorted: ControllerRevision[]): number {
  return sorted.length ? sorted[sorted.length - 1].revision + 1 : 1;
}

export function maxRevision(revisions: ControllerRevision[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision), 0);
}

/** The workload with the revision's snapshot put back (upstream ApplyRevision); `model` is e.g. 'V1StatefulSet'. */
export function applyRevision<T extends KubeObject>(workload: T, revision: ControllerRevision, model: string): T {
  return strategicMergePatch(workload, structuredClone(revision.data ?? {}), model) as T;
}
