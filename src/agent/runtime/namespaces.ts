// The shell script that sets a container up inside its new namespaces (run by
// `unshare --mount --uts --pid --fork --mount-proc --propagation private`), then execs the
// container's command as pid 1 of the new pid namespace.
//
// The container's root is <dir>/rootfs: every top-level entry of the host root is bound into it
// (directories with --rbind, symlinks copied), so the container sees the host's files, while new
// top-level paths (mount points such as /data, a working directory /app) are created in rootfs,
// never in the host's /. A mount point under an existing host directory (/usr/share/nginx/html
// when /usr/share/nginx does not exist) is made in an overlay over that directory, whose upper
// layer lives in <dir>/scratch. Every mount is made in the private mount namespace: the host
// sees none of them.
import { posix } from 'node:path';
import { files } from './record.js';
import type { Mount } from './runtime.js';

export type PathKind = 'dir' | 'file' | 'symlink' | 'other';

export interface RootEntry {
  name: string;
  kind: PathKind;
  /** For symlinks. */
  target?: string;
}

export interface SetupInput {
  /** The container's record directory (holds rootfs/, scratch/, setup-error, ready). */
  dir: string;
  hostname: string;
  mounts: Mount[];
  workingDir: string;
  /** The host root's entries (readdir of /). */
  rootEntries: RootEntry[];
  /** Kind of a host path (following symlinks), undefined when it does not exist. */
  probe: (hostPath: string) => PathKind | undefined;
  /** Absolute paths of the tools the script runs. */
  tools: { mount: string; hostname: string; chroot: string };
}

export type SetupStep =
  | { kind: 'overlay'; dir: string; index: number }
  | { kind: 'mkdir'; path: string }
  | { kind: 'touch'; path: string }
  | { kind: 'bind'; source: string; target: string }
  | { kind: 'readonly'; target: string };

/**
 * The steps that make every mount point and the working directory exist and bind the mounts,
 * in container paths. Overlays come first, outermost first, so no overlay hides a mount made
 * before it; read-only remounts come last, so a mount point can still be made inside a volume
 * that is read-only.
 *
 * Example: mounts /data (new top level) and /usr/share/nginx/html (/usr/share exists, nginx not)
 * → overlay /usr/share; mkdir /data; bind; mkdir /usr/share/nginx/html; bind.
 */
export function planMounts(mounts: Mount[], workingDir: string, probe: SetupInput['probe']): SetupStep[] {
  const ordered = [...mounts].sort((a, b) => depth(a.containerPath) - depth(b.containerPath) || a.containerPath.localeCompare(b.containerPath));
  const created = new Map<string, PathKind>();
  const overlays: string[] = [];
  const bound: Mount[] = [];
  const steps: SetupStep[] = [];

  // What a container path is once the steps so far have run.
  const kindOf = (path: string): PathKind | undefined => {
    if (created.has(path)) return created.get(path);
    const volume = innermost(bound, path);
    if (volume) return probe(posix.join(volume.hostPath, posix.relative(volume.containerPath, path)));
    return probe(path);
  };
  // Whether creating entries in dir leaves the host untouched, or touches a volume (as upstream does).
  const safeToCreateIn = (dir: string) =>
    dir === '/' || [...created.keys()].some((c) => within(dir, c)) || overlays.some((o) => within(dir, o)) || innermost(bound, dir) !== undefined;

  const ensure = (path: string, kind: 'dir' | 'file') => {
    if (kindOf(path) !== undefined) return;
    let existing = posix.dirname(path);
    while (kindOf(existing) === undefined) existing = posix.dirname(existing);
    if (!safeToCreateIn(existing)) overlays.push(existing);
    steps.push(kind === 'dir' ? { kind: 'mkdir', path } : { kind: 'touch', path });
    for (let p = path; p !== existing; p = posix.dirname(p)) created.set(p, p === path ? kind : 'dir');
  };

  for (const m of ordered) {
    ensure(m.containerPath, probe(m.hostPath) === 'dir' ? 'dir' : 'file');
    steps.push({ kind: 'bind', source: m.hostPath, target: m.containerPath });
    bound.push(m);
  }
  ensure(workingDir, 'dir');
  for (const m of ordered) if (m.readOnly) steps.push({ kind: 'readonly', target: m.containerPath });

  // An overlay inside another overlay is redundant: the outer one already takes the writes.
  const needed = overlays.filter((o) => !overlays.some((other) => other !== o && within(o, other))).sort((a, b) => depth(a) - depth(b));
  return [...needed.map((dir, index): SetupStep => ({ kind: 'overlay', dir, index })), ...steps];
}

export function setupScript(input: SetupInput): string {
  const { dir, tools } = input;
  const rootfs = posix.join(dir, files.rootfs);
  const scratch = posix.join(dir, files.scratch);
  const at = (containerPath: string) => q(posix.join(rootfs, containerPath));
  const lines = [
    '# unyo: container setup inside its own mount, UTS and pid namespaces; ends by exec-ing the container.',
    `exec 3>&2 2>${q(posix.join(dir, files.setupError))}`,
    'fail() { printf "%s\\n" "$1" >&2; exit 1; }',
    `${q(tools.hostname)} ${q(input.hostname)} || fail ${q(`cannot set the hostname to "${input.hostname}"`)}`,
  ];
  for (const e of input.rootEntries) {
    const target = at(`/${e.name}`);
    if (e.kind === 'symlink') lines.push(`ln -s ${q(e.target ?? '')} ${target}`);
    else if (e.kind === 'dir') lines.push(`mkdir ${target} && ${q(tools.mount)} --rbind ${q(`/${e.name}`)} ${target} || fail ${q(`cannot bind /${e.name}`)}`);
    else if (e.kind === 'file') lines.push(`: > ${target} && ${q(tools.mount)} --bind ${q(`/${e.name}`)} ${target} || fail ${q(`cannot bind /${e.name}`)}`);
  }
  const steps = planMounts(input.mounts, input.workingDir, input.probe);
  if (steps.some((s) => s.kind === 'overlay')) lines.push(`${q(tools.mount)} -t tmpfs -o mode=0700 unyo-scratch ${q(scratch)} || fail 'cannot mount the overlay scratch space'`);
  for (const s of steps) {
    switch (s.kind) {
      case 'overlay': {
        const upper = posix.join(scratch, String(s.index), 'upper');
        const work = posix.join(scratch, String(s.index), 'work');
        const options = `lowerdir=${overlayPath(s.dir)},upperdir=${overlayPath(upper)},workdir=${overlayPath(work)}`;
        lines.push(`mkdir -p ${q(upper)} ${q(work)} && ${q(tools.mount)} -t overlay unyo-overlay -o ${q(options)} ${at(s.dir)} || fail ${q(`cannot make mount points in ${s.dir}`)}`);
        break;
      }
      case 'mkdir':
        lines.push(`mkdir -p ${at(s.path)} || fail ${q(`cannot create directory "${s.path}"`)}`);
        break;
      case 'touch':
        lines.push(`mkdir -p ${at(posix.dirname(s.path))} && : > ${at(s.path)} || fail ${q(`cannot create mount point "${s.path}"`)}`);
        break;
      case 'bind':
        lines.push(`${q(tools.mount)} --bind ${q(s.source)} ${at(s.target)} || fail ${q(`error mounting "${s.source}" to rootfs at "${s.target}"`)}`);
        break;
      case 'readonly':
        lines.push(`${q(tools.mount)} -o remount,bind,ro ${at(s.target)} || fail ${q(`cannot make "${s.target}" read-only`)}`);
        break;
    }
  }
  lines.push(
    `: > ${q(posix.join(dir, files.ready))}`,
    'exec 2>&3 3>&-',
    `cd ${q(rootfs)} || exit 1`,
    `exec ${q(tools.chroot)} . /bin/sh -c 'cd -- "$0" && exec "$@"' ${q(input.workingDir)} "$@"`,
  );
  return lines.join('\n') + '\n';
}

/** Single-quote for sh. */
export function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** overlayfs splits its options on ',' and lowerdir on ':': escape both. */
function overlayPath(path: string): string {
  return path.replace(/([\\,:])/g, '\\$1');
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}

/** path is dir or below it. */
function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** The mount whose containerPath holds path most closely. */
export function innermost(mounts: Mount[], path: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) if (within(path, m.containerPath) && (!best || depth(m.containerPath) > depth(best.containerPath))) best = m;
  return best;
}
