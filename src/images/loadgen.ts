// unyo/loadgen: sends GET requests to URL (env or first arg) at RATE per second with at
// most CONCURRENCY in flight, printing one summary line per second
// (`ok=N failed=M p50=..ms p99=..ms`), and the running totals on /metrics when it has a
// port. Stops after DURATION seconds when set. A request is failed on a network error, a
// timeout (TIMEOUT_MS) or a status >= 400; one due while CONCURRENCY are in flight is skipped.
import http from 'node:http';
import { Settings, fail, listenAddress, log } from './common.js';
import { Counter, Histogram, processMetrics, prometheusContentType } from './metrics.js';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)}ms`;

function main(): void {
  const settings = new Settings(['URL', 'RATE', 'CONCURRENCY', 'DURATION', 'TIMEOUT_MS', 'PORT']);
  const target = settings.positional[0] ?? settings.string('URL');
  if (target === undefined) throw new Error('no target: set URL or pass it as the first argument');
  if (settings.positional.length > 1) throw new Error(`unexpected arguments: ${settings.positional.slice(1).join(' ')}`);
  const url = new URL(target);
  if (url.protocol !== 'http:') throw new Error(`URL must be http://, got ${JSON.stringify(target)}`);
  const rate = settings.number('RATE', 10);
  const concurrency = Math.max(1, Math.floor(settings.number('CONCURRENCY', 4)));
  const durationS = settings.number('DURATION', 0);
  const timeoutMs = settings.number('TIMEOUT_MS', 5000);
  const address = listenAddress(settings, undefined);

  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const requests = new Counter('loadgen_requests_total', 'Requests sent, by result (ok, failed, skipped).');
  const latency = new Histogram('loadgen_request_duration_seconds', 'Latency of answered requests.');
  let window = { ok: 0, failed: 0, skipped: 0, latencies: [] as number[], lastError: '' };
  let inFlight = 0;

  const finish = (result: 'ok' | 'failed', started: number, error?: string) => {
    inFlight--;
    const elapsed = performance.now() - started;
    requests.inc({ result });
    window[result]++;
    if (error) window.lastError = error;
    else {
      latency.observe(elapsed / 1000);
      window.latencies.push(elapsed);
    }
  };

  /** One GET; a keep-alive socket the server closed just as it was reused is retried once, as browsers do. */
  const send = (started = performance.now(), retry = true) => {
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode! < 400 ? finish('ok', started) : finish('failed', started, `status ${res.statusCode}`)));
      res.on('error', (err) => finish('failed', started, err.message));
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (retry && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) send(started, false);
      else finish('failed', started, err.code ?? err.message);
    });
  };

  // Requests are due at a steady RATE from the start, RATE × DURATION in all when DURATION
  // is set; each tick sends those that came due.
  const startedAt = performance.now();
  const limit = durationS > 0 ? Math.floor(rate * durationS) : Infinity;
  let due = 0;
  const tick = () => {
    const target = Math.min(limit, Math.floor(((performance.now() - startedAt) / 1000) * rate));
    for (; due < target; due++) {
      if (inFlight >= concurrency) {
        requests.inc({ result: 'skipped' });
        window.skipped++;
        continue;
      }
      inFlight++;
      send();
    }
  };
  const ticker = setInterval(tick, rate > 0 ? Math.max(1, Math.min(50, 1000 / rate)) : 1000);

  const summary = (w: typeof window) => {
    const sorted = w.latencies.sort((a, b) => a - b);
    let text = `ok=${w.ok} failed=${w.failed} p50=${ms(percentile(sorted, 50))} p99=${ms(percentile(sorted, 99))}`;
    if (w.skipped > 0) text += ` skipped=${w.skipped}`;
    if (w.failed > 0) text += ` last_error=${JSON.stringify(w.lastError)}`;
    return text;
  };
  const reporter = setInterval(() => {
    process.stdout.write(summary(window) + '\n');
    window = { ok: 0, failed: 0, skipped: 0, latencies: [], lastError: '' };
  }, 1000);

  let server: http.Server | undefined;
  if (address) {
    server = http.createServer((req, res) => {
      if (req.url === '/healthz' || req.url === '/readyz') return void res.writeHead(200).end('ok\n');
      if (req.url !== '/metrics') return void res.writeHead(404).end('not found\n');
      res.writeHead(200, { 'Content-Type': prometheusContentType });
      res.end(requests.render() + latency.render() + processMetrics());
    });
    server.on('error', (err) => fail('loadgen', err));
    server.listen(address.port, address.host, () => {
      const bound = server!.address();
      log('loadgen', `listening on http://${address.host}:${typeof bound === 'object' && bound ? bound.port : address.port}`);
    });
  }
  log('loadgen', `sending ${rate}/s to ${url.href} with concurrency ${concurrency}${durationS > 0 ? ` for ${durationS}s` : ''}`);

  let stopping = false;
  /** Stops sending, waits (up to the request timeout) for answers in flight, prints the totals, exits 0. */
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    const deadline = performance.now() + Math.min(timeoutMs, 900);
    const wait = setInterval(() => {
      if (inFlight > 0 && performance.now() < deadline) return;
      clearInterval(wait);
      clearInterval(reporter);
      if (window.ok + window.failed + window.skipped > 0) process.stdout.write(summary(window) + '\n');
      const total = (result: string) => requests.get({ result });
      log('loadgen', `${why}: total ok=${total('ok')} failed=${total('failed')} skipped=${total('skipped')}`);
      server?.close();
      agent.destroy();
      process.exit(0);
    }, 10);
  };
  if (durationS > 0) setTimeout(() => stop(`ran ${durationS}s`), durationS * 1000);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

try {
  main();
} catch (err) {
  fail('loadgen', err);
}
