// nodes/proxy: requests under /api/v1/nodes/<node>/proxy/<path> go to that node's agent, as
// upstream proxies them to the kubelet (`kubectl get --raw .../proxy/stats/summary`,
// metrics scrapers). The agent serves /stats/summary, /metrics/resource and /healthz.
import https from 'node:https';
import type { KeyPairPem } from '../../api/certificates/x509.js';
import { agentTls } from './nodeagent.js';
import { errors } from '../../api/errors.js';
import type { RequestContext } from '../context.js';
import { decodeObject, objectKey } from '../objects.js';

export async function nodeProxy(ctx: RequestContext, kubeletClient: KeyPairPem, path: string): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed(method, 'nodes/proxy');
  const name = ctx.info.name;
  const kv = await ctx.parts.store.get(objectKey(ctx.resource, undefined, name));
  if (!kv) throw errors.notFound('', 'nodes', name);
  const node = decodeObject(kv, ctx.resource) as any;
  const address = (node.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!port) throw errors.serviceUnavailable(`node "${name}" does not publish its agent endpoint`);
  const query = ctx.query.toString();
  await new Promise<void>((resolve, reject) => {
    const upstream = https.request({ host: address, port, method, path: `/${path}${query ? `?${query}` : ''}`, ...agentTls(kubeletClient) }, (res) => {
      const headers: Record<string, string> = {};
      if (res.headers['content-type']) headers['Content-Type'] = res.headers['content-type'];
      ctx.res.writeHead(res.statusCode ?? 502, headers);
      res.pipe(ctx.res);
      res.on('end', resolve);
      res.on('error', resolve);
    });
    ctx.req.on('close', () => {
      upstream.destroy();
      resolve();
    });
    upstream.on('error', (err) => reject(errors.serviceUnavailable(`cannot reach the node agent of ${name}: ${err.message}`)));
    upstream.end();
  });
}
