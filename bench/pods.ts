// `npm run bench -- pods`: pod startup and idle memory of a real `unyo up --nodes 3
// --profile fast`, with the raw spawn of the same processes measured in the same run.
//
//   cluster.idle_rss_mb      VmRSS summed over every process of the idle cluster (the pids in
//                            cluster.json and all their descendants), after ~5 s idle
//   pods.startup_p50_ms/p99  100 Pods (unyo/web:1, readinessProbe /readyz every 1 s) created
//                            at once over HTTPS; each create's acknowledgement to its Ready
//                            condition seen on one watch opened before the creates
//                            vs spawn.p99_ms: 100 `node dist/src/images/web.js` spawned at
//                            once, each from spawn to its first 200 on /readyz (polled)
//
// Order: cluster up, idle, memory; then the raw spawns (children killed before going on);
// then the Pods, deleted at the end. Progress goes to stderr, figures to stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Processes } from './lib/processes.js';
import { commandLine, rssKiB, startCluster, type NodeCluster } from './lib/cluster.js';
import { note, percentile, printFigure } from './lib/figures.js';

const bench = 'pods';
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const webImage = join(repoRoot, 'dist', 'src', 'images', 'web.js');

const nodes = 3;
const podCount = 100;
const idleSeconds = 5;
const namespace = 'default';
/** Outside the agents' Pod addresses (127.64.0.0 to 127.127.255.255). */
const rawAddress = (n: number) => `127.199.${n >> 8}.${(n & 255) + 1}`;
const rawPollMs = 10;
const readyTimeoutMs = 180_000;
const deleteTimeoutMs = 120_000;

class UsageError extends Error {}

function parseOptions(argv: string[]): void {
  if (argv.length > 0) throw new UsageError(`unknown argument "${argv[0]}" (this benchmark takes no flags)`);
}

function spread(samples: number[]): string {
  return `min ${percentile(samples, 0).toFixed(0)}, p50 ${percentile(samples, 50).toFixed(0)}, p90 ${percentile(samples, 90).toFixed(0)}, p99 ${percentile(samples, 99).toFixed(0)}, max ${percentile(samples, 100).toFixed(0)} ms`;
}

// ---------------------------------------------------------------------------------------
// Idle memory

async function idleMemory(cluster: NodeCluster): Promise<void> {
  note(bench, `idle for ${idleSeconds} s before measuring memory`);
  await sleep(idleSeconds * 1000);
  const byComponent = new Map(cluster.components().map((c) => [c.pid, c.name]));
  const pids = cluster.pids();
  let totalKiB = 0;
  const parts: string[] = [];
  for (const pid of pids) {
    const kib = rssKiB(pid);
    totalKiB += kib;
    const name = byComponent.get(pid) ?? commandLine(pid).slice(0, 60);
    parts.push(`${name} (${pid}) ${(kib / 1024).toFixed(0)} MiB`);
  }
  note(bench, `idle cluster: ${pids.length} processes: ${parts.join('; ')}`);
  // MB as in the SPEC: 10^6 bytes.
  printFigure('cluster.idle_rss_mb', (totalKiB * 1024) / 1e6, 'MB');
}

// ---------------------------------------------------------------------------------------
// Raw spawn baseline

function readyz(host: string): Promise<number> {
  return new Promise((ok) => {
    const req = http.get({ host, port: 8080, path: '/readyz', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
      res.on('error', () => ok(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => ok(0));
  });
}

async function stopChildren(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
          c.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

async function rawSpawn(): Promise<number> {
  const children: ChildProcess[] = [];
  const killAll = () => children.forEach((c) => c.kill('SIGKILL'));
  process.on('exit', killAll);
  try {
    const started: number[] = [];
    const early: string[] = [];
    for (let n = 0; n < podCount; n++) {
      started.push(performance.now());
      const child = spawn(process.execPath, [webImage], {
        stdio: 'ignore',
        env: { ...process.env, UNYO_POD_IP: rawAddress(n), UNYO_PORTS: '8080', UNYO_IMAGE: 'unyo/web:1' },
      });
      child.once('error', (err) => early.push(`${rawAddress(n)}: ${err.message}`));
      child.once('exit', (code, signal) => early.push(`${rawAddress(n)}: ${signal ?? `code ${code}`}`));
      children.push(child);
    }
    const deadline = performance.now() + readyTimeoutMs;
    const times = await Promise.all(
      children.map(async (_c, n) => {
        while (performance.now() < deadline) {
          if ((await readyz(rawAddress(n))) === 200) return performance.now() - started[n];
          if (early.length) throw new Error(`raw web process exited before it was ready: ${early.join(', ')}`);
          await sleep(rawPollMs);
        }
        throw new Error(`raw web process on ${rawAddress(n)} not ready after ${readyTimeoutMs / 1000} s`);
      }),
    );
    note(bench, `raw spawn of ${podCount} web processes (polled every ${rawPollMs} ms): ${spread(times)}`);
    return percentile(times, 99);
  } finally {
    await stopChildren(children);
    process.off('exit', killAll);
  }
}

// ---------------------------------------------------------------------------------------
// Pod startup

interface PodEvent {
  type: string;
  object: {
    metadata?: { name?: string; resourceVersion?: string };
    spec?: { nodeName?: string };
    status?: { conditions?: { type: string; status: string }[] };
    message?: string;
  };
}

function podManifest(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench-pods' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'unyo/web:1',
          ports: [{ containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 1 },
        },
      ],
    },
  });
}

interface Wait {
  /** Checks again; call whenever what `check` looks at changed. */
  poke(): void;
  done: Promise<void>;
  fail(err: Error): void;
  cancel(): void;
}

/** Resolves when `check()` is true (checked on every poke), or rejects after `ms`. */
function waitFor(check: () => boolean, ms: number, what: () => string): Wait {
  let timer: NodeJS.Timeout | undefined;
  let settle!: (err?: Error) => void;
  const done = new Promise<void>((ok, fail) => {
    settle = (err) => {
      clearTimeout(timer);
      if (err) fail(err);
      else ok();
    };
  });
  // Not awaited when an earlier step fails: never an unhandled rejection.
  done.catch(() => undefined);
  timer = setTimeout(() => settle(new Error(what())), ms);
  const poke = () => {
    if (check()) settle();
  };
  poke();
  return { poke, done, fail: (err) => settle(err), cancel: () => clearTimeout(timer) };
}

async function podStartup(cluster: NodeCluster, spawnP99: number): Promise<void> {
  const { client } = cluster;
  const agent = client.agent(podCount);
  const streams = client.agent(2);
  const names = Array.from({ length: podCount }, (_, n) => `bench-pod-${n}`);
  const ours = new Set(names);
  const ackedAt = new Map<string, number>();
  const readyAt = new Map<string, number>();
  const deleted = new Set<string>();
  const nodeOf = new Map<string, string>();
  let watchError: string | undefined;
  const ready = waitFor(() => readyAt.size === podCount, readyTimeoutMs, () => `${podCount - readyAt.size} of ${podCount} Pods not Ready after ${readyTimeoutMs / 1000} s (e.g. ${names.filter((n) => !readyAt.has(n)).slice(0, 5).join(', ')})`);
  let gone: Wait | undefined;
  let created = false;
  const podsPath = `/api/v1/namespaces/${namespace}/pods`;
  let watch: { close(): void } | undefined;
  try {
    const head = await client.expect(agent, 200, 'GET', `${podsPath}?limit=1`);
    const rv = (JSON.parse(head.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    watch = await client.watch(streams, `${podsPath}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=false`, (line, arrivedAt) => {
      let ev: PodEvent;
      try {
        ev = JSON.parse(line) as PodEvent;
      } catch {
        watchError = `unparsable watch line: ${line.slice(0, 200)}`;
        return;
      }
      if (ev.type === 'ERROR') {
        watchError = `watch ERROR: ${ev.object.message ?? line.slice(0, 200)}`;
        return;
      }
      const name = ev.object.metadata?.name;
      if (!name || !ours.has(name)) return;
      if (ev.object.spec?.nodeName) nodeOf.set(name, ev.object.spec.nodeName);
      if (ev.type === 'DELETED') {
        deleted.add(name);
        gone?.poke();
        // Not by us: something (node lifecycle eviction?) removed a Pod that never got Ready.
        if (!gone && !readyAt.has(name)) ready.fail(new Error(`Pod ${name} was deleted by the cluster before it was Ready`));
        return;
      }
      if (!readyAt.has(name) && ev.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
        readyAt.set(name, arrivedAt);
        ready.poke();
      }
    });
    note(bench, `creating ${podCount} Pods at once`);
    const t0 = performance.now();
    await Promise.all(
      names.map(async (name) => {
        const res = await client.expect(agent, 201, 'POST', podsPath, podManifest(name));
        ackedAt.set(name, res.endAt);
      }),
    );
    created = true;
    note(bench, `all ${podCount} creates acknowledged in ${(performance.now() - t0).toFixed(0)} ms`);
    ready.poke();
    await ready.done.catch(async (err: Error) => {
      // What the API says about the stragglers, to tell a slow Pod from a missed watch event.
      const states = await Promise.all(
        names
          .filter((n) => !readyAt.has(n))
          .slice(0, 5)
          .map(async (n) => {
            const res = await client.request(agent, 'GET', `${podsPath}/${n}`).catch((e: Error) => ({ status: 0, body: Buffer.from(e.message) }));
            if (res.status !== 200) return `${n}: HTTP ${res.status}`;
            const pod = JSON.parse(res.body.toString('utf8')) as PodEvent['object'] & { status?: { phase?: string; containerStatuses?: unknown[] } };
            return `${n}: rv ${pod.metadata?.resourceVersion} on ${pod.spec?.nodeName ?? 'no node'}, phase ${pod.status?.phase}, conditions ${JSON.stringify(pod.status?.conditions)}, containers ${JSON.stringify(pod.status?.containerStatuses)}`;
          }),
      );
      note(bench, `not Ready: ${states.join('\n  ')}`);
      // Why: the events about our Pods and the Nodes' conditions.
      const events = await client.request(agent, 'GET', `/api/v1/namespaces/${namespace}/events`).catch(() => undefined);
      if (events?.status === 200) {
        const items = (JSON.parse(events.body.toString('utf8')) as { items: { involvedObject?: { name?: string }; reason?: string; message?: string; type?: string }[] }).items;
        const reasons = new Map<string, number>();
        for (const e of items) if (e.type === 'Warning' || ['TaintManagerEviction', 'Killing', 'Evicted'].includes(e.reason ?? '')) reasons.set(`${e.reason}: ${e.message}`, (reasons.get(`${e.reason}: ${e.message}`) ?? 0) + 1);
        note(bench, `events (warnings and evictions): ${[...reasons].slice(0, 10).map(([r, c]) => `${c}× ${r}`).join('\n  ') || 'none'}`);
      }
      const nodeList = await client.request(agent, 'GET', '/api/v1/nodes').catch(() => undefined);
      if (nodeList?.status === 200) {
        const items = (JSON.parse(nodeList.body.toString('utf8')) as { items: { metadata: { name: string }; spec?: { taints?: unknown[] }; status?: { conditions?: { type: string; status: string }[] } }[] }).items;
        note(bench, `nodes: ${items.map((n) => `${n.metadata.name} Ready=${n.status?.conditions?.find((c) => c.type === 'Ready')?.status} taints ${JSON.stringify(n.spec?.taints ?? [])}`).join('; ')}`);
      }
      throw new Error(watchError ? `${err.message}; ${watchError}` : err.message);
    });
    note(bench, `all ${podCount} Pods Ready ${(performance.now() - t0).toFixed(0)} ms after the first create was sent`);
    const startup: number[] = [];
    let early = 0;
    for (const name of names) {
      const d = readyAt.get(name)! - ackedAt.get(name)!;
      if (d < 0) early++;
      startup.push(Math.max(0, d));
    }
    if (early) note(bench, `${early} Pods were seen Ready before their create was acknowledged (counted as 0 ms)`);
    const perNode = new Map<string, number>();
    for (const n of nodeOf.values()) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    note(bench, `pod startup, acknowledgement to Ready: ${spread(startup)}; placement: ${[...perNode].sort().map(([n, c]) => `${n} ${c}`).join(', ')}`);
    const baseline = { figure: 'spawn.p99_ms', value: spawnP99 };
    printFigure('pods.startup_p50_ms', percentile(startup, 50), 'ms', baseline);
    printFigure('pods.startup_p99_ms', percentile(startup, 99), 'ms', baseline);
  } finally {
    // Delete what was created (all names, if the creates failed part way) and wait for them to go.
    if (watch) {
      gone = waitFor(() => names.every((n) => deleted.has(n) || (!created && !ackedAt.has(n))), deleteTimeoutMs, () => `${podCount - deleted.size} Pods still not deleted after ${deleteTimeoutMs / 1000} s`);
      const t0 = performance.now();
      await Promise.all(names.map((name) => client.request(agent, 'DELETE', `${podsPath}/${name}`).catch(() => undefined)));
      gone.poke();
      await gone.done.then(
        () => note(bench, `Pods deleted in ${(performance.now() - t0).toFixed(0)} ms`),
        (err: Error) => note(bench, err.message),
      );
      watch.close();
    }
    ready.cancel();
    agent.destroy();
    streams.destroy();
  }
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  parseOptions(process.argv.slice(2));
  const processes = new Processes();
  let cluster: NodeCluster | undefined;
  try {
    note(bench, `starting unyo up --nodes ${nodes} --profile fast`);
    const t0 = performance.now();
    cluster = await startCluster(processes, { nodes, profile: 'fast' });
    note(bench, `cluster ready in ${((performance.now() - t0) / 1000).toFixed(1)} s at ${cluster.server.href} (data dir ${cluster.dataDir})`);
    await idleMemory(cluster);
    const spawnP99 = await rawSpawn();
    await podStartup(cluster, spawnP99);
  } finally {
    if (cluster) {
      note(bench, 'stopping unyo up');
      const t1 = performance.now();
      await cluster.stop();
      note(bench, `unyo up stopped in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    }
    await processes.stopAll();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    note(bench, err instanceof Error ? err.message : String(err));
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
