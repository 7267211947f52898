import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startImage } from './testing.js';

test('unyo/busybox runs command and args as a host command', async () => {
  const cases: { command?: string[]; args?: string[]; stdout: string; code: number }[] = [
    { command: ['sh', '-c', 'echo hi from $HOSTNAME'], stdout: 'hi from pod-test\n', code: 0 },
    { command: ['echo'], args: ['it\'s', '$HOSTNAME'], stdout: 'it\'s $HOSTNAME\n', code: 0 },
    { args: ['sh', '-c', 'exit 3'], stdout: '', code: 3 },
    { command: ['/bin/sh', '-c', 'echo $POD_NAMESPACE'], stdout: 'default\n', code: 0 },
    { stdout: '', code: 0 },
    { command: ['no-such-command-unyo'], stdout: '', code: 127 },
  ];
  for (const c of cases) {
    const box = startImage('unyo/busybox:1.36', { command: c.command, args: c.args });
    const exit = await box.exited;
    assert.equal(box.stdout(), c.stdout, JSON.stringify(c));
    assert.equal(exit.code, c.code, JSON.stringify(c));
  }
});

test('unyo/busybox relays SIGTERM to the command', async () => {
  const box = startImage('unyo/busybox', { command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; echo ready; while true; do sleep 0.1; done'] });
  await box.waitFor(/ready/);
  box.child.kill('SIGTERM');
  assert.deepEqual(await box.exited, { code: 0, signal: null });
  assert.match(box.stdout(), /bye/);
});

test('a built-in image with its entrypoint replaced runs the command on the host', async () => {
  const web = startImage('unyo/web:1', { command: ['sh', '-c'], args: ['echo $UNYO_IMAGE_TAG'] });
  assert.equal((await web.exited).code, 0);
  assert.equal(web.stdout(), '1\n');
});
