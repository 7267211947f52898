import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeChannelFrame, encodeChannelFrame, parseStreamOptions, parseTerminalSizes, statusFor, TerminalSizeQueue } from './remotecommand.js';

test('parseStreamOptions: the kubelet\'s input/output/error/tty flags; a tty drops stderr; one stream at least', () => {
  const cases: [string, string, ReturnType<typeof parseStreamOptions> | RegExp][] = [
    ['all three', 'input=1&output=1&error=1', { stdin: true, stdout: true, stderr: true, tty: false }],
    ['output only', 'output=1', { stdin: false, stdout: true, stderr: false, tty: false }],
    ['tty drops stderr', 'input=1&output=1&error=1&tty=1', { stdin: true, stdout: true, stderr: false, tty: true }],
    ['only "1" is on', 'input=true&output=1', { stdin: false, stdout: true, stderr: false, tty: false }],
    ['none', 'tty=1', /you must specify at least 1 of stdin, stdout, stderr/],
    ['stderr with tty is none', 'error=1&tty=1', /you must specify at least 1 of stdin, stdout, stderr/],
  ];
  for (const [name, query, want] of cases) {
    if (want instanceof RegExp) assert.throws(() => parseStreamOptions(new URLSearchParams(query)), want, name);
    else assert.deepEqual(parseStreamOptions(new URLSearchParams(query)), want, name);
  }
});

test('statusFor: what kubectl decodes from the error stream (exit codes in an ExitCode cause)', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(statusFor.success())), { metadata: {}, status: 'Success' });
  const failed = statusFor.exitCode(['sh', '-c', 'exit 3'], 3);
  assert.equal(failed.status, 'Failure');
  assert.equal(failed.reason, 'NonZeroExitCode');
  // StatusCause's type travels as "reason" in JSON.
  assert.deepEqual(failed.details, { causes: [{ reason: 'ExitCode', message: '3' }] });
  assert.match(failed.message!, /^command terminated with non-zero exit code/);
  const internal = statusFor.internalError('exec: "nope": executable file not found in $PATH');
  assert.equal(internal.reason, 'InternalError');
  assert.equal(internal.message, 'Internal error occurred: exec: "nope": executable file not found in $PATH');
});

test('channel frames: the first byte names the channel', () => {
  assert.deepEqual(encodeChannelFrame(1, Buffer.from('hi')), Buffer.from([1, 104, 105]));
  assert.deepEqual(decodeChannelFrame(Buffer.from([3, 123, 125])), { channel: 3, data: Buffer.from('{}') });
  assert.deepEqual(decodeChannelFrame(Buffer.from([255, 0])), { channel: 255, data: Buffer.from([0]) });
  assert.equal(decodeChannelFrame(Buffer.alloc(0)), undefined);
});

test('terminal sizes: one JSON object per write or per line; malformed ones are skipped; the latest is kept', () => {
  assert.deepEqual(parseTerminalSizes('{"Width":80,"Height":24}'), [{ width: 80, height: 24 }]);
  assert.deepEqual(parseTerminalSizes('{"Width":80,"Height":24}\n{"Width":100,"Height":40}\n'), [
    { width: 80, height: 24 },
    { width: 100, height: 40 },
  ]);
  assert.deepEqual(parseTerminalSizes('{"Width":80}\nnot json\n'), []);
  const q = new TerminalSizeQueue();
  const seen: unknown[] = [];
  q.on('resize', (s) => seen.push(s));
  q.push({ width: 1, height: 2 });
  q.push({ width: 3, height: 4 });
  assert.deepEqual(q.last, { width: 3, height: 4 });
  assert.equal(seen.length, 2);
});
