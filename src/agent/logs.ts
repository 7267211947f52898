// Reading container logs from the CRI-format files: tail, since, timestamps, limitBytes,
// previous attempt, and follow (new lines as the file grows, until the container is replaced
// or the client goes away). Shared by the agent's log endpoint.
import { createReadStream, existsSync, readdirSync, statSync, watch, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  sinceTime?: Date;
  timestamps: boolean;
  limitBytes?: number;
}

/** The log files of a container, oldest attempt first. */
export function attemptFiles(containerDir: string): string[] {
  if (!existsSync(containerDir)) return [];
  return readdirSync(containerDir)
    .filter((f) => /^\d+\.log$/.test(f))
    .sort((a, b) => parseInt(a) - parseInt(b))
    .map((f) => join(containerDir, f));
}

/** CRI line: "<time> <stream> <P|F> <text>" → the text (and its time). */
function parseLine(line: string): { time: string; text: string; partial: boolean } | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  return { time: line.slice(0, a), text: c < 0 ? '' : line.slice(c + 1), partial: tag === 'P' };
}

function render(lines: string[], opts: LogOptions): string[] {
  const out: string[] = [];
  let pending = '';
  for (const line of lines) {
    const p = parseLine(line);
    if (!p) continue;
    if (opts.sinceTime && Date.parse(p.time) < opts.sinceTime.getTime()) continue;
    if (p.partial) {
      pending += p.text;
      continue;
    }
    const text = pending + p.text;
    pending = '';
    out.push(opts.timestamps ? `${p.time} ${text}\n` : `${text}\n`);
  }
  return out;
}

export async function streamLogs(file: string, opts: LogOptions, out: Writable, stillCurrent: () => boolean): Promise<void> {
  let written = 0;
  const emit = (chunks: string[]): boolean => {
    for (const chunk of chunks) {
      let data = chunk;
      if (opts.limitBytes !== undefined) {
        if (written >= opts.limitBytes) return false;
        if (written + Buffer.byteLength(data) > opts.limitBytes) data = Buffer.from(data).subarray(0, opts.limitBytes - written).toString();
      }
      written += Buffer.byteLength(data);
      out.write(data);
    }
    return opts.limitBytes === undefined || written < opts.limitBytes;
  };
  let text = existsSync(file) ? await readAll(file) : '';
  let offset = Buffer.byteLength(text);
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  let carry = text.slice(complete.length);
  offset -= Buffer.byteLength(carry);
  let lines = render(complete.split('\n').filter(Boolean), opts);
  if (opts.tailLines !== undefined) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
  if (!emit(lines) || !opts.follow) return;
  carry = '';
  await new Promise<void>((resolve) => {
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      watcher?.close();
      clearInterval(timer);
      resolve();
    };
    const poll = () => {
      if (closed) return;
      if (!existsSync(file)) return;
      const size = statSync(file).size;
      if (size > offset) {
        const fd = openSync(file, 'r');
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        closeSync(fd);
        offset = size;
        const chunk = carry + buf.toString('utf8');
        const cut = chunk.lastIndexOf('\n');
        carry = cut < 0 ? chunk : chunk.slice(cut + 1);
        if (cut >= 0 && !emit(render(chunk.slice(0, cut).split('\n').filter(Boolean), opts))) return finish();
      } else if (!stillCurrent()) finish();
    };
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(file, poll);
    } catch {
      watcher = undefined;
    }
    const timer = setInterval(poll, 500);
    out.on('close', finish);
    out.on('error', finish);
  });
}

function readAll(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    createReadStream(file, 'utf8')
      .on('data', (d) => (s += d))
      .on('end', () => resolve(s))
      .on('error', reject);
  });
}
