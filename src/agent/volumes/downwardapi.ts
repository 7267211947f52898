// downwardAPI volumes: Pod metadata (name, namespace, uid, labels, annotations) and container
// resources as files, in upstream's formats; refreshed when labels or annotations change.
import { availableParallelism, totalmem } from 'node:os';
import { statfs } from 'node:fs/promises';
import { integerValue, milliValue } from '../../api/validation/quantity.js';
import { writeAtomically, type Payload } from './atomic-writer.js';
import { DEFAULT_MODE, volumeDir } from './common.js';
import { SetUpError, type DownwardAPIVolumeFile, type DownwardAPIVolumeSource, type NodeAllocatable, type PodView, type VolumeContext, type VolumePlugin } from './types.js';

/** The downward API files, added to payload. */
export async function downwardAPIFiles(payload: Payload, ctx: VolumeContext, items: DownwardAPIVolumeFile[], defaultMode: number): Promise<void> {
  for (const item of items) {
    let value: string;
    if (item.fieldRef) value = fieldValue(ctx.pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) value = await resourceValue(ctx, item.resourceFieldRef);
    else throw new SetUpError(`downwardAPI item ${JSON.stringify(item.path)} has neither fieldRef nor resourceFieldRef`);
    payload.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
}

/** The metadata fields a volume may show (status fields are for env only), as upstream's ExtractFieldPathAsString. */
export function fieldValue(pod: PodView, fieldPath: string): string {
  const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
  if (m) {
    const map = m[1] === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[m[2]] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    default:
      throw new SetUpError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** key="value" lines in key order, no trailing newline: upstream's FormatMap. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(map![k])}`)
    .join('\n');
}

/** Go's %q: a double-quoted string with Go escapes, printable Unicode kept as is. */
export function goQuote(s: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if ((cp >= 0x80 && cp < 0xa0) || cp === 0xad) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/**
 * A container's request or limit divided by the divisor and rounded up, as upstream's
 * ExtractContainerResourceValue. An unset limit reports what the node can give.
 * Example: limits.cpu "250m" with divisor "1m" → 250; with the default divisor "1" → 1.
 */
async function resourceValue(ctx: VolumeContext, ref: NonNullable<DownwardAPIVolumeFile['resourceFieldRef']>): Promise<string> {
  const name = ref.containerName ?? '';
  const container = [...(ctx.pod.spec.containers ?? []), ...(ctx.pod.spec.initContainers ?? [])].find((c) => c.name === name);
  if (!container) throw new SetUpError(`container ${name} not found`);
  const m = /^(limits|requests)\.(.+)$/.exec(ref.resource);
  const resource = m?.[2] ?? '';
  const known = resource === 'cpu' || resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-');
  if (!m || !known) throw new SetUpError(`unsupported container resource : ${ref.resource}`);
  let quantity = container.resources?.[m[1] as 'limits' | 'requests']?.[resource];
  if (quantity === undefined && m[1] === 'limits' && !resource.startsWith('hugepages-')) quantity = (await nodeAllocatable(ctx))[resource as keyof NodeAllocatable];
  quantity ??= 0;
  const divisor = ref.divisor ?? 1;
  if (resource === 'cpu') return String(ceilDiv(milliValue(quantity), milliValue(divisor)));
  return String(ceilDiv(integerValue(quantity), integerValue(divisor)));
}

async function nodeAllocatable(ctx: VolumeContext): Promise<NodeAllocatable> {
  if (ctx.nodeAllocatable) return ctx.nodeAllocatable;
  const fs = await statfs(ctx.podDir).catch(() => undefined);
  return { cpu: availableParallelism(), memory: totalmem(), 'ephemeral-storage': fs ? fs.blocks * fs.bsize : 0 };
}

export const downwardAPIPlugin: VolumePlugin = {
  refreshes: true,
  async setUp(volume, ctx) {
    const source = volume.downwardAPI as DownwardAPIVolumeSource;
    const dir = volumeDir(ctx, 'downward-api', volume.name);
    const payload: Payload = new Map();
    await downwardAPIFiles(payload, ctx, source.items ?? [], source.defaultMode ?? DEFAULT_MODE);
    return { hostPath: dir, readOnly: true, changed: await writeAtomically(dir, payload) };
  },
};
