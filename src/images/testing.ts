// Test support: runs a built-in image the way the process runtime does (argv from the
// catalog, the runtime's env contract, a Pod address on loopback) and waits on its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolveImage } from './catalog.js';

export interface ImageProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (or stderr), rejecting after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the `http://host:port` the image logged it listens on. */
  listening(): Promise<string>;
  /** Settles once the process has exited and its output has been read to the end. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A random Pod address in 127.0.0.0/8, away from 127.0.0.1 so fixed ports do not collide. */
export function randomPodIP(): string {
  const octet = () => 1 + Math.floor(Math.random() * 254);
  return `127.${octet()}.${octet()}.${octet()}`;
}

export interface StartOptions {
  command?: string[];
  args?: string[];
  /** The container's own env. */
  env?: Record<string, string>;
  podIP?: string;
  ports?: number[];
  hostname?: string;
}

export function startImage(image: string, options: StartOptions = {}): ImageProcess {
  const resolved = resolveImage(image, options.command, options.args);
  if (!resolved) throw new Error(`${image} is not a built-in image`);
  const hostname = options.hostname ?? 'pod-test';
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...resolved.env,
    UNYO_POD_IP: options.podIP ?? randomPodIP(),
    UNYO_PORTS: (options.ports ?? [0]).join(','),
    UNYO_IMAGE: image,
    HOSTNAME: hostname,
    POD_NAME: hostname,
    POD_NAMESPACE: 'default',
    ...options.env,
  };
  const child = spawn(resolved.argv[0], resolved.argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout!.on('data', (chunk: Buffer) => ((out += chunk.toString()), notify()));
  child.stderr!.on('data', (chunk: Buffer) => ((err += chunk.toString()), notify()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => ((done = true), notify()));

  const waitFor = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out) ?? pattern.exec(err);
        if (match) finish(() => resolve(match));
        else if (done) finish(() => reject(new Error(`${image} exited before printing ${pattern}; stdout: ${out} stderr: ${err}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${image} did not print ${pattern} in ${timeoutMs} ms; stdout: ${out} stderr: ${err}`))), timeoutMs);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor,
    listening: async () => (await waitFor(/listening on (http:\/\/\S+)/))[1],
    exited,
  };
}
