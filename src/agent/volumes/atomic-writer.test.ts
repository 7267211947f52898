import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePayloadPath, writeAtomically, type Payload } from './atomic-writer.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'unyo-aw-'));
const file = (text: string, mode = 0o644) => ({ data: Buffer.from(text), mode });
const payload = (entries: Record<string, string>): Payload => new Map(Object.entries(entries).map(([k, v]) => [k, file(v)]));
const versions = (dir: string) => readdirSync(dir).filter((n) => /^\.\.\d{4}_/.test(n));

test('atomic writer: lays out a timestamped version, ..data and one link per top-level name', async () => {
  const dir = tmp();
  assert.equal(await writeAtomically(dir, payload({ 'app.conf': 'a=1', 'nested/deep/x': 'x' })), true);
  const [version] = versions(dir);
  assert.match(version, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\w+$/);
  assert.equal(readlinkSync(join(dir, '..data')), version);
  assert.equal(readlinkSync(join(dir, 'app.conf')), '..data/app.conf');
  assert.equal(readlinkSync(join(dir, 'nested')), '..data/nested');
  assert.equal(readFileSync(join(dir, 'nested/deep/x'), 'utf8'), 'x');
  assert.equal(statSync(join(dir, version)).mode & 0o777, 0o755);
  assert.deepEqual(readdirSync(dir).sort(), ['..data', version, 'app.conf', 'nested'].sort());
});

test('atomic writer: file modes are applied whatever the umask', async () => {
  const dir = tmp();
  await writeAtomically(dir, new Map([['secret', file('s', 0o400)], ['script', file('#!', 0o755)]]));
  assert.equal(statSync(join(dir, 'secret')).mode & 0o777, 0o400);
  assert.equal(statSync(join(dir, 'script')).mode & 0o777, 0o755);
});

test('atomic writer: unchanged content is not written again', async () => {
  const dir = tmp();
  await writeAtomically(dir, payload({ a: '1' }));
  const before = readlinkSync(join(dir, '..data'));
  assert.equal(await writeAtomically(dir, payload({ a: '1' })), false);
  assert.equal(readlinkSync(join(dir, '..data')), before);
});

test('atomic writer: a mode change alone is an update', async () => {
  const dir = tmp();
  await writeAtomically(dir, new Map([['a', file('1', 0o644)]]));
  assert.equal(await writeAtomically(dir, new Map([['a', file('1', 0o600)]])), true);
  assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o600);
});

test('atomic writer: an update swaps versions, drops removed names and the old version', async () => {
  const dir = tmp();
  await writeAtomically(dir, payload({ keep: 'old', gone: 'x', 'sub/a': 'a', 'sub/b': 'b' }));
  const old = readlinkSync(join(dir, '..data'));
  assert.equal(await writeAtomically(dir, payload({ keep: 'new', 'sub/a': 'a2', added: '+' })), true);
  const now = readlinkSync(join(dir, '..data'));
  assert.notEqual(now, old);
  assert.deepEqual(versions(dir), [now]);
  assert.equal(readFileSync(join(dir, 'keep'), 'utf8'), 'new');
  assert.equal(readFileSync(join(dir, 'added'), 'utf8'), '+');
  assert.equal(readFileSync(join(dir, 'sub/a'), 'utf8'), 'a2');
  assert.throws(() => lstatSync(join(dir, 'gone')), /ENOENT/);
  assert.throws(() => lstatSync(join(dir, 'sub/b')), /ENOENT/);
  assert.throws(() => lstatSync(join(dir, '..data_tmp')), /ENOENT/);
});

test('atomic writer: removing a key alone is an update', async () => {
  const dir = tmp();
  await writeAtomically(dir, payload({ a: '1', b: '2' }));
  assert.equal(await writeAtomically(dir, payload({ a: '1' })), true);
  assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')), ['a']);
});

test('atomic writer: an empty payload still gives ..data', async () => {
  const dir = tmp();
  await writeAtomically(dir, new Map());
  assert.equal(versions(dir).length, 1);
  assert.equal(readlinkSync(join(dir, '..data')), versions(dir)[0]);
});

test('atomic writer: concurrent writes of one directory run one after the other', async () => {
  const dir = tmp();
  await Promise.all([writeAtomically(dir, payload({ a: '1' })), writeAtomically(dir, payload({ a: '2' })), writeAtomically(dir, payload({ a: '3' }))]);
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '3');
  assert.equal(versions(dir).length, 1);
});

const badPaths: Array<[string, string]> = [
  ['', 'invalid path: must not be empty: ""'],
  ['/etc/passwd', 'invalid path: must be relative path: /etc/passwd'],
  ['a/../../b', "invalid path: must not contain '..': a/../../b"],
  ['..data', "invalid path: must not start with '..': ..data"],
  ['x'.repeat(256), 'invalid path: filenames must be less than or equal to 255 characters'],
];

for (const [path, message] of badPaths) {
  test(`atomic writer: rejects path ${JSON.stringify(path.slice(0, 20))}`, async () => {
    assert.throws(() => validatePayloadPath(path), { message });
    await assert.rejects(writeAtomically(tmp(), payload({ [path]: 'x' })), { message });
  });
}

test('atomic writer: "..." style names that are not reserved pass, and "." segments are cleaned', () => {
  validatePayloadPath('a/..b');
  validatePayloadPath('./a');
});
