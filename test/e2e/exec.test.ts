// kubectl exec, exec -it, attach and port-forward against `unyo up --nodes 1`, with every
// kubectl binary on the machine: the API server upgrades the connection and relays it to the
// node agent, which runs the command in the container (or joins the Pod's port). One cluster
// serves every case; waits are for conditions, never fixed times.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startCluster, removeCluster, kubectl, kubectlSpawn, kubectlBinaries, waitFor, type Cluster } from './harness.js';

let cluster: Cluster;
const binaries = kubectlBinaries();
// Pods of every cluster on this machine share the loopback addresses by node index: an
// uncommon port keeps other test clusters' web Pods (on 8080) from taking this one's.
const webPort = 18473;
const first = binaries[0]?.path ?? 'kubectl';

before(async () => {
  cluster = await startCluster({ extraArgs: ['--nodes', '1', '--profile', 'fast'] });
  const pods = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'unyo/web:1', ports: [{ containerPort: webPort }] }] } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'echoer' },
      spec: { containers: [{ name: 'c', image: 'unyo/busybox:1', stdin: true, command: ['sh', '-c', 'while read line; do echo "got $line"; echo "err $line" >&2; done'] }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'initializing' },
      spec: {
        initContainers: [{ name: 'wait', image: 'unyo/busybox:1', command: ['sleep', '600'] }],
        containers: [{ name: 'main', image: 'unyo/busybox:1', command: ['sleep', '600'] }],
      },
    },
  ];
  const applied = await kubectl(first, cluster, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }));
  assert.equal(applied.code, 0, applied.stderr);
  const ready = await kubectl(first, cluster, ['wait', '--for=condition=Ready', 'pod/web', 'pod/echoer', '--timeout=60s']);
  assert.equal(ready.code, 0, ready.stderr);
});

after(async () => {
  const dataDir = cluster.dataDir;
  await removeCluster(cluster);
  const left = spawnSync('sh', ['-c', `ps -eo pid,args | grep -F ${JSON.stringify(dataDir)} | grep -v grep || true`], { encoding: 'utf8' }).stdout.trim();
  assert.equal(left, '', `processes left behind:\n${left}`);
});

for (const { name, path: bin } of binaries) {
  describe(name, () => {
    const k = (args: string[], input?: string, env?: Record<string, string>) => kubectl(bin, cluster, args, input, env);

    test('exec: stdout, and kubectl exits 0', async () => {
      const r = await k(['exec', 'web', '--', 'echo', 'hi']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hi\n');
    });

    test('exec: stderr, and the command\'s exit code becomes kubectl\'s', async () => {
      const r = await k(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /^err\n/);
      assert.match(r.stderr, /command terminated with exit code 3/);
    });

    test('exec -i: stdin is piped to the command until its end', async () => {
      const input = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n';
      const r = await k(['exec', '-i', 'web', '--', 'cat'], input);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, input);
    });

    test('exec runs with the container\'s environment', async () => {
      const r = await k(['exec', 'web', '--', 'sh', '-c', 'echo "$HOSTNAME $POD_NAME $UNYO_POD_IP"']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^web web 127\.\d+\.\d+\.\d+\n$/);
    });

    test('exec errors: a container not in the Pod, a container not running, a command not found', async () => {
      const wrong = await k(['exec', 'web', '-c', 'nope', '--', 'true']);
      assert.equal(wrong.code, 1);
      assert.equal(wrong.stderr.trim(), 'Error from server (BadRequest): container nope is not valid for pod web');
      const notRunning = await k(['exec', 'initializing', '-c', 'main', '--', 'true']);
      assert.equal(notRunning.code, 1);
      assert.equal(notRunning.stderr.trim(), 'error: unable to upgrade connection: container not found ("main")');
      const missing = await k(['exec', 'web', '--', 'no-such-command']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /error executing command in container: exec: "no-such-command": executable file not found in \$PATH/);
    });

    test('port-forward: HTTP through a local port reaches the Pod\'s containerPort', async () => {
      const pf = kubectlSpawn(bin, cluster, ['port-forward', 'pod/web', `:${webPort}`]);
      try {
        const port = await waitFor('the local port', () => new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${webPort}`).exec(pf.stdout())?.[1], 20_000);
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          assert.equal(res.status, 200);
          assert.match(await res.text(), /^1\b/);
        }
        const body = 'x'.repeat(200_000);
        const posted = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body });
        assert.equal(posted.status, 200);
        await posted.text();
      } finally {
        pf.kill();
        await pf.exited;
      }
    });

    test('attach -i: stdin reaches the main process, its stdout and stderr come back', async () => {
      const tag = name.replace(/\W+/g, '-');
      const at = kubectlSpawn(bin, cluster, ['attach', '-i', 'echoer'], `hello-${tag}\n`);
      try {
        await waitFor('the echo', () => at.stdout().includes(`got hello-${tag}`) && at.stderr().includes(`err hello-${tag}`), 20_000);
      } finally {
        at.kill();
        await at.exited;
      }
      assert.doesNotMatch(at.stdout(), /got hello-(?!.*\n)/, 'lines are whole');
    });

    test('exec -it: a shell on a terminal, its size, and its exit code', async (t) => {
      const pty = await loadPty();
      if (!pty) return t.skip('no pty library installed (@lydell/node-pty is optional)');
      const term = pty.spawn(bin, ['--kubeconfig', cluster.kubeconfig, 'exec', '-it', 'web', '--', 'sh'], { cols: 123, rows: 45, env: process.env as Record<string, string> });
      let screen = '';
      term.onData((d) => (screen += d));
      const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
      await waitFor('the prompt', () => screen.includes('# '), 20_000);
      term.write('stty size; echo typed-$((6*7))\r');
      await waitFor('the answer', () => screen.includes('typed-42'), 20_000);
      term.write('exit 9\r');
      assert.equal(await exited, 9);
      assert.match(screen, /45 123/);
      assert.match(screen, /command terminated with exit code 9/);
    });
  });
}

// The server side is the same for every kubectl: the SPDY fallback is tried with one of them.
describe('SPDY/3.1, as kubectl speaks it with WebSocket streaming turned off', () => {
  const bin = first;
  const k = (args: string[], input?: string, env?: Record<string, string>) => kubectl(bin, cluster, args, input, env);

  test('exec -i', async () => {
    const r = await k(['exec', '-i', 'web', '--', 'sh', '-c', 'cat; echo err >&2; exit 4'], 'via spdy\n', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' });
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stdout, 'via spdy\n');
    assert.match(r.stderr, /^err\n/);
  });

  test('port-forward', async () => {
    const pf = kubectlSpawn(bin, cluster, ['port-forward', 'pod/web', `:${webPort}`], undefined, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    try {
      const port = await waitFor('the local port', () => new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${webPort}`).exec(pf.stdout())?.[1], 20_000);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(res.status, 200);
    } finally {
      pf.kill();
      await pf.exited;
    }
  });
});

interface Pty {
  spawn(file: string, args: string[], opts: { cols: number; rows: number; env: Record<string, string> }): {
    onData(cb: (d: string) => void): void;
    onExit(cb: (e: { exitCode: number }) => void): void;
    write(d: string): void;
  };
}

async function loadPty(): Promise<Pty | undefined> {
  const name = '@lydell/node-pty';
  try {
    const m = (await import(name)) as { default?: Pty } & Pty;
    return m.default ?? m;
  } catch {
    return undefined;
  }
}
