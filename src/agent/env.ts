// A container's environment as Kubernetes builds it: env (values, fieldRef, resourceFieldRef,
// configMapKeyRef, secretKeyRef) and envFrom, with $(VAR) references expanded.
import type { KubeObject } from '../api/types.js';
import { ApiClient, core } from '../client/client.js';

export class EnvError extends Error {}

function fieldValue(pod: any, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return pod.metadata?.[m[1]]?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '127.0.0.1';
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((p: any) => p.ip).join(',');
    default:
      throw new EnvError(`unsupported fieldRef ${path}`);
  }
}

export async function containerEnv(client: ApiClient, pod: KubeObject, container: any, podIP: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const ns = pod.metadata.namespace!;
  const cache = new Map<string, any>();
  const load = async (kind: 'configmaps' | 'secrets', name: string, optional: boolean) => {
    const k = `${kind}/${name}`;
    if (!cache.has(k)) {
      try {
        cache.set(k, await client.get(core(kind, ns), name));
      } catch (err) {
        if ((err as { code?: number }).code === 404) {
          if (optional) cache.set(k, undefined);
          else throw new EnvError(`${kind === 'configmaps' ? 'configmap' : 'secret'} "${name}" not found`);
        } else throw err;
      }
    }
    return cache.get(k);
  };
  const withIP = { ...pod, status: { ...(pod.status as object), podIP, podIPs: [{ ip: podIP }] } };
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await load('configmaps', from.configMapRef.name, Boolean(from.configMapRef.optional));
      for (const [k, v] of Object.entries(cm?.data ?? {})) env[prefix + k] = String(v);
    }
    if (from.secretRef) {
      const s = await load('secrets', from.secretRef.name, Boolean(from.secretRef.optional));
      for (const [k, v] of Object.entries(s?.data ?? {})) env[prefix + k] = Buffer.from(String(v), 'base64').toString('utf8');
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = expand(String(e.value), env);
    else if (e.valueFrom?.fieldRef) env[e.name] = fieldValue(withIP, e.valueFrom.fieldRef.fieldPath);
    else if (e.valueFrom?.resourceFieldRef) env[e.name] = resourceValue(container, e.valueFrom.resourceFieldRef);
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const cm = await load('configmaps', ref.name, Boolean(ref.optional));
      const v = cm?.data?.[ref.key];
      if (v === undefined && !ref.optional) throw new EnvError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
      if (v !== undefined) env[e.name] = v;
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const s = await load('secrets', ref.name, Boolean(ref.optional));
      const v = s?.data?.[ref.key];
      if (v === undefined && !ref.optional) throw new EnvError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
      if (v !== undefined) env[e.name] = Buffer.from(v, 'base64').toString('utf8');
    } else env[e.name] = '';
  }
  return env;
}

function resourceValue(container: any, ref: any): string {
  const [kind, res] = String(ref.resource).split('.');
  const v = container.resources?.[kind]?.[res];
  if (v === undefined) return res === 'cpu' ? '1' : '0';
  return String(v);
}

/** $(VAR) expands to a defined variable; $$ escapes; undefined references stay as written. */
export function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name) => (m === '$$' ? '$' : name in env ? env[name] : m));
}
