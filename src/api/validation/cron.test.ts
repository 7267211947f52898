import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cronScheduleError, parseCronSchedule } from './cron.js';

const errors: Array<[schedule: string, want: string | undefined]> = [
  ['*/5 * * * *', undefined],
  ['0 9-17 * * mon-fri', undefined],
  ['30 2 1,15 jan,jul *', undefined],
  ['@hourly', undefined],
  ['@every 1h30m', undefined],
  ['bad', 'expected exactly 5 fields, found 1: [bad]'],
  ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
  ['61 * * * *', 'end of range (61) above maximum (59): 61'],
  ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
  ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
  ['*/0 * * * *', 'step of range should be a positive number: */0'],
  ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
  ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
  ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
  ['@every 5x', 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
];

for (const [schedule, want] of errors) {
  test(`cron: ${JSON.stringify(schedule)}`, () => assert.equal(cronScheduleError(schedule), want));
}

const next: Array<{ schedule: string; after: string; zone?: string; want: string }> = [
  { schedule: '*/15 * * * *', after: '2024-03-10T10:07:30Z', want: '2024-03-10T10:15:00.000Z' },
  { schedule: '0 0 * * *', after: '2024-03-10T10:07:00Z', want: '2024-03-11T00:00:00.000Z' },
  { schedule: '0 9 * * mon', after: '2024-03-10T10:00:00Z', want: '2024-03-11T09:00:00.000Z' },
  { schedule: '0 0 1 * *', after: '2024-01-31T12:00:00Z', want: '2024-02-01T00:00:00.000Z' },
  { schedule: '@hourly', after: '2024-03-10T10:00:00Z', want: '2024-03-10T11:00:00.000Z' },
  { schedule: '0 3 * * *', after: '2024-06-01T00:00:00Z', zone: 'Europe/Paris', want: '2024-06-01T01:00:00.000Z' },
  { schedule: '0 0 13 * 5', after: '2024-01-01T00:00:00Z', want: '2024-01-05T00:00:00.000Z' },
];

for (const c of next) {
  test(`cron: next ${c.schedule} after ${c.after}${c.zone ? ` in ${c.zone}` : ''}`, () => {
    assert.equal(parseCronSchedule(c.schedule).next(new Date(c.after), c.zone)?.toISOString(), c.want);
  });
}
