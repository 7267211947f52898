// Human-readable ages, the way kubectl's AGE, LAST SEEN and DURATION cells read: coarse
// units that get coarser as the span grows ("45s", "3m2s", "2d3h", "400d", "3y20d").

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Formats a span of milliseconds. Spans a little below zero (clock skew of up to two
 * seconds between machines) read as "0s"; anything further in the future is "<invalid>".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 3 * 60) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;

  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;

  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** Parses an RFC 3339 timestamp; undefined when absent, empty or unparseable. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** Time since `timestamp` as an age cell; "<unknown>" when the timestamp is missing. */
export function since(timestamp: unknown, now: Date): string {
  return sinceMs(parseTimestamp(timestamp), now);
}

/** Time since an instant in epoch milliseconds; "<unknown>" when there is none. */
export function sinceMs(t: number | undefined, now: Date): string {
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}
