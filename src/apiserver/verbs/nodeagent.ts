// Where a Pod's node agent listens: the node's InternalIP and the port it publishes as its
// kubelet endpoint. pods/log, exec, attach and portforward are all served by that agent, over
// HTTPS: the API server presents its kubelet client certificate (CN kube-apiserver-kubelet-client,
// signed by the cluster CA) and, as upstream does without --kubelet-certificate-authority,
// does not verify the agent's self-signed serving certificate.
import type { RequestOptions } from 'node:https';
import type { KeyPairPem } from '../../api/certificates/x509.js';
import { errors } from '../../api/errors.js';
import { builtinResources } from '../../api/resources.js';
import type { RequestContext } from '../context.js';
import { decodeObject, objectKey } from '../objects.js';

const nodes = builtinResources.find((r) => r.kind === 'Node' && r.group === '')!;

export interface AgentEndpoint {
  host: string;
  port: number;
}

/** TLS options of a request to an agent. */
export function agentTls(client: KeyPairPem): Pick<RequestOptions, 'cert' | 'key' | 'rejectUnauthorized' | 'servername'> {
  return { cert: client.cert, key: client.key, rejectUnauthorized: false };
}

export async function agentEndpoint(ctx: RequestContext, nodeName: string, podName: string): Promise<AgentEndpoint> {
  const nodeKv = await ctx.parts.store.get(objectKey(nodes, undefined, nodeName));
  if (!nodeKv) throw errors.badRequest(`node "${nodeName}" of pod "${podName}" is not registered`);
  const node = decodeObject(nodeKv, nodes) as any;
  const host = (node.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!port) throw errors.serviceUnavailable(`node "${nodeName}" does not publish its agent endpoint`);
  return { host, port };
}
