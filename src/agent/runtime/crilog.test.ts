import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { criRecords, criTimestamp, CriLogFile, maxLogLineBytes, parseCriLine } from './crilog.js';

const T = '2024-05-01T10:20:30.000000001Z';

test('criRecords: complete lines are F, the rest of a chunk is P, long lines are cut', () => {
  const long = 'x'.repeat(maxLogLineBytes + 5);
  const cases: [string, string, string[]][] = [
    ['one line', 'a\n', ['stdout F a']],
    ['two lines', 'a\nb\n', ['stdout F a', 'stdout F b']],
    ['empty line', '\n', ['stdout F ']],
    ['partial tail', 'a\nbc', ['stdout F a', 'stdout P bc']],
    ['only partial', 'prompt> ', ['stdout P prompt> ']],
    ['long line', `${long}\n`, [`stdout P ${'x'.repeat(maxLogLineBytes)}`, 'stdout F xxxxx']],
    ['exactly the maximum', `${'y'.repeat(maxLogLineBytes)}\n`, [`stdout F ${'y'.repeat(maxLogLineBytes)}`]],
  ];
  for (const [name, input, want] of cases) {
    const got = criRecords('stdout', T, Buffer.from(input)).map((b) => b.toString());
    assert.deepEqual(got, want.map((w) => `${T} ${w}\n`), name);
  }
});

test('criTimestamp: RFC 3339 with nine fractional digits, UTC', () => {
  assert.equal(criTimestamp(1714558830000000001n), '2024-05-01T10:20:30.000000001Z');
  assert.equal(criTimestamp(1714558830123456789n), '2024-05-01T10:20:30.123456789Z');
});

test('parseCriLine reads what criRecords writes, and rejects other text', () => {
  assert.deepEqual(parseCriLine(`${T} stderr F hello world`), { time: T, stream: 'stderr', partial: false, text: 'hello world' });
  assert.deepEqual(parseCriLine(`${T} stdout P `), { time: T, stream: 'stdout', partial: true, text: '' });
  assert.deepEqual(parseCriLine(`${T} stdout F`), { time: T, stream: 'stdout', partial: false, text: '' });
  assert.equal(parseCriLine('not a log line'), undefined);
  assert.equal(parseCriLine(`${T} stdin F x`), undefined);
});

test('CriLogFile rotates by size and keeps maxFiles files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unyo-crilog-'));
  try {
    const path = join(dir, '0.log');
    let now = 1714558830000000000n;
    const log = new CriLogFile(path, { maxBytes: 200, maxFiles: 3 }, () => now++);
    for (let i = 0; i < 20; i++) log.write(i % 2 ? 'stderr' : 'stdout', Buffer.from(`message ${i}\n`));
    log.close();
    const read = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => parseCriLine(l)!.text);
    const kept = [...read(`${path}.2`), ...read(`${path}.1`), ...read(path)];
    assert.ok(!existsSync(`${path}.3`));
    for (const p of [path, `${path}.1`, `${path}.2`]) assert.ok(readFileSync(p).length <= 200);
    assert.equal(kept.at(-1), 'message 19');
    const first = Number(kept[0].split(' ')[1]);
    assert.deepEqual(kept, Array.from({ length: 20 - first }, (_, i) => `message ${first + i}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
