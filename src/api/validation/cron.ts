// Cron schedules as CronJob accepts them: the five standard fields with ranges, steps, lists and
// month/day names, plus @yearly, @monthly, @weekly, @daily, @hourly and @every <duration>.
// Parse errors carry the wording of the parser upstream validates with, so messages match.

export interface CronSchedule {
  /** The first activation strictly after `after`, in the given IANA time zone (default UTC). */
  next(after: Date, timeZone?: string): Date | undefined;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

export class CronError extends Error {}

interface Field {
  values: Set<number>;
  /** Written as '*' or '?': matters for how day-of-month and day-of-week combine. */
  star: boolean;
}

function parseInt10(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named !== undefined ? named : parseInt10(expr);
}

function parseRange(expr: string, b: Bounds, field: Field): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0], b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], b);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseInt10(rangeAndStep[1]);
    // "N/step" means "N-max/step".
    if (single) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) field.values.add(v);
  if (star) field.star = true;
}

function parseField(text: string, b: Bounds): Field {
  const field: Field = { values: new Set(), star: false };
  for (const expr of text.split(',').filter((e) => e !== '')) parseRange(expr, b, field);
  return field;
}

/** Go's time.ParseDuration, for "@every 1h30m". Returns milliseconds. */
function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new CronError(`time: invalid duration ${JSON.stringify(text)}`);
  let total = 0;
  let consumed = 0;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest)) !== null) {
    total += Number(m[1]) * units[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== rest.length) {
    const unit = /^[\d.]+([^\d.]*)/.exec(rest.slice(consumed));
    if (unit && unit[1] === '') throw new CronError(`time: missing unit in duration ${JSON.stringify(text)}`);
    if (unit) throw new CronError(`time: unknown unit ${JSON.stringify(unit[1])} in duration ${JSON.stringify(text)}`);
    throw new CronError(`time: invalid duration ${JSON.stringify(text)}`);
  }
  return sign * total;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Parses a schedule; throws CronError with the parser's message when it is malformed. */
export function parseCronSchedule(input: string): CronSchedule {
  let spec = input;
  if (spec.length === 0) throw new CronError('empty spec string');
  let zoneFromSpec: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const zone = spec.slice(spec.indexOf('=') + 1, space < 0 ? undefined : space);
    if (!isValidTimeZone(zone)) throw new CronError(`provided bad location ${zone}: unknown time zone ${zone}`);
    zoneFromSpec = zone;
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    if (DESCRIPTORS[spec]) return fieldsSchedule(DESCRIPTORS[spec].split(' '), zoneFromSpec);
    if (spec.startsWith('@every ')) {
      let ms: number;
      try {
        ms = parseDuration(spec.slice('@every '.length));
      } catch (e) {
        throw new CronError(`failed to parse duration ${spec}: ${(e as Error).message}`);
      }
      return everySchedule(ms);
    }
    throw new CronError(`unrecognized descriptor: ${spec}`);
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return fieldsSchedule(fields, zoneFromSpec);
}

/** The validation message for a schedule, or undefined when it parses. */
export function cronScheduleError(spec: string): string | undefined {
  try {
    parseCronSchedule(spec);
    return undefined;
  } catch (e) {
    if (e instanceof CronError) return e.message;
    throw e;
  }
}

export function isValidTimeZone(zone: string): boolean {
  if (zone === 'Local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function everySchedule(ms: number): CronSchedule {
  // Like the upstream parser: durations under a second round up to one second, and activations
  // fall on whole seconds.
  const period = Math.max(1000, Math.floor(ms / 1000) * 1000);
  return { next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + period) };
}

interface ZonedParts {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function partsIn(date: Date, zone: string): ZonedParts {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(date)) parts[p.type] = p.value;
  return { minute: Number(parts.minute), hour: Number(parts.hour) % 24, day: Number(parts.day), month: Number(parts.month), weekday: WEEKDAYS[parts.weekday] };
}

function fieldsSchedule(fields: string[], zoneFromSpec: string | undefined): CronSchedule {
  const minute = parseField(fields[0], MINUTES);
  const hour = parseField(fields[1], HOURS);
  const dom = parseField(fields[2], DOM);
  const month = parseField(fields[3], MONTHS);
  const dow = parseField(fields[4], DOW);
  const dayMatches = (p: ZonedParts) => {
    // When either day field is a plain star, both must match; otherwise either may (as in cron).
    const d = dom.values.has(p.day);
    const w = dow.values.has(p.weekday);
    return dom.star || dow.star ? d && w : d || w;
  };
  return {
    next(after, timeZone) {
      const zone = zoneFromSpec ?? timeZone ?? 'UTC';
      let t = Math.floor(after.getTime() / 60000) * 60000 + 60000;
      const limit = t + 5 * 366 * 24 * 3600 * 1000;
      while (t <= limit) {
        const p = partsIn(new Date(t), zone);
        if (!month.values.has(p.month) || !dayMatches(p)) {
          t += ((23 - p.hour) * 60 + (60 - p.minute)) * 60000;
          continue;
        }
        if (!hour.values.has(p.hour)) {
          t += (60 - p.minute) * 60000;
          continue;
        }
        if (!minute.values.has(p.minute)) {
          t += 60000;
          continue;
        }
        return new Date(t);
      }
      return undefined;
    },
  };
}
