// volumeMounts with subPath or subPathExpr: the part of a volume a container mounts, created
// when missing and kept inside the volume, as the kubelet does.
import { mkdir, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';

export class SubPathError extends Error {}

/**
 * The host path a mount uses: the volume itself, or subPath inside it. A missing subPath is
 * created as a directory with the volume's permissions. Symbolic links may be followed only
 * as long as they stay inside the volume.
 *
 * Unlike upstream (which bind-mounts the resolved file), the returned path goes through the
 * volume's own links, so a configMap key mounted by subPath sees updates.
 */
export async function resolveMount(volumeHostPath: string, subPath?: string): Promise<string> {
  if (!subPath) return volumeHostPath;
  if (isAbsolute(subPath)) throw new SubPathError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new SubPathError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  const target = join(volumeHostPath, subPath);
  const root = await realpath(volumeHostPath);
  const existing = await realpath(target).catch(() => undefined);
  if (existing === undefined) {
    const mode = (await stat(volumeHostPath)).mode & 0o7777;
    await mkdir(target, { recursive: true, mode });
  }
  const resolved = existing ?? (await realpath(target));
  const rel = relative(root, resolved);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new SubPathError(`subpath ${JSON.stringify(resolved)} not within volume path ${JSON.stringify(root)}`);
  return target;
}

/**
 * subPathExpr with $(VAR) references expanded from the container's environment; $$ stands
 * for a literal $. A reference to an unset or empty variable fails, as upstream.
 */
export function expandSubPathExpr(expr: string, env: Record<string, string>): string {
  const missing = new Set<string>();
  const expanded = expr.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (!value) missing.add(name!);
    return value ?? '';
  });
  if (missing.size) throw new SubPathError(`missing value for ${[...missing].sort().join(', ')}`);
  return expanded;
}
