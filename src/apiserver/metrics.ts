// The API server's Prometheus metrics, served on /metrics under upstream's names so existing
// dashboards and alerts read them: requests by verb/resource/code and their latency, requests
// in flight, watchers, the store's round trips (etcd_request_duration_seconds, recorded by
// src/store/metrics.ts into the same registry) and the leader-election Leases of kube-system.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestInfo } from './requestinfo.js';
import type { Store } from '../store/store.js';
import { storageKey } from '../api/resources.js';

/** Verbs that stream for as long as the client wants: counted, but not timed. */
const longRunning = new Set(['watch', 'connect']);

/** The verb label as upstream reports it: the HTTP method, with LIST, WATCH and APPLY told apart. */
function reportedVerb(info: RequestInfo, req: IncomingMessage): string {
  switch (info.verb) {
    case 'list':
    case 'watch':
    case 'connect':
      return info.verb.toUpperCase();
    case 'patch':
      return String(req.headers['content-type']).startsWith('application/apply-patch') ? 'APPLY' : 'PATCH';
    default:
      return (req.method ?? 'GET').toUpperCase();
  }
}

export class ApiMetrics {
  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly inflight: Gauge<string>;

  constructor(readonly registry: Registry, store: Store, watchers: () => number) {
    this.requests = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, API resource, and HTTP response code.', labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'code'], registers: [registry] });
    this.duration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, group, version, resource and subresource.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    });
    this.inflight = new Gauge({ name: 'apiserver_current_inflight_requests', help: 'Requests being served now, by kind (mutating or readOnly).', labelNames: ['request_kind'], registers: [registry] });
    new Gauge({ name: 'apiserver_registered_watchers', help: 'Watches open on this server.', registers: [registry], collect() {
      this.set(watchers());
    } });
    // The Leases leader election runs on, read at scrape time: who leads and how fresh the lease is.
    const holder = new Gauge({ name: 'unyo_leader_election_holder', help: 'Leader-election Leases in kube-system: 1 for the identity holding each.', labelNames: ['lease', 'holder'], registers: [registry] });
    const age = new Gauge({ name: 'unyo_leader_election_renew_age_seconds', help: 'Seconds since the holder of each leader-election Lease last renewed it.', labelNames: ['lease'], registers: [registry] });
    const leases = async () => {
      holder.reset();
      age.reset();
      for (const name of ['unyo-controller-manager', 'kube-scheduler']) {
        const kv = await store.get(storageKey('coordination.k8s.io', 'leases', 'kube-system', name)).catch(() => undefined);
        if (!kv) continue;
        const spec = (JSON.parse(kv.value) as { spec?: { holderIdentity?: string; renewTime?: string } }).spec ?? {};
        if (spec.holderIdentity) holder.set({ lease: name, holder: spec.holderIdentity }, 1);
        if (spec.renewTime) age.set({ lease: name }, Math.max(0, (Date.now() - Date.parse(spec.renewTime)) / 1000));
      }
    };
    this.collectLeases = leases;
  }

  private readonly collectLeases: () => Promise<void>;

  /** Count and time one request once its response is finished. */
  track(req: IncomingMessage, res: ServerResponse, info: RequestInfo): void {
    if (!info.isResourceRequest) return;
    const start = process.hrtime.bigint();
    const kind = ['get', 'list', 'watch'].includes(info.verb) ? 'readOnly' : 'mutating';
    this.inflight.inc({ request_kind: kind });
    const labels = {
      verb: reportedVerb(info, req),
      group: info.group,
      version: info.version,
      resource: info.resource,
      subresource: info.subresource,
      scope: info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster',
    };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.inflight.dec({ request_kind: kind });
      this.requests.inc({ ...labels, code: String(res.statusCode) });
      if (!longRunning.has(info.verb) && !(info.verb === 'get' && req.headers.upgrade)) this.duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    };
    res.once('finish', finish);
    res.once('close', finish);
  }

  async serve(res: ServerResponse): Promise<void> {
    await this.collectLeases();
    const body = await this.registry.metrics();
    res.writeHead(200, { 'Content-Type': this.registry.contentType });
    res.end(body);
  }
}
