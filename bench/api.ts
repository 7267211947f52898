// `npm run bench -- api`: API server figures against a real `unyo up` over TLS, with raw
// etcd measured in the same run as the baseline for write throughput.
//
//   api.creates_per_s        1 KiB ConfigMaps, 64 clients   vs etcd.puts_per_s (1 KiB, 64 clients)
//   api.mutating_p50_ms/p99  creates paced at 500/s, open loop
//   api.list_10k_ms          GET /api/v1/configmaps over 10,000 objects, parsed; median of runs
//   api.watch_fanout_p99_ms  1,000 watchers, 20 events, send-to-delivery p99 over all deliveries
//
// Throughput alternates etcd and unyo in rounds so drift in the machine's load hits both;
// etcd's latency under the same pacing is noted on stderr as what this machine allows.
// List and watch run on a second, fresh cluster so the list holds exactly the objects it made.
// Flags: --duration <s> (throughput per side and latency run; default 10), --only <phases>.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent } from 'node:https';
import { Processes, cpuSeconds } from './lib/processes.js';
import { requireEtcd, startEtcd, type EtcdMember } from './lib/etcd.js';
import { configMap, startUnyo, type KubeClient, type UnyoCluster } from './lib/unyo.js';
import { openLoop, type ClosedLoopResult } from './lib/load.js';
import { WriterPool } from './lib/writers.js';
import { median, note, percentile, printFigure } from './lib/figures.js';

const bench = 'api';
const clients = 64;
/** Threads generating the write load for both sides; see lib/writers.ts for why more than one. */
const loadThreads = Math.min(4, Math.max(2, availableParallelism()));
const valueBytes = 1024;
const rounds = 4;
const warmupMinRounds = 12;
const warmupMaxRounds = 20;
const warmupTolerance = 0.1;
const mutatingRate = 500;
const latencyWarmupSeconds = 3;
const listObjects = 10_000;
const listRuns = 5;
const watchers = 1000;
const watchEvents = 20;

class UsageError extends Error {}

const phases = ['creates', 'latency', 'list', 'watch'] as const;
type Phase = (typeof phases)[number];

interface Options {
  duration: number;
  only: Set<Phase>;
  /** Where unyo keeps its state: sqlite (default) or a single etcd member of its own. */
  store: 'sqlite' | 'etcd';
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { duration: 10, only: new Set(phases), store: 'sqlite' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--duration': {
        const text = value();
        opts.duration = Number(text);
        if (!Number.isFinite(opts.duration) || opts.duration <= 0) throw new UsageError(`--duration must be a positive number of seconds, got "${text}"`);
        break;
      }
      case '--store': {
        const store = value();
        if (store !== 'sqlite' && store !== 'etcd') throw new UsageError(`--store must be sqlite (the default) or etcd, got "${store}"`);
        opts.store = store;
        break;
      }
      case '--only': {
        const names = value().split(',');
        const unknown = names.filter((n) => !phases.includes(n as Phase));
        if (unknown.length) throw new UsageError(`--only takes a comma-separated list of ${phases.join(', ')}; got "${unknown.join(',')}"`);
        opts.only = new Set(names as Phase[]);
        break;
      }
      default:
        throw new UsageError(`unknown flag "${argv[i]}" (flags: --duration <seconds>, --only ${phases.join(',')}, --store sqlite|etcd)`);
    }
  }
  return opts;
}

/** The same 1 KiB value for every write on both sides. */
const value = randomBytes((valueBytes * 3) / 4).toString('base64');

const configMapsPath = (namespace: string) => `/api/v1/namespaces/${namespace}/configmaps`;

interface Measured extends ClosedLoopResult {
  serverCpu: number;
  clientCpu: number;
}

/** A round of writes with the CPU the server process and this process (all threads) spent during it. */
async function measure(serverPid: number, pool: WriterPool, seconds: number, tag: string): Promise<Measured> {
  const server0 = cpuSeconds(serverPid);
  const client0 = process.cpuUsage();
  const r = await pool.run(seconds, tag);
  const client = process.cpuUsage(client0);
  return { ...r, serverCpu: cpuSeconds(serverPid) - server0, clientCpu: (client.user + client.system) / 1e6 };
}

function total(runs: Measured[]): Measured {
  const sum = (f: (m: Measured) => number) => runs.reduce((a, m) => a + f(m), 0);
  return {
    ok: sum((m) => m.ok),
    failed: sum((m) => m.failed),
    seconds: sum((m) => m.seconds),
    serverCpu: sum((m) => m.serverCpu),
    clientCpu: sum((m) => m.clientCpu),
    firstError: runs.find((m) => m.firstError)?.firstError,
  };
}

function describe(side: string, m: Measured): string {
  const rate = m.ok / m.seconds;
  return (
    `${side}: ${m.ok} writes in ${m.seconds.toFixed(1)} s = ${rate.toFixed(0)}/s` +
    ` (server CPU ${((m.serverCpu / m.seconds) * 100).toFixed(0)}% of a core, ${((m.serverCpu / m.ok) * 1e6).toFixed(0)} µs/write;` +
    ` client CPU ${((m.clientCpu / m.seconds) * 100).toFixed(0)}% over ${loadThreads} threads, ${((m.clientCpu / m.ok) * 1e6).toFixed(0)} µs/write)` +
    (m.failed ? `; ${m.failed} FAILED, first: ${m.firstError}` : '')
  );
}

/**
 * Writes in one-second rounds until the rate stops climbing: at least `warmupMinRounds`, and
 * the best of the last three rounds no more than `warmupTolerance` above the best before
 * them. On a slow machine the JIT takes many seconds to settle the hot paths of the writer
 * threads (and of unyo), with plateaus on the way: the gRPC client behind etcd went 207, 327,
 * 348, 308, 428, 569, 887, 878, 1178, 1224, 1078, 1072/s over its first twelve seconds.
 */
async function warmUp(side: string, pool: WriterPool): Promise<void> {
  const rates: number[] = [];
  const settled = () => rates.length >= warmupMinRounds && Math.max(...rates.slice(-3)) <= (1 + warmupTolerance) * Math.max(...rates.slice(0, -3));
  while (!settled() && rates.length < warmupMaxRounds) {
    const r = await pool.run(1, `warmup${rates.length}`);
    if (r.ok === 0) throw new Error(`${side}: no successful writes while warming up: ${r.firstError}`);
    rates.push(r.ok / r.seconds);
  }
  note(bench, `creates, ${side} warm-up: ${rates.map((r) => r.toFixed(0)).join(', ')}/s${settled() ? '' : ' (still climbing; measuring anyway)'}`);
}

async function creates(etcd: EtcdMember, unyo: UnyoCluster, seconds: number): Promise<void> {
  // 64 clients on each side, each with its own connection (a gRPC channel to etcd, a
  // keep-alive TLS socket to unyo), spread over the same number of load threads.
  const { client } = unyo;
  const etcdPool = await WriterPool.start({ kind: 'etcd', endpoint: etcd.endpoint, keyPrefix: '/registry/configmaps/default/' }, loadThreads, clients, value);
  const unyoPool = await WriterPool.start({ kind: 'unyo', server: client.server.href, ca: client.ca, token: client.token, namespace: 'default' }, loadThreads, clients, value).catch(async (err: unknown) => {
    await etcdPool.close();
    throw err;
  });
  try {
    await warmUp('etcd', etcdPool);
    await warmUp('unyo', unyoPool);
    const etcdRuns: Measured[] = [];
    const unyoRuns: Measured[] = [];
    for (let round = 0; round < rounds; round++) {
      etcdRuns.push(await measure(etcd.process.pid, etcdPool, seconds / rounds, `r${round}`));
      unyoRuns.push(await measure(unyo.process.pid, unyoPool, seconds / rounds, `r${round}`));
    }
    const e = total(etcdRuns);
    const u = total(unyoRuns);
    note(bench, `creates, ${describe('etcd', e)}`);
    note(bench, `creates, ${describe('unyo', u)}`);
    if (e.ok === 0 || u.ok === 0) throw new Error(`no successful writes (${e.ok === 0 ? `etcd: ${e.firstError}` : `unyo: ${u.firstError}`})`);
    printFigure('api.creates_per_s', u.ok / u.seconds, '1/s', { figure: 'etcd.puts_per_s', value: e.ok / e.seconds });
  } finally {
    await Promise.all([etcdPool.close(), unyoPool.close()]);
  }
}

/**
 * Open-loop writes at `mutatingRate` from this thread after a warm-up (the server is warm
 * from the creates by then; this thread's client is not); returns the latencies and notes
 * them with where the time went.
 */
async function pacedWrites(side: string, serverPid: number, seconds: number, write: (name: string) => Promise<void>): Promise<number[]> {
  // A server far below the rate would otherwise queue thousands of requests and take minutes
  // to drain; five seconds of backlog is already far past any latency target.
  const limits = { maxInFlight: mutatingRate * 5, drainSeconds: 10 };
  await openLoop(mutatingRate, latencyWarmupSeconds, (seq) => write(`latency-warmup-${seq}`), limits);
  const server0 = cpuSeconds(serverPid);
  const client0 = process.cpuUsage();
  // How long this thread kept answers waiting: the part of the latency that is the client's.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const r = await openLoop(mutatingRate, seconds, (seq) => write(`latency-${seq}`), limits);
  loopDelay.disable();
  const client = process.cpuUsage(client0);
  const l = r.latenciesMs;
  note(
    bench,
    `${side} at ${mutatingRate}/s: ${l.length} writes, p50 ${percentile(l, 50).toFixed(1)} ms, p90 ${percentile(l, 90).toFixed(1)} ms, p99 ${percentile(l, 99).toFixed(1)} ms, max ${percentile(l, 100).toFixed(1)} ms` +
      ` (server CPU ${(((cpuSeconds(serverPid) - server0) / seconds) * 100).toFixed(0)}%, client CPU ${(((client.user + client.system) / 1e6 / seconds) * 100).toFixed(0)}% of a core,` +
      ` client event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms)` +
      (r.failed ? `; ${r.failed} FAILED, first: ${r.firstError}` : '') +
      (r.unsent ? `; RATE NOT SUSTAINED: ${r.unsent} writes not sent once ${limits.maxInFlight} were waiting` : '') +
      (r.unanswered ? `; ${r.unanswered} unanswered after ${limits.drainSeconds} s (counted at that age)` : ''),
  );
  if (l.length === 0) throw new Error(`${side}: no successful writes at ${mutatingRate}/s: ${r.firstError}`);
  return l;
}

async function mutatingLatency(unyo: UnyoCluster, seconds: number): Promise<void> {
  const agent = unyo.client.agent(clients);
  try {
    const l = await pacedWrites('unyo creates', unyo.process.pid, seconds, async (name) => {
      await unyo.client.expect(agent, 201, 'POST', configMapsPath('default'), configMap(name, value));
    });
    printFigure('api.mutating_p50_ms', percentile(l, 50), 'ms');
    printFigure('api.mutating_p99_ms', percentile(l, 99), 'ms');
  } finally {
    agent.destroy();
  }
}

/**
 * Not a figure (the target is absolute), but what this machine's disk and CPUs allow: raw
 * etcd puts under the same pacing, to read the unyo latency against.
 */
async function etcdLatencyReference(etcd: EtcdMember, seconds: number): Promise<void> {
  const client = etcd.client();
  try {
    await pacedWrites('for reference, raw etcd puts', etcd.process.pid, seconds, async (name) => {
      await client.put(`/registry/configmaps/default/${name}`).value(value);
    });
  } finally {
    client.close();
  }
}

/** Creates `count` ConfigMaps named `<tag>-<n>` with `clients` writers in parallel. */
async function createMany(client: KubeClient, agent: Agent, namespace: string, tag: string, count: number): Promise<void> {
  let next = 0;
  const writer = async () => {
    for (let n = next++; n < count; n = next++) await client.expect(agent, 201, 'POST', configMapsPath(namespace), configMap(`${tag}-${n}`, value));
  };
  await Promise.all(Array.from({ length: clients }, writer));
}

async function list10k(unyo: UnyoCluster): Promise<void> {
  const agent = unyo.client.agent(clients);
  try {
    const t0 = performance.now();
    await createMany(unyo.client, agent, 'default', 'list', listObjects);
    note(bench, `list: created ${listObjects} ConfigMaps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const times: number[] = [];
    const split = { headers: [] as number[], body: [] as number[], parse: [] as number[] };
    let bytes = 0;
    // One unmeasured run first: the first LIST pays for warming caches on both sides.
    for (let run = 0; run <= listRuns; run++) {
      const start = performance.now();
      const res = await unyo.client.expect(agent, 200, 'GET', '/api/v1/configmaps');
      const list = JSON.parse(res.body.toString('utf8')) as { items: unknown[] };
      const end = performance.now();
      if (list.items.length < listObjects) throw new Error(`LIST /api/v1/configmaps returned ${list.items.length} items, expected at least ${listObjects}`);
      bytes = res.body.length;
      if (run === 0) continue;
      times.push(end - start);
      split.headers.push(res.headersAt - start);
      split.body.push(res.endAt - res.headersAt);
      split.parse.push(end - res.endAt);
    }
    note(
      bench,
      `list: ${(bytes / 1e6).toFixed(1)} MB per LIST, runs ${times.map((t) => t.toFixed(0)).join(', ')} ms;` +
        ` medians: ${median(split.headers).toFixed(0)} ms to the headers, ${median(split.body).toFixed(0)} ms receiving the body, ${median(split.parse).toFixed(0)} ms JSON.parse here`,
    );
    printFigure('api.list_10k_ms', median(times), 'ms');
  } finally {
    agent.destroy();
  }
}

interface PendingEvent {
  sentAt: number;
  ackedAt: number;
  /** Arrival time at each watcher, by watcher index; a duplicate delivery does not count twice. */
  deliveries: Map<number, number>;
  whenAll: () => void;
}

/** Resolves true if `promise` settles within `ms`, false otherwise, leaving no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function watchFanout(unyo: UnyoCluster): Promise<void> {
  const writes = unyo.client.agent(clients);
  const streams = unyo.client.agent(watchers + 10);
  const events = new Map<string, PendingEvent>();
  const open: { close(): void }[] = [];
  try {
    const namespace = 'default';
    const head = await unyo.client.expect(writes, 200, 'GET', `${configMapsPath(namespace)}?limit=1`);
    const rv = (JSON.parse(head.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    // A thousand streams share this one thread: recognising the event must cost next to
    // nothing, or the last watchers' figures would measure this process parsing the first ones.
    // Only this benchmark's objects are named fanout-<n>, so the name alone identifies the event.
    const onLine = (watcher: number) => (line: string, arrivedAt: number) => {
      const name = /"name":"(fanout-\d+)"/.exec(line)?.[1];
      const pending = name === undefined ? undefined : events.get(name);
      if (!pending || pending.deliveries.has(watcher)) return;
      pending.deliveries.set(watcher, arrivedAt);
      if (pending.deliveries.size === watchers) pending.whenAll();
    };
    const t0 = performance.now();
    const path = `${configMapsPath(namespace)}?watch=true&resourceVersion=${rv}`;
    // Connect in batches: a thousand simultaneous TLS handshakes measure the handshake, not the watch.
    for (let i = 0; i < watchers; i += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, watchers - i) }, (_, j) => unyo.client.watch(streams, path, onLine(i + j))));
      open.push(...batch);
    }
    note(bench, `watch: ${open.length} watchers connected in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const fromSend: number[] = [];
    const fromAck: number[] = [];
    const spread: number[] = [];
    for (let i = 0; i < watchEvents; i++) {
      const name = `fanout-${i}`;
      let whenAll!: () => void;
      const all = new Promise<void>((r) => (whenAll = r));
      const pending: PendingEvent = { sentAt: performance.now(), ackedAt: 0, deliveries: new Map(), whenAll };
      events.set(name, pending);
      await unyo.client.expect(writes, 201, 'POST', configMapsPath(namespace), configMap(name, value));
      pending.ackedAt = performance.now();
      if (!(await within(all, 10_000))) throw new Error(`event ${name} reached ${pending.deliveries.size} of ${watchers} watchers within 10 s`);
      const arrivals = [...pending.deliveries.values()];
      for (const at of arrivals) {
        fromSend.push(at - pending.sentAt);
        fromAck.push(at - pending.ackedAt);
      }
      spread.push(Math.max(...arrivals) - Math.min(...arrivals));
      await sleep(50);
    }
    note(bench, `watch: ${fromSend.length} deliveries; from send p50 ${percentile(fromSend, 50).toFixed(1)} ms, p99 ${percentile(fromSend, 99).toFixed(1)} ms, max ${percentile(fromSend, 100).toFixed(1)} ms; from ack p99 ${percentile(fromAck, 99).toFixed(1)} ms; first to last watcher of an event p50 ${median(spread).toFixed(1)} ms`);
    printFigure('api.watch_fanout_p99_ms', percentile(fromSend, 99), 'ms');
  } finally {
    for (const s of open) s.close();
    streams.destroy();
    writes.destroy();
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.only.has('creates') || opts.only.has('latency')) requireEtcd();
  const processes = new Processes();
  const run = async (phase: Phase, body: () => Promise<void>) => {
    if (!opts.only.has(phase)) return;
    await body().catch(async (err: unknown) => {
      // A failed request is often the first sign that a child died: let its exit be reported
      // before stopping everything makes every exit look expected.
      await sleep(200);
      throw new Error(`${phase}: ${(err as Error).message}`, { cause: err });
    });
  };
  try {
    // With --store etcd unyo gets an etcd member of its own, apart from the baseline's.
    const startCluster = async () => {
      if (opts.store === 'sqlite') return startUnyo(processes);
      const store = await startEtcd(processes);
      const cluster = await startUnyo(processes, ['--store', 'etcd', '--etcd-endpoints', store.endpoint]);
      return { ...cluster, stop: async () => (await cluster.stop(), await store.stop()) };
    };
    note(bench, `unyo's store: ${opts.store}`);
    if (opts.only.has('creates') || opts.only.has('latency')) {
      const etcd = await startEtcd(processes);
      const unyo = await startCluster();
      await run('creates', () => creates(etcd, unyo, opts.duration));
      await run('latency', async () => {
        await mutatingLatency(unyo, opts.duration);
        await etcdLatencyReference(etcd, opts.duration / 2);
      });
      await etcd.stop();
      await unyo.stop();
    }
    if (opts.only.has('list') || opts.only.has('watch')) {
      const fresh = await startCluster();
      await run('list', () => list10k(fresh));
      await run('watch', () => watchFanout(fresh));
      await fresh.stop();
    }
  } finally {
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
