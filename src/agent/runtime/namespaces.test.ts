import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planMounts, q, setupScript, type PathKind, type SetupStep } from './namespaces.js';
import type { Mount } from './runtime.js';

// A host with /usr/share, /etc, /tmp and the volumes under /vol.
const host: Record<string, PathKind> = {
  '/': 'dir',
  '/usr': 'dir',
  '/usr/share': 'dir',
  '/etc': 'dir',
  '/etc/ssl': 'dir',
  '/tmp': 'dir',
  '/vol/a': 'dir',
  '/vol/b': 'dir',
  '/vol/b/existing': 'dir',
  '/vol/file.txt': 'file',
};
const probe = (p: string) => host[p];
const mount = (hostPath: string, containerPath: string, readOnly = false): Mount => ({ hostPath, containerPath, readOnly });
const show = (steps: SetupStep[]) =>
  steps.map((s) => {
    switch (s.kind) {
      case 'overlay': return `overlay ${s.dir}`;
      case 'mkdir': return `mkdir ${s.path}`;
      case 'touch': return `touch ${s.path}`;
      case 'bind': return `bind ${s.source} ${s.target}`;
      case 'readonly': return `ro ${s.target}`;
    }
  });

test('planMounts: mount points and the working dir are made without touching the host', () => {
  const cases: { name: string; mounts: Mount[]; wd?: string; want: string[] }[] = [
    { name: 'no mounts, existing working dir', mounts: [], want: [] },
    { name: 'new top-level path: made in the rootfs', mounts: [mount('/vol/a', '/data')], want: ['mkdir /data', 'bind /vol/a /data'] },
    { name: 'existing directory: bound over', mounts: [mount('/vol/a', '/tmp')], want: ['bind /vol/a /tmp'] },
    {
      name: 'under an existing host directory: overlay it first',
      mounts: [mount('/vol/a', '/usr/share/nginx/html')],
      want: ['overlay /usr/share', 'mkdir /usr/share/nginx/html', 'bind /vol/a /usr/share/nginx/html'],
    },
    {
      name: 'overlays come before every bind, outermost first, inner ones dropped',
      mounts: [mount('/vol/a', '/etc/ssl/certs/extra'), mount('/vol/b', '/etc/app')],
      want: ['overlay /etc', 'mkdir /etc/app', 'bind /vol/b /etc/app', 'mkdir /etc/ssl/certs/extra', 'bind /vol/a /etc/ssl/certs/extra'],
    },
    {
      name: 'a mount point inside a volume is made in the volume, as upstream does',
      mounts: [mount('/vol/b', '/data', true), mount('/vol/a', '/data/sub'), mount('/vol/a', '/data/existing')],
      want: ['mkdir /data', 'bind /vol/b /data', 'bind /vol/a /data/existing', 'mkdir /data/sub', 'bind /vol/a /data/sub', 'ro /data'],
    },
    { name: 'a file volume gets a file mount point', mounts: [mount('/vol/file.txt', '/config/app.txt', true)], want: ['touch /config/app.txt', 'bind /vol/file.txt /config/app.txt', 'ro /config/app.txt'] },
    { name: 'a new working dir', mounts: [], wd: '/app/src', want: ['mkdir /app/src'] },
    { name: 'a working dir under a host directory', mounts: [], wd: '/usr/src/app', want: ['overlay /usr', 'mkdir /usr/src/app'] },
  ];
  for (const c of cases) assert.deepEqual(show(planMounts(c.mounts, c.wd ?? '/', probe)), c.want, c.name);
});

test('setupScript: binds the host root into the rootfs, sets the hostname, marks ready, execs in a chroot', () => {
  const script = setupScript({
    dir: "/state/containers/it's",
    hostname: 'web-0',
    mounts: [mount('/vol/a', '/usr/share/nginx/html', true)],
    workingDir: '/',
    rootEntries: [
      { name: 'usr', kind: 'dir' },
      { name: 'bin', kind: 'symlink', target: 'usr/bin' },
      { name: '.dockerenv', kind: 'file' },
      { name: 'socket', kind: 'other' },
    ],
    probe,
    tools: { mount: '/usr/bin/mount', hostname: '/usr/bin/hostname', chroot: '/usr/sbin/chroot' },
  });
  const rootfs = "/state/containers/it's/rootfs";
  for (const line of [
    `'/usr/bin/hostname' 'web-0'`,
    `mkdir ${q(`${rootfs}/usr`)} && '/usr/bin/mount' --rbind '/usr' ${q(`${rootfs}/usr`)}`,
    `ln -s 'usr/bin' ${q(`${rootfs}/bin`)}`,
    `: > ${q(`${rootfs}/.dockerenv`)} && '/usr/bin/mount' --bind '/.dockerenv'`,
    `-t overlay unyo-overlay -o 'lowerdir=/usr/share,upperdir=/state/containers/it'\\''s/scratch/0/upper,workdir=/state/containers/it'\\''s/scratch/0/work' ${q(`${rootfs}/usr/share`)}`,
    `'/usr/bin/mount' --bind '/vol/a' ${q(`${rootfs}/usr/share/nginx/html`)}`,
    `'/usr/bin/mount' -o remount,bind,ro ${q(`${rootfs}/usr/share/nginx/html`)}`,
    `: > ${q("/state/containers/it's/ready")}`,
  ]) {
    assert.ok(script.includes(line), `script has: ${line}\n${script}`);
  }
  assert.ok(!script.includes('socket'));
  assert.match(script.trimEnd().split('\n').at(-1)!, /^exec '\/usr\/sbin\/chroot' \. \/bin\/sh -c .* '\/' "\$@"$/);
});
