// The catalog of built-in images: which image references the process runtime can run
// without a container engine, and the host process (argv + image env) each one becomes.
// Imports nothing of ours; the runtime imports it.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A parsed image reference: `docker.io/unyo/web:2` → { repository: 'unyo/web', tag: '2' }. */
export interface ImageRef {
  /** Repository without the registry host, e.g. `unyo/web`. */
  repository: string;
  tag: string;
  digest?: string;
}

/** Registry hosts that name Docker Hub, where the `unyo/` images nominally live. */
const dockerHub = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** The built-in images, by repository, and the entry point (a file next to this one) each runs. */
const builtIns: Record<string, string> = {
  'unyo/web': 'web.js',
  'unyo/kv': 'kv.js',
  'unyo/loadgen': 'loadgen.js',
  'unyo/logger': 'logger.js',
  'unyo/busybox': 'busybox.js',
};

/**
 * Parses an image reference the way container tooling does: the first path component is a
 * registry host when it contains a dot or colon or is `localhost`; the tag follows the last
 * colon after the last slash; a missing tag is `latest`.
 */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      rest = dockerHub.has(first) ? rest.slice(slash + 1) : `${first}/${rest.slice(slash + 1)}`;
    }
  }
  return { repository: rest, tag, digest };
}

/** The entry point of a built-in image, or undefined when the image is not built in. */
function builtInEntryPoint(image: string): { name: string; script: string; ref: ImageRef } | undefined {
  const ref = parseImage(image);
  const file = builtIns[ref.repository];
  if (!file) return undefined;
  return { name: ref.repository.slice('unyo/'.length), script: fileURLToPath(new URL(`./${file}`, import.meta.url)), ref };
}

/**
 * The host process a container of `image` runs, or undefined when the image is not built in
 * (the runtime then runs `command` + `args` itself, or fails with a clear reason).
 *
 * Kubernetes semantics: each built-in image's entrypoint is its Node script and its default
 * args are empty; `args` replaces the default args, `command` replaces the entrypoint. With
 * no engine to provide the image's file system, a replaced entrypoint is a host command, run
 * through the busybox shim (`sh -c`) — except a command naming the image itself
 * (`["web", "--port", "9000"]`), which keeps the built-in entrypoint.
 *
 * `env` is the image's own environment (a Dockerfile's ENV): the runtime layers the
 * container's env and its own contract variables over it.
 */
export function resolveImage(image: string, command: string[] | undefined, args: string[] | undefined): { argv: string[]; env: Record<string, string> } | undefined {
  const entry = builtInEntryPoint(image);
  if (!entry) return undefined;
  const env = { UNYO_IMAGE_NAME: entry.name, UNYO_IMAGE_TAG: entry.ref.tag };
  const cmd = command ?? [];
  const rest = args ?? [];
  if (cmd.length === 0) return { argv: [process.execPath, entry.script, ...rest], env };
  if (basename(cmd[0]) === entry.name) return { argv: [process.execPath, entry.script, ...cmd.slice(1), ...rest], env };
  const busybox = fileURLToPath(new URL('./busybox.js', import.meta.url));
  return { argv: [process.execPath, busybox, ...cmd, ...rest], env };
}
