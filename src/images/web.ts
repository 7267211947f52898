// unyo/web: the lab's demo HTTP app. `/` answers with the image tag (first line) and the
// Pod's hostname, so a rolling update is visible request by request; `/work?ms=N` burns CPU
// for autoscaling; the `broken` tag never becomes ready.
import http from 'node:http';
import { hostname as osHostname } from 'node:os';
import { parseImage } from './catalog.js';
import { Settings, fail, listenAddress, serveGracefully } from './common.js';
import { Counter, Histogram, processMetrics, prometheusContentType } from './metrics.js';

/** Longest CPU burn one request may ask for. */
const maxWorkMs = 60_000;

/** Burns CPU for `ms` in slices, yielding between them so probes and other requests still get answers. */
async function burn(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const slice = Math.min(end, performance.now() + 10);
    while (performance.now() < slice);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function main(): void {
  const settings = new Settings(['PORT']);
  if (settings.positional.length > 0) throw new Error(`unexpected arguments: ${settings.positional.join(' ')}`);
  const address = listenAddress(settings, 8080)!;
  const tag = process.env.UNYO_IMAGE_TAG || parseImage(process.env.UNYO_IMAGE || 'unyo/web').tag;
  const broken = tag === 'broken';
  const host = process.env.HOSTNAME || osHostname();

  const requests = new Counter('http_requests_total', 'HTTP requests answered, by handler and status code.');
  const duration = new Histogram('http_request_duration_seconds', 'Time to answer an HTTP request.');
  const handlers = new Set(['/', '/healthz', '/readyz', '/metrics', '/work']);
  let inFlight = 0;
  const inFlightMetric = () =>
    `# HELP http_requests_in_flight HTTP requests being answered.\n# TYPE http_requests_in_flight gauge\nhttp_requests_in_flight ${inFlight}\n`;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://web');
    const handler = handlers.has(url.pathname) ? url.pathname : 'other';
    inFlight++;
    res.on('close', () => inFlight--);
    res.on('finish', () => {
      requests.inc({ handler, code: String(res.statusCode) });
      duration.observe((performance.now() - started) / 1000);
    });
    const reply = (code: number, body: string, contentType = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': contentType, 'X-Unyo-Tag': tag });
      res.end(body);
    };
    switch (handler) {
      case '/':
        return broken ? reply(500, `${tag}\nweb ${tag} from ${host}: broken\n`) : reply(200, `${tag}\nweb ${tag} from ${host}\n`);
      case '/healthz':
        return reply(200, 'ok\n');
      case '/readyz':
        return broken || server.stopping ? reply(503, broken ? 'broken\n' : 'stopping\n') : reply(200, 'ok\n');
      case '/metrics':
        return reply(200, requests.render() + inFlightMetric() + duration.render() + processMetrics(), prometheusContentType);
      case '/work': {
        const ms = Number(url.searchParams.get('ms') ?? '100');
        if (!Number.isFinite(ms) || ms < 0 || ms > maxWorkMs) return reply(400, `ms must be a number of milliseconds from 0 to ${maxWorkMs}\n`);
        await burn(ms);
        return reply(200, `worked ${ms} ms on ${host}\n`);
      }
      default:
        return reply(404, 'not found\n');
    }
  };
  const server = serveGracefully('web', handle, address);
}

try {
  main();
} catch (err) {
  fail('web', err);
}
