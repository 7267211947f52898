// Printers for discovery.k8s.io and networking.k8s.io: EndpointSlices, Ingresses,
// IngressClasses and NetworkPolicies.
import { since } from './duration.js';
import { arr, compare, formatLabelSelector, listWithMore, obj, str } from './format.js';
import { AGE, NAME, column, type Printer } from './model.js';

const name = (o: Record<string, any>) => str(o.metadata?.name);
const age = (o: Record<string, any>, now: Date) => since(o.metadata?.creationTimestamp, now);

function slicePort(port: Record<string, any>): string {
  if (typeof port.port === 'number') return String(port.port);
  if (typeof port.name === 'string') return port.name;
  return '*';
}

export const endpointSlice: Printer = {
  columns: [
    NAME,
    column('AddressType', 'string', 'IPv4, IPv6 or FQDN.'),
    column('Ports', 'string', 'Ports of the endpoints in the slice.'),
    column('Endpoints', 'string', 'Addresses of the endpoints in the slice.'),
    AGE,
  ],
  print(o, { now }) {
    const ports = arr(o.ports).map((p) => slicePort(obj(p)));
    const addresses = arr(o.endpoints).flatMap((e) => arr(e?.addresses).map(str));
    return { cells: [name(o), str(o.addressType), listWithMore(ports, 3, '<unset>'), listWithMore(addresses, 3, '<unset>'), age(o, now)] };
  },
};

/** Up to three hosts; rules past the third are counted in "+ N more..." whether or not they name a host. */
function ingressHosts(rules: any[]): string {
  const max = 3;
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === max) more = true;
    if (!more && str(rule?.host) !== '') hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - max} more...` : hosts.join(',');
}

function ingressAddress(o: Record<string, any>): string {
  const set = new Set<string>();
  for (const ingress of arr(o.status?.loadBalancer?.ingress)) {
    const address = str(ingress?.ip) || str(ingress?.hostname);
    if (address) set.add(address);
  }
  return [...set].sort(compare).join(',');
}

export const ingress: Printer = {
  columns: [
    NAME,
    column('Class', 'string', 'The IngressClass that serves this ingress.'),
    column('Hosts', 'string', 'Hosts the rules match.'),
    column('Address', 'string', 'Addresses of the load balancer serving the ingress.'),
    column('Ports', 'string', 'Ports the ingress is served on.'),
    AGE,
  ],
  print: (o, { now }) => ({
    cells: [
      name(o),
      typeof o.spec?.ingressClassName === 'string' ? o.spec.ingressClassName : '<none>',
      ingressHosts(arr(o.spec?.rules)),
      ingressAddress(o),
      arr(o.spec?.tls).length > 0 ? '80, 443' : '80',
      age(o, now),
    ],
  }),
};

export const ingressClass: Printer = {
  columns: [
    NAME,
    column('Controller', 'string', 'The controller that implements this class.'),
    column('Parameters', 'string', 'The object holding extra configuration for the class.'),
    AGE,
  ],
  print(o, { now }) {
    const p = o.spec?.parameters;
    let parameters = '<none>';
    if (p) parameters = `${str(p.kind)}${typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : ''}/${str(p.name)}`;
    return { cells: [name(o), str(o.spec?.controller), parameters, age(o, now)] };
  },
};

export const networkPolicy: Printer = {
  columns: [NAME, column('Pod-Selector', 'string', 'Labels of the pods the policy applies to.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), formatLabelSelector(o.spec?.podSelector ?? {}), age(o, now)] }),
};
