import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { namespacesAvailable, ProcessRuntime } from './process.js';
import { allPids, readStat } from './procfs.js';
import { files, readRecord, type ShimRecord } from './record.js';
import { RuntimeError, type ContainerConfig } from './runtime.js';
import { contractImages, logLines, processExists, runtimeContract, waitFor } from './runtime.contract.js';

const modes = namespacesAvailable() ? [true, false] : [false];

for (const useNamespaces of modes) {
  runtimeContract({
    name: `process runtime, ${useNamespaces ? 'with namespaces' : 'without namespaces'}`,
    namespaces: useNamespaces,
    create: (rootDir) => new ProcessRuntime({ rootDir, resolveImage: contractImages, useNamespaces }),
  });
}

for (const useNamespaces of modes) {
  describe(`process runtime specifics, ${useNamespaces ? 'with namespaces' : 'without namespaces'}`, { concurrency: 3 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'unyo-process-runtime-'));
    const rootDir = join(work, 'node');
    const rt = new ProcessRuntime({ rootDir, resolveImage: contractImages, useNamespaces, logMaxBytes: 4096, logMaxFiles: 2 });
    let serial = 0;
    const config = (script: string, overrides: Partial<ContainerConfig> = {}): ContainerConfig => {
      const name = `p${serial++}`;
      return {
        podUid: 'uid',
        podName: 'pod',
        podNamespace: 'default',
        containerName: name,
        attempt: 0,
        image: 'docker.io/library/busybox:1.36',
        command: ['sh', '-c', script],
        env: {},
        mounts: [],
        podIP: '127.0.0.43',
        ports: [],
        hostname: 'pod',
        logPath: join(work, 'logs', name, '0.log'),
        ...overrides,
      };
    };
    const shimOf = (id: string) => readRecord<ShimRecord>(join(rootDir, 'containers', id), files.shim)!;
    const groupMembers = (pgid: number) => allPids().filter((pid) => readStat(pid)?.pgrp === pgid && processExists(pid));

    after(async () => {
      for (const c of rt.listContainers()) await rt.removeContainer(c.id).catch(() => undefined);
      rt.close();
      rmSync(work, { recursive: true, force: true });
    });

    test('the shim runs in a session of its own, so the container outlives the agent', async () => {
      const id = await rt.startContainer(config('sleep 30'));
      const shim = shimOf(id);
      const sid = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[3]);
      assert.equal(sid(shim.pid), shim.pid);
      assert.notEqual(sid(shim.pid), sid(process.pid));
      await rt.stopContainer(id, 0);
    });

    test('stop leaves no orphans: background processes, the shim and the process group are gone', async () => {
      const id = await rt.startContainer(config('sleep 1000 & sleep 1000 & echo started; wait'));
      const pid = rt.containerStatus(id)!.pid!;
      await waitFor(() => groupMembers(pid).length >= 3);
      await rt.stopContainer(id, 1);
      await waitFor(() => !processExists(shimOf(id).pid), 5000);
      assert.deepEqual(groupMembers(pid), []);
    });

    test('a container that exits takes its background processes with it', async () => {
      const id = await rt.startContainer(config('sleep 1000 & echo "$!"; exit 0'));
      await waitFor(() => rt.containerStatus(id)?.state === 'exited');
      const pid = rt.containerStatus(id)!;
      assert.equal(pid.exitCode, 0);
      await waitFor(() => !processExists(shimOf(id).pid), 5000);
      const statePid = readRecord<{ pid: number }>(join(rootDir, 'containers', id), files.state)!.pid;
      assert.deepEqual(groupMembers(statePid), []);
    });

    test('the log rotates by size into <path>.1', async () => {
      const c = config('i=0; while [ $i -lt 200 ]; do echo "line $i of the log rotation test"; i=$((i+1)); done');
      const id = await rt.startContainer(c);
      await waitFor(() => rt.containerStatus(id)?.state === 'exited');
      assert.ok(statSync(c.logPath).size <= 4096);
      assert.ok(statSync(`${c.logPath}.1`).size <= 4096);
      assert.ok(!existsSync(`${c.logPath}.2`));
      const lines = [...logLines(`${c.logPath}.1`), ...logLines(c.logPath)];
      assert.equal(lines.at(-1), 'line 199 of the log rotation test');
      const first = Number(lines[0].split(' ')[1]);
      assert.deepEqual(lines, Array.from({ length: 200 - first }, (_, i) => `line ${first + i} of the log rotation test`));
    });

    test('stdin: true keeps stdin open: a FIFO that attach can write to', async () => {
      const c = config('while read line; do echo "got $line"; done; echo eof', { stdin: true });
      const id = await rt.startContainer(c);
      const fifo = join(rootDir, 'containers', id, files.stdin);
      const fd = openSync(fifo, 'w');
      writeSync(fd, 'hello\n');
      closeSync(fd);
      await waitFor(() => existsSync(c.logPath) && logLines(c.logPath).includes('got hello'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(rt.containerStatus(id)!.state, 'running', 'the writer going away is not end-of-file');
      await rt.stopContainer(id, 0);
    });

    if (useNamespaces) {
      test('a mount that cannot be made is RunContainerError with the mount error, and leaves nothing behind', async () => {
        const file = join(work, 'not-a-dir.txt');
        execFileSync('sh', ['-c', `echo x > ${file}`]);
        const before = rt.listContainers().length;
        await assert.rejects(rt.startContainer(config('true', { mounts: [{ hostPath: file, containerPath: '/etc', readOnly: false }] })), (err: unknown) => {
          assert.ok(err instanceof RuntimeError);
          assert.equal(err.reason, 'RunContainerError');
          assert.match(err.message, /^error mounting ".*not-a-dir.txt" to rootfs at "\/etc"/);
          return true;
        });
        assert.equal(rt.listContainers().length, before);
      });
    }
  });
}
