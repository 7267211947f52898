import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImage, resolveImage } from './catalog.js';

test('parseImage splits registry, repository, tag and digest', () => {
  const cases: [string, { repository: string; tag: string; digest?: string }][] = [
    ['unyo/web:1', { repository: 'unyo/web', tag: '1' }],
    ['unyo/web', { repository: 'unyo/web', tag: 'latest' }],
    ['docker.io/unyo/web:broken', { repository: 'unyo/web', tag: 'broken' }],
    ['index.docker.io/unyo/kv:3', { repository: 'unyo/kv', tag: '3' }],
    ['localhost:5000/unyo/web:2', { repository: 'localhost:5000/unyo/web', tag: '2' }],
    ['registry.example.com:443/team/app', { repository: 'registry.example.com:443/team/app', tag: 'latest' }],
    ['unyo/web:2@sha256:abc', { repository: 'unyo/web', tag: '2', digest: 'sha256:abc' }],
    ['nginx', { repository: 'nginx', tag: 'latest' }],
  ];
  for (const [image, want] of cases) assert.deepEqual(parseImage(image), { digest: undefined, ...want }, image);
});

test('resolveImage runs built-in images with node and their tag in the image env', () => {
  const web = resolveImage('docker.io/unyo/web:2', undefined, undefined)!;
  assert.equal(web.argv[0], process.execPath);
  assert.match(web.argv[1], /[/\\]images[/\\]web\.js$/);
  assert.equal(web.argv.length, 2);
  assert.deepEqual(web.env, { UNYO_IMAGE_NAME: 'web', UNYO_IMAGE_TAG: '2' });
  for (const name of ['kv', 'loadgen', 'logger', 'busybox']) {
    assert.match(resolveImage(`unyo/${name}:1`, undefined, undefined)!.argv[1], new RegExp(`${name}\\.js$`));
  }
});

test('resolveImage: args replace the default args, command replaces the entrypoint', () => {
  const cases: { image: string; command?: string[]; args?: string[]; script: string; rest: string[] }[] = [
    { image: 'unyo/loadgen:1', args: ['http://127.0.0.1:8080/'], script: 'loadgen.js', rest: ['http://127.0.0.1:8080/'] },
    { image: 'unyo/busybox:1.36', command: ['sh', '-c', 'echo hi'], script: 'busybox.js', rest: ['sh', '-c', 'echo hi'] },
    { image: 'unyo/busybox', args: ['sleep', '3600'], script: 'busybox.js', rest: ['sleep', '3600'] },
    { image: 'unyo/busybox', command: ['busybox', 'sh'], args: ['-c', 'true'], script: 'busybox.js', rest: ['sh', '-c', 'true'] },
    { image: 'unyo/web:1', command: ['sleep'], args: ['5'], script: 'busybox.js', rest: ['sleep', '5'] },
    { image: 'unyo/web:1', command: ['/usr/bin/web'], args: ['--port', '9000'], script: 'web.js', rest: ['--port', '9000'] },
    { image: 'unyo/busybox', command: [], args: [], script: 'busybox.js', rest: [] },
  ];
  for (const c of cases) {
    const { argv } = resolveImage(c.image, c.command, c.args)!;
    assert.equal(argv[0], process.execPath);
    assert.ok(argv[1].endsWith(c.script), `${JSON.stringify(c)}: ${argv[1]}`);
    assert.deepEqual(argv.slice(2), c.rest, JSON.stringify(c));
  }
});

test('resolveImage leaves images that are not built in to the runtime', () => {
  for (const image of ['nginx:1.27', 'unyo/unknown:1', 'quay.io/unyo/web:1', 'library/busybox', 'unyo/webx:1']) {
    assert.equal(resolveImage(image, ['sh'], undefined), undefined, image);
  }
});
