// The behaviour every Runtime must have, as one test suite: a runtime's own test file calls
// runtimeContract() with a factory. Containers run the test images below (node one-liners the
// runtime's image resolver maps) or `sh` commands, so the suite needs a host with node and sh.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname as hostHostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { parseCriLine, type CriLogEntry } from './crilog.js';
import { RuntimeError, type ContainerConfig, type ContainerStatus, type Runtime } from './runtime.js';

const sleeper = `
process.on('SIGTERM', () => { console.log('terminating'); process.exit(0); });
console.log('ready');
setInterval(() => {}, 1000);`;
const stubborn = `
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
console.log('ready');
setInterval(() => {}, 1000);`;

/** The test images: test/sleeper exits 0 on SIGTERM, test/stubborn ignores it. A command replaces the image's own. */
export function contractImages(image: string, command: string[] | undefined, args: string[] | undefined) {
  const scripts: Record<string, string> = { 'test/sleeper': sleeper, 'test/stubborn': stubborn };
  if (!(image in scripts)) return undefined;
  const argv = command?.length ? [...command, ...(args ?? [])] : [process.execPath, '-e', scripts[image], ...(args ?? [])];
  return { argv, env: { UNYO_TEST_IMAGE: image, FROM_IMAGE: 'image' } };
}

export interface ContractTarget {
  name: string;
  /** A runtime on rootDir; a second one on the same rootDir is the runtime after an agent restart. */
  create(rootDir: string): Runtime;
  /** Containers get their own mount, UTS and pid namespaces (mounts at containerPath, hostname, pid 1). */
  namespaces: boolean;
}

export function runtimeContract(target: ContractTarget): void {
  describe(`runtime contract: ${target.name}`, { concurrency: 4 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'unyo-runtime-contract-'));
    const runtimes: Runtime[] = [];
    const newRuntime = (rootDir = join(work, 'node')) => {
      const rt = target.create(rootDir);
      runtimes.push(rt);
      return rt;
    };
    const rt = newRuntime();
    let serial = 0;
    const config = (overrides: Partial<ContainerConfig>): ContainerConfig => {
      const name = `c${serial++}`;
      return {
        podUid: 'pod-uid',
        podName: 'contract-pod',
        podNamespace: 'contract-ns',
        containerName: name,
        attempt: 0,
        image: 'test/sleeper',
        env: {},
        mounts: [],
        podIP: '127.0.0.42',
        ports: [8080, 9090],
        hostname: 'contract-pod',
        logPath: join(work, 'logs', name, '0.log'),
        ...overrides,
      };
    };
    const sh = (script: string, overrides: Partial<ContainerConfig> = {}) =>
      config({ image: 'docker.io/library/busybox:1.36', command: ['sh', '-c', script], ...overrides });
    const volume = (files: Record<string, string> = {}) => {
      const dir = mkdtempSync(join(work, 'vol-'));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      return dir;
    };

    after(async () => {
      for (const r of runtimes) for (const c of r.listContainers()) await r.removeContainer(c.id).catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
    });

    test('pullImage accepts built-in images and any image with a command, and rejects the rest with ErrImagePull', async () => {
      await rt.pullImage('test/sleeper');
      await rt.pullImage('docker.io/library/busybox:1.36', ['sh']);
      await assert.rejects(rt.pullImage('docker.io/library/nginx:1.27'), (err: unknown) => {
        assert.ok(err instanceof RuntimeError);
        assert.equal(err.reason, 'ErrImagePull');
        assert.equal(err.message, 'image "docker.io/library/nginx:1.27" is not a built-in unyo image and the container has no command: the process runtime cannot run it');
        return true;
      });
      await assert.rejects(rt.startContainer(config({ image: 'docker.io/library/nginx:1.27' })), { reason: 'ErrImagePull' });
    });

    test('a started container runs; stopped, it exits 0 (Completed) and leaves no process behind', async () => {
      const c = config({});
      const id = await rt.startContainer(c);
      const running = rt.containerStatus(id)!;
      assert.equal(running.state, 'running');
      assert.ok(running.pid && running.startedAt);
      await waitFor(() => logText(c.logPath).includes('ready'));
      await rt.stopContainer(id, 10);
      const st = rt.containerStatus(id)!;
      assert.equal(st.state, 'exited');
      assert.equal(st.exitCode, 0);
      assert.equal(st.reason, 'Completed');
      assert.ok(st.finishedAt! >= st.startedAt!);
      assert.ok(!processExists(running.pid), 'the container process is gone');
      assert.ok(rt.listContainers().some((s) => s.id === id));
    });

    test('exit codes: 0 is Completed, others are Error; onExit fires once per exit', async () => {
      const seen: ContainerStatus[] = [];
      rt.onExit((s) => seen.push(s));
      const failing = await rt.startContainer(sh('exit 3'));
      const succeeding = await rt.startContainer(sh('exit 0'));
      const a = await exitedStatus(rt, failing);
      const b = await exitedStatus(rt, succeeding);
      assert.deepEqual([a.exitCode, a.reason], [3, 'Error']);
      assert.deepEqual([b.exitCode, b.reason], [0, 'Completed']);
      await waitFor(() => seen.some((s) => s.id === failing) && seen.some((s) => s.id === succeeding));
      await sleep(1200);
      assert.equal(seen.filter((s) => s.id === failing).length, 1);
      assert.equal(seen.filter((s) => s.id === succeeding).length, 1);
      assert.equal(seen.find((s) => s.id === failing)!.exitCode, 3);
    });

    test('a container that ignores SIGTERM is killed after the grace period: 137, Error', async () => {
      const c = config({ image: 'test/stubborn' });
      const id = await rt.startContainer(c);
      await waitFor(() => logText(c.logPath).includes('ready'));
      const begun = Date.now();
      await rt.stopContainer(id, 1);
      assert.ok(Date.now() - begun >= 900, 'waited for the grace period');
      const st = rt.containerStatus(id)!;
      assert.deepEqual([st.state, st.exitCode, st.reason], ['exited', 137, 'Error']);
    });

    test('logs are CRI records: stdout and stderr, complete (F) and partial (P) lines', async () => {
      const c = sh('echo out; echo err >&2; printf part; sleep 0.3; echo ial; printf "no newline at the end"');
      await exitedStatus(rt, await rt.startContainer(c));
      const lines = readFileSync(c.logPath, 'utf8').split('\n').filter(Boolean);
      for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}(Z|[+-]\d\d:\d\d) (stdout|stderr) [FP] /);
      const entries = lines.map((l) => parseCriLine(l)!);
      const pick = (e: CriLogEntry) => `${e.stream} ${e.partial ? 'P' : 'F'} ${e.text}`;
      assert.deepEqual(entries.filter((e) => e.stream === 'stderr').map(pick), ['stderr F err']);
      assert.deepEqual(entries.filter((e) => e.stream === 'stdout').map(pick), ['stdout F out', 'stdout P part', 'stdout F ial', 'stdout P no newline at the end']);
    });

    test('env: the image env, then the runtime contract env, then the container env; the working dir', async () => {
      const vol = volume();
      const c = config({
        command: ['sh', '-c', 'echo "$FROM_IMAGE|$FOO|$UNYO_POD_IP|$UNYO_PORTS|$UNYO_IMAGE|$HOSTNAME|$POD_NAME|$POD_NAMESPACE|$UNYO_MOUNTS"; pwd'],
        env: { FOO: 'bar', FROM_IMAGE: 'container' },
        workingDir: vol,
        mounts: [{ hostPath: vol, containerPath: '/unyo-contract/data', readOnly: false }],
      });
      await exitedStatus(rt, await rt.startContainer(c));
      assert.deepEqual(logLines(c.logPath), [
        'container|bar|127.0.0.42|8080,9090|test/sleeper|contract-pod|contract-pod|contract-ns|/unyo-contract/data',
        vol,
      ]);
    });

    test('a missing executable is RunContainerError, found before anything runs', async () => {
      const before = rt.listContainers().length;
      await assert.rejects(rt.startContainer(config({ command: ['unyo-no-such-binary'] })), (err: unknown) => {
        assert.ok(err instanceof RuntimeError);
        assert.equal(err.reason, 'RunContainerError');
        assert.equal(err.message, 'exec: "unyo-no-such-binary": executable file not found in $PATH');
        return true;
      });
      await assert.rejects(rt.startContainer(config({ command: ['/no/such/binary'] })), {
        reason: 'RunContainerError',
        message: 'exec: "/no/such/binary": stat /no/such/binary: no such file or directory',
      });
      assert.equal(rt.listContainers().length, before);
    });

    test('exec runs a command in the container with its env, wiring stdin, stdout and stderr', async () => {
      const c = config({ env: { FOO: 'exec-env' } });
      const id = await rt.startContainer(c);
      await waitFor(() => logText(c.logPath).includes('ready'));
      const out = collect();
      const err = collect();
      const code = await rt.exec(id, {
        command: ['sh', '-c', 'echo "out $FOO"; echo err >&2; cat; exit 4'],
        stdin: Readable.from(['from stdin\n']),
        stdout: out.stream,
        stderr: err.stream,
      });
      assert.equal(code, 4);
      assert.equal(out.text(), 'out exec-env\nfrom stdin\n');
      assert.equal(err.text(), 'err\n');
      await assert.rejects(rt.exec(id, { command: ['unyo-no-such-binary'] }), { reason: 'RunContainerError' });
      await rt.stopContainer(id, 10);
    });

    // exec and attach sessions run on a runtime of their own: other tests count rt's containers.
    const streamRt = newRuntime(join(work, 'streams-node'));

    test('exec: aborting the signal kills the command and what it started', async () => {
      const c = config({});
      const id = await streamRt.startContainer(c);
      await waitFor(() => logText(c.logPath).includes('ready'));
      const out = collect();
      const abort = new AbortController();
      const running = streamRt.exec(id, { command: ['sh', '-c', 'echo started; sleep 30 & wait'], stdout: out.stream, signal: abort.signal });
      await waitFor(() => out.text().includes('started'));
      const t0 = Date.now();
      abort.abort();
      const code = await running;
      assert.equal(code, 137);
      assert.ok(Date.now() - t0 < 5000, 'the command was killed, not waited for');
      await streamRt.stopContainer(id, 10);
    });

    test('exec with tty: the command runs on a terminal sized as the client asked (where a pty library is installed)', async () => {
      const c = config({});
      const id = await streamRt.startContainer(c);
      await waitFor(() => logText(c.logPath).includes('ready'));
      const out = collect();
      const sizes = Object.assign(new PassThrough(), { last: { width: 123, height: 45 } });
      const code = await streamRt.exec(id, { command: ['sh', '-c', 'if [ -t 0 ]; then stty size; else echo no-terminal; fi; exit 3'], stdout: out.stream, tty: true, resize: sizes });
      assert.equal(code, 3);
      assert.match(out.text(), /^(45 123\r\n|no-terminal\n)$/);
      await streamRt.stopContainer(id, 10);
    });

    test('attach: the main process gets stdin written through the FIFO and its output streams from now on', async () => {
      const c = sh('echo before-attach; while read line; do echo "out $line"; echo "err $line" >&2; done', { stdin: true });
      const id = await streamRt.startContainer(c);
      await waitFor(() => logText(c.logPath).includes('before-attach'));
      const stdin = new PassThrough();
      const out = collect();
      const err = collect();
      const abort = new AbortController();
      const attached = streamRt.attach(id, { stdin, stdout: out.stream, stderr: err.stream, signal: abort.signal });
      stdin.write('one\n');
      await waitFor(() => out.text().includes('out one') && err.text().includes('err one'));
      stdin.end();
      abort.abort();
      await attached;
      assert.equal(out.text(), 'out one\n', 'output from before the attach is not replayed');
      assert.equal(err.text(), 'err one\n');
      // Detaching closed nothing the container reads: a second attach writes again.
      const again = collect();
      const stdin2 = new PassThrough();
      const second = streamRt.attach(id, { stdin: stdin2, stdout: again.stream });
      stdin2.write('two\n');
      await waitFor(() => again.text().includes('out two'));
      await streamRt.stopContainer(id, 0);
      await second; // ends with the container
    });

    test('stats: cumulative CPU and resident memory of a running container', async () => {
      const c = config({});
      const id = await rt.startContainer(c);
      await waitFor(() => logText(c.logPath).includes('ready'));
      const s = rt.stats(id)!;
      assert.ok(s.cpuNanos > 0, `cpu ${s.cpuNanos}`);
      assert.ok(s.memoryBytes > 5 * 1024 * 1024, `memory ${s.memoryBytes}`);
      assert.ok(!Number.isNaN(Date.parse(s.timestamp)));
      assert.ok(rt.stats(id)!.cpuNanos >= s.cpuNanos);
      await rt.stopContainer(id, 10);
      assert.equal(rt.stats(id), undefined);
    });

    test('after a restart, a new runtime on the same rootDir re-adopts running containers and reports exited ones', async () => {
      const rootDir = join(work, 'restarted-node');
      const first = newRuntime(rootDir);
      const c = config({});
      const running = await first.startContainer(c);
      const done = await first.startContainer(sh('exit 5'));
      await exitedStatus(first, done);
      const pid = first.containerStatus(running)!.pid;

      const second = newRuntime(rootDir);
      assert.deepEqual(
        second.listContainers().map((s) => [s.id, s.state, s.exitCode]).sort(),
        [[running, 'running', undefined], [done, 'exited', 5]].sort(),
      );
      assert.equal(second.containerStatus(running)!.pid, pid);
      const out = collect();
      assert.equal(await second.exec(running, { command: ['sh', '-c', 'echo adopted'], stdout: out.stream }), 0);
      assert.equal(out.text(), 'adopted\n');
      const seen: ContainerStatus[] = [];
      second.onExit((s) => seen.push(s));
      await waitFor(() => logText(c.logPath).includes('ready'));
      await second.stopContainer(running, 10);
      assert.deepEqual([second.containerStatus(running)!.exitCode, second.containerStatus(running)!.reason], [0, 'Completed']);
      await waitFor(() => seen.length > 0);
      assert.deepEqual(seen.map((s) => s.id), [running]);
      assert.ok(!processExists(pid));
    });

    test('removeContainer forgets an exited container and keeps its log', async () => {
      const c = sh('echo bye');
      const id = await rt.startContainer(c);
      await exitedStatus(rt, id);
      await rt.removeContainer(id);
      assert.equal(rt.containerStatus(id), undefined);
      assert.ok(!rt.listContainers().some((s) => s.id === id));
      assert.deepEqual(logLines(c.logPath), ['bye']);
    });

    if (target.namespaces) {
      test('mounts: each volume at its containerPath, read-only ones read-only, the host untouched', async () => {
        const data = volume({ 'hello.txt': 'hello from the volume\n' });
        const conf = volume({ 'app.conf': 'setting=1\n' });
        const fileVol = volume({ 'single.txt': 'a single file\n' });
        const top = `/unyo-contract-${process.pid}-${serial}`;
        const underEtc = `/etc/unyo-contract-${process.pid}-${serial}/conf`;
        const c = sh(
          [
            `cat ${top}/data/hello.txt ${underEtc}/app.conf ${top}/single.txt /mnt/hello.txt`,
            `echo written > ${top}/data/new.txt && echo rw-ok`,
            `touch ${underEtc}/x 2>/dev/null || echo ro-refused`,
          ].join('; '),
          {
            mounts: [
              { hostPath: data, containerPath: `${top}/data`, readOnly: false },
              { hostPath: conf, containerPath: underEtc, readOnly: true },
              { hostPath: join(fileVol, 'single.txt'), containerPath: `${top}/single.txt`, readOnly: true },
              { hostPath: data, containerPath: '/mnt', readOnly: true },
            ],
          },
        );
        const st = await exitedStatus(rt, await rt.startContainer(c));
        assert.deepEqual(logLines(c.logPath), ['hello from the volume', 'setting=1', 'a single file', 'hello from the volume', 'rw-ok', 'ro-refused']);
        assert.equal(st.exitCode, 0);
        assert.equal(readFileSync(join(data, 'new.txt'), 'utf8'), 'written\n');
        assert.ok(!existsSync(top), `${top} is not created on the host`);
        assert.ok(!existsSync(underEtc.split('/').slice(0, 3).join('/')), 'nothing created under the host /etc');
        assert.ok(!existsSync('/mnt/hello.txt'), 'the host /mnt is not covered');
      });

      test('hostname: the Pod name inside, the host keeps its own', async () => {
        const c = sh('hostname; echo "$HOSTNAME"', { hostname: 'contract-hostname' });
        await exitedStatus(rt, await rt.startContainer(c));
        assert.deepEqual(logLines(c.logPath), ['contract-hostname', 'contract-hostname']);
        assert.notEqual(hostHostname(), 'contract-hostname');
      });

      test('own pid namespace: the container is pid 1 and sees only its own processes', async () => {
        const c = sh('echo "pid $$"; sleep 0.1 & ls /proc | grep -c "^[0-9]"');
        await exitedStatus(rt, await rt.startContainer(c));
        const [pid, count] = logLines(c.logPath);
        assert.equal(pid, 'pid 1');
        assert.ok(Number(count) < 10, `${count} processes visible`);
      });

      test('exec enters the namespaces: same hostname, mounts and pid 1', async () => {
        const vol = volume({ 'f.txt': 'seen by exec\n' });
        const c = config({ hostname: 'exec-host', mounts: [{ hostPath: vol, containerPath: '/unyo-exec-vol', readOnly: true }], workingDir: '/unyo-exec-vol' });
        const id = await rt.startContainer(c);
        await waitFor(() => logText(c.logPath).includes('ready'));
        const out = collect();
        const code = await rt.exec(id, { command: ['sh', '-c', 'hostname; cat f.txt; tr "\\0" " " < /proc/1/cmdline | cut -c1-40; echo'], stdout: out.stream });
        assert.equal(code, 0);
        const [host, file, init] = out.text().split('\n');
        assert.deepEqual([host, file], ['exec-host', 'seen by exec']);
        assert.match(init, /node/);
        await rt.stopContainer(id, 10);
      });

      test('a working directory that does not exist is made inside the container only', async () => {
        const wd = `/unyo-contract-wd-${process.pid}/app`;
        const c = sh('pwd; touch here', { workingDir: wd });
        const st = await exitedStatus(rt, await rt.startContainer(c));
        assert.equal(st.exitCode, 0);
        assert.deepEqual(logLines(c.logPath), [wd]);
        assert.ok(!existsSync(`/unyo-contract-wd-${process.pid}`));
      });
    } else {
      test('mounts without namespaces: UNYO_MOUNT_<path> names the host path, a symlink where the parent is writable', async () => {
        const data = volume({ 'hello.txt': 'hello\n' });
        const linkParent = mkdtempSync(join(work, 'links-'));
        const containerPath = join(linkParent, 'data');
        const envName = `UNYO_MOUNT_${containerPath.replace(/[^A-Za-z0-9_]/g, '_')}`;
        const c = sh(`echo "$${envName}"; cat ${containerPath}/hello.txt`, { mounts: [{ hostPath: data, containerPath, readOnly: true }] });
        const id = await rt.startContainer(c);
        assert.equal(readlinkSync(containerPath), data);
        await exitedStatus(rt, id);
        assert.deepEqual(logLines(c.logPath), [data, 'hello']);
        await rt.removeContainer(id);
        assert.ok(!existsSync(containerPath), 'the symlink goes with the container');
      });
    }
  });
}

async function exitedStatus(rt: Runtime, id: string, timeoutMs = 20_000): Promise<ContainerStatus> {
  await waitFor(() => rt.containerStatus(id)?.state === 'exited', timeoutMs);
  return rt.containerStatus(id)!;
}

export async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${condition}`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The log's text, P records joined to the next, one string per line. */
export function logLines(path: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const e = parseCriLine(line);
    if (!e) continue;
    if (e.partial) pending += e.text;
    else {
      out.push(pending + e.text);
      pending = '';
    }
  }
  if (pending) out.push(pending);
  return out;
}

function logText(path: string): string {
  return existsSync(path) ? logLines(path).join('\n') : '';
}

/** A live process (a zombie counts as gone: it has exited, only its parent has not looked yet). */
export function processExists(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) Z/s.test(stat);
  } catch {
    return false;
  }
}

function collect() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (b: Buffer) => chunks.push(b));
  return { stream, text: () => Buffer.concat(chunks).toString() };
}
