// Name lookups of the built-in images through the Pod's resolv.conf when the runtime could not
// put it at /etc/resolv.conf (no namespaces: it passes the path in UNYO_RESOLV_CONF). Then
// dns.lookup, which every HTTP request uses, asks the Pod's nameservers with its search list
// and ndots, as libc would (`web` → web.<ns>.svc.cluster.local first), and falls back on the
// host's resolver (localhost, /etc/hosts, names the cluster DNS does not know).
import dns from 'node:dns';
import net from 'node:net';
import { readFileSync } from 'node:fs';

export interface PodResolver {
  nameservers: string[];
  searches: string[];
  ndots: number;
}

export function parseResolver(text: string): PodResolver {
  const r: PodResolver = { nameservers: [], searches: [], ndots: 1 };
  for (const raw of text.split('\n')) {
    const [key, ...values] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (key === 'nameserver' && values[0]) r.nameservers.push(values[0]);
    else if (key === 'search') r.searches = values;
    else if (key === 'options') for (const o of values) if (o.startsWith('ndots:')) r.ndots = Math.min(15, Number(o.slice(6)) || 0);
  }
  return r;
}

/** The names a resolver tries for `name`, in order (libc's res_search). */
export function candidates(name: string, r: PodResolver): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = name.split('.').length - 1;
  const searched = r.searches.map((s) => `${name}.${s}`);
  return dots >= r.ndots ? [name, ...searched] : [...searched, name];
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** Route dns.lookup through the Pod's resolver when UNYO_RESOLV_CONF names one. */
export function usePodResolver(env: NodeJS.ProcessEnv = process.env): PodResolver | undefined {
  const file = env.UNYO_RESOLV_CONF;
  if (!file) return undefined;
  let conf: PodResolver;
  try {
    conf = parseResolver(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (conf.nameservers.length === 0) return undefined;
  const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers(conf.nameservers);
  const hostLookup = dns.lookup;
  const lookup = (hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = (typeof options === 'object' && options !== null ? options : typeof options === 'number' ? { family: options } : {}) as dns.LookupOptions;
    if (net.isIP(hostname) || hostname === 'localhost' || opts.family === 6) return (hostLookup as any)(hostname, opts, cb);
    void (async () => {
      for (const name of candidates(hostname, conf)) {
        try {
          const addresses = await resolver.resolve4(name);
          if (addresses.length === 0) continue;
          if (opts.all) return cb(null, addresses.map((address) => ({ address, family: 4 })));
          return cb(null, addresses[Math.floor(Math.random() * addresses.length)], 4);
        } catch {
          // Not this one: the next candidate.
        }
      }
      (hostLookup as any)(hostname, opts, cb);
    })();
  };
  (dns as { lookup: unknown }).lookup = lookup;
  return conf;
}
