// A container's environment as Kubernetes builds it: env (values, fieldRef, resourceFieldRef,
// configMapKeyRef, secretKeyRef) and envFrom, with $(VAR) references expanded, and the Service
// environment variables (serviceEnv) under them.
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

/** Upstream's variable name of a Service: upper case, '-' as '_'. */
const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

/**
 * The Service environment variables the kubelet gives a container, from the Services that
 * exist when it starts: for each Service of the Pod's namespace (all of them only with
 * enableServiceLinks, on by default) and always for `kubernetes` in `default`, unless it is
 * headless or has no cluster IP:
 *   WEB_SERVICE_HOST=127.16.1.5  WEB_SERVICE_PORT=80  WEB_SERVICE_PORT_HTTP=80 (named ports)
 *   WEB_PORT=tcp://127.16.1.5:80  WEB_PORT_80_TCP=tcp://127.16.1.5:80  WEB_PORT_80_TCP_PROTO=tcp
 *   WEB_PORT_80_TCP_PORT=80  WEB_PORT_80_TCP_ADDR=127.16.1.5   (Docker links)
 */
export function serviceEnv(pod: KubeObject, services: KubeObject[]): Record<string, string> {
  const ns = pod.metadata.namespace;
  const links = (pod.spec as any)?.enableServiceLinks !== false;
  const chosen = new Map<string, KubeObject>();
  for (const svc of services) {
    const spec = (svc.spec ?? {}) as any;
    if (!spec.clusterIP || spec.clusterIP === 'None') continue;
    const name = svc.metadata.name!;
    if (svc.metadata.namespace === 'default' && name === 'kubernetes') {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (svc.metadata.namespace === ns && links) chosen.set(name, svc);
  }
  const env: Record<string, string> = {};
  for (const svc of chosen.values()) {
    const spec = svc.spec as any;
    const ports: any[] = spec.ports ?? [];
    if (ports.length === 0) continue;
    const prefix = envName(svc.metadata.name!);
    const ip: string = spec.clusterIP;
    env[`${prefix}_SERVICE_HOST`] = ip;
    env[`${prefix}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) env[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    ports.forEach((p, i) => {
      const proto = String(p.protocol ?? 'TCP');
      const url = `${proto.toLowerCase()}://${ip.includes(':') ? `[${ip}]` : ip}:${p.port}`;
      if (i === 0) env[`${prefix}_PORT`] = url;
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      env[pp] = url;
      env[`${pp}_PROTO`] = proto.toLowerCase();
      env[`${pp}_PORT`] = String(p.port);
      env[`${pp}_ADDR`] = ip;
    });
  }
  return env;
}

export async function containerEnv(client: ApiClient, pod: KubeObject, container: any, podIP: string, services: KubeObject[] = []): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  // Service variables can be referred to by $(VAR) and are overridden by the container's own.
  const fromServices = serviceEnv(pod, services);
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
    if (e.value !== undefined) env[e.name] = expand(String(e.value), { ...fromServices, ...env });
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
  return { ...fromServices, ...env };
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
