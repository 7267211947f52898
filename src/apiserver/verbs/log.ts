// pods/log: the API server finds the Pod's node and streams the container's log from that
// node's agent (as upstream proxies to the kubelet), passing the log options through.
import https from 'node:https';
import type { KeyPairPem } from '../../api/certificates/x509.js';
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { RequestContext } from '../context.js';
import { decodeObject, objectKey } from '../objects.js';
import { agentEndpoint, agentTls } from './nodeagent.js';
const passThrough = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

export async function podLog(ctx: RequestContext, kubeletClient: KeyPairPem): Promise<void> {
  if (ctx.info.verb !== 'get') throw errors.methodNotAllowed(ctx.req.method ?? '', 'pods/log');
  const r = ctx.resource;
  const name = ctx.info.name;
  const kv = await ctx.parts.store.get(objectKey(r, ctx.info.namespace, name));
  if (!kv) throw errors.notFound('', 'pods', name);
  const pod = decodeObject(kv, r) as KubeObject & { spec: any; status: any };
  const names: string[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c: any) => c.name);
  let container = ctx.query.get('container') ?? '';
  if (!container) {
    if (pod.spec.containers.length !== 1) {
      throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${pod.spec.containers.map((c: any) => c.name).join(' ')}]`);
    }
    container = pod.spec.containers[0].name;
  }
  if (!names.includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  for (const n of ['tailLines', 'sinceSeconds', 'limitBytes']) {
    const v = ctx.query.get(n);
    if (v !== null && !/^\d+$/.test(v)) throw errors.badRequest(`invalid ${n}: ${v}`);
  }
  const waiting = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((s: any) => s.name === container);
  if (!pod.spec.nodeName) throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
  const { host: address, port } = await agentEndpoint(ctx, pod.spec.nodeName, name);
  const q = new URLSearchParams();
  for (const p of passThrough) {
    const v = ctx.query.get(p);
    if (v !== null) q.set(p, v);
  }
  const path = `/containerLogs/${encodeURIComponent(ctx.info.namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${q}`;
  await new Promise<void>((resolve, reject) => {
    const upstream = https.get({ host: address, port, path, ...agentTls(kubeletClient) }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => reject(errors.badRequest(text || (waiting?.state?.waiting ? `container "${container}" in pod "${name}" is waiting to start: ${waiting.state.waiting.reason}` : `agent answered ${res.statusCode}`))));
        return;
      }
      ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      res.pipe(ctx.res);
      res.on('end', resolve);
      res.on('error', resolve);
      ctx.req.on('close', () => {
        upstream.destroy();
        resolve();
      });
    });
    upstream.on('error', (err) => reject(errors.serviceUnavailable(`cannot reach the node agent of ${pod.spec.nodeName}: ${err.message}`)));
  });
}
