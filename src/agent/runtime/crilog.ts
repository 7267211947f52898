// The CRI container log format, as the kubelet reads it: one record per line,
//   <RFC3339Nano time> <stdout|stderr> <F|P> <text>
// F ends a line; P is a piece of a line that continues in the next record of the stream.
// The shim writes these files (with size-based rotation); parseCriLine reads them back.
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync, rmSync, statSync, watch, writeSync, type FSWatcher } from 'node:fs';

export type CriStream = 'stdout' | 'stderr';

/** Longer lines are cut into P records, as containerd does (16 KiB). */
export const maxLogLineBytes = 16 * 1024;

export interface CriLogEntry {
  time: string;
  stream: CriStream;
  partial: boolean;
  text: string;
}

/** Nanoseconds since the epoch → "2024-05-01T10:20:30.123456789Z" (always nine digits, so records sort as text). */
export function criTimestamp(epochNanos: bigint): string {
  const ms = Number(epochNanos / 1_000_000n);
  const nanos = (epochNanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${nanos}Z`;
}

/** A nanosecond clock for log records: the wall clock at start, advanced by the monotonic one. */
export function wallClockNanos(): () => bigint {
  const base = BigInt(Date.now()) * 1_000_000n;
  const start = process.hrtime.bigint();
  return () => base + (process.hrtime.bigint() - start);
}

export function parseCriLine(line: string): CriLogEntry | undefined {
  const m = /^(\S+) (stdout|stderr) ([FP])(?: (.*))?$/s.exec(line);
  if (!m) return undefined;
  return { time: m[1], stream: m[2] as CriStream, partial: m[3] === 'P', text: m[4] ?? '' };
}

/**
 * The records for one chunk read from a stream. Every complete line becomes F; what follows the
 * last newline is written at once as P (as CRI-O's conmon does) so a prompt without a newline
 * still reaches the log; a line over maxLogLineBytes is cut into P records.
 *
 * Example: "a\nbc" then "d\n" → "stdout F a", "stdout P bc", "stdout F d".
 */
export function criRecords(stream: CriStream, time: string, chunk: Buffer): Buffer[] {
  const out: Buffer[] = [];
  const emit = (text: Buffer, complete: boolean) => {
    for (let at = 0; at < text.length || (at === 0 && complete); at += maxLogLineBytes) {
      const piece = text.subarray(at, at + maxLogLineBytes);
      const last = at + maxLogLineBytes >= text.length;
      const tag = complete && last ? 'F' : 'P';
      out.push(Buffer.concat([Buffer.from(`${time} ${stream} ${tag} `), piece, Buffer.from('\n')]));
      if (last) break;
    }
  };
  let start = 0;
  for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
    emit(chunk.subarray(start, nl), true);
    start = nl + 1;
  }
  if (start < chunk.length) emit(chunk.subarray(start), false);
  return out;
}

export interface RotationOptions {
  /** Rotate once the file would grow beyond this many bytes. */
  maxBytes: number;
  /** Files kept, the current one included: <path>, <path>.1, ... <path>.<maxFiles-1>. */
  maxFiles: number;
}

/** A CRI log file that the shim appends to, rotated by size. */
export class CriLogFile {
  private fd: number;
  private size: number;

  constructor(
    private readonly path: string,
    private readonly rotation: RotationOptions,
    private readonly now: () => bigint = wallClockNanos(),
  ) {
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  write(stream: CriStream, chunk: Buffer): void {
    for (const record of criRecords(stream, criTimestamp(this.now()), chunk)) {
      if (this.size > 0 && this.size + record.length > this.rotation.maxBytes) this.rotate();
      writeSync(this.fd, record);
      this.size += record.length;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    const name = (n: number) => (n === 0 ? this.path : `${this.path}.${n}`);
    if (this.rotation.maxFiles <= 1) rmSync(this.path, { force: true });
    for (let n = this.rotation.maxFiles - 2; n >= 0; n--) if (existsSync(name(n))) renameSync(name(n), name(n + 1));
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }
}

/**
 * Follows a CRI log file from its current end, as an attach does: every record written after
 * it started goes to onEntry. A rotation (the file replaced, or shorter than what was read)
 * continues at the beginning of the new file. Checks on every change notice and every 200 ms.
 */
export class CriLogFollower {
  private offset = 0;
  private ino = -1;
  private carry = Buffer.alloc(0);
  private readonly watcher?: FSWatcher;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly path: string,
    private readonly onEntry: (entry: CriLogEntry) => void,
  ) {
    try {
      const st = statSync(path);
      this.offset = st.size;
      this.ino = st.ino;
    } catch {
      // Not written yet: everything in it will be new.
    }
    try {
      this.watcher = watch(path, () => this.poll());
      this.watcher.on('error', () => undefined);
    } catch {
      // Polling alone then.
    }
    this.timer = setInterval(() => this.poll(), 200);
  }

  /** Read what was added since the last look. */
  poll(): void {
    let st;
    try {
      st = statSync(this.path);
    } catch {
      return;
    }
    if (st.ino !== this.ino || st.size < this.offset) {
      this.ino = st.ino;
      this.offset = 0;
      this.carry = Buffer.alloc(0);
    }
    if (st.size <= this.offset) return;
    const buf = Buffer.alloc(st.size - this.offset);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = st.size;
    // Records end in a newline; a read may stop inside one (or inside a character).
    const bytes = Buffer.concat([this.carry, buf]);
    const cut = bytes.lastIndexOf(10);
    this.carry = bytes.subarray(cut + 1);
    if (cut < 0) return;
    for (const line of bytes.subarray(0, cut).toString('utf8').split('\n')) {
      const entry = parseCriLine(line);
      if (entry) this.onEntry(entry);
    }
  }

  /** Read the last records and stop following. */
  stop(): void {
    this.poll();
    this.watcher?.close();
    clearInterval(this.timer);
  }
}
