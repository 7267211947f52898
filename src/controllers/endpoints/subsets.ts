// Endpoints subsets packed as upstream's RepackSubsets does: ports that reach the same set of
// addresses share one subset, addresses sorted by IP (then Pod uid), ports by name and number,
// so the same Pods always give the same object and unchanged Endpoints are not rewritten.

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const compareAddresses = (a: EndpointAddress, b: EndpointAddress) => compareIPs(a.ip, b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
const comparePorts = (a: EndpointPort, b: EndpointPort) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol);

function compareIPs(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return a.localeCompare(b);
}

/**
 * Entries are (address, ready, port) triples; an entry without a port is a headless Service's
 * port-less address. An address ready under one port is ready everywhere (it is the same Pod).
 */
export function repackSubsets(entries: Array<{ address: EndpointAddress; ready: boolean; port?: EndpointPort }>): EndpointSubset[] {
  const portless = new Map<string, { address: EndpointAddress; ready: boolean }>();
  const byPort = new Map<string, { port: EndpointPort; addresses: Map<string, { address: EndpointAddress; ready: boolean }> }>();
  for (const e of entries) {
    if (!e.port) {
      portless.set(addressKey(e.address), e);
      continue;
    }
    const pk = JSON.stringify([e.port.name ?? '', e.port.port, e.port.protocol, e.port.appProtocol ?? '']);
    let group = byPort.get(pk);
    if (!group) byPort.set(pk, (group = { port: e.port, addresses: new Map() }));
    group.addresses.set(addressKey(e.address), e);
  }
  const subsets: EndpointSubset[] = [];
  if (portless.size) subsets.push(subset([...portless.values()], []));
  // Ports reaching the same addresses (with the same readiness) share a subset.
  const byAddressSet = new Map<string, { entries: Array<{ address: EndpointAddress; ready: boolean }>; ports: EndpointPort[] }>();
  for (const { port, addresses } of byPort.values()) {
    const list = [...addresses.values()];
    const key = list.map((e) => `${addressKey(e.address)}:${e.ready}`).sort().join(',');
    let group = byAddressSet.get(key);
    if (!group) byAddressSet.set(key, (group = { entries: list, ports: [] }));
    group.ports.push(port);
  }
  for (const g of byAddressSet.values()) subsets.push(subset(g.entries, g.ports));
  return subsets.sort((a, b) => subsetKey(a).localeCompare(subsetKey(b)));
}

function subset(entries: Array<{ address: EndpointAddress; ready: boolean }>, ports: EndpointPort[]): EndpointSubset {
  const s: EndpointSubset = {};
  const ready = entries.filter((e) => e.ready).map((e) => e.address).sort(compareAddresses);
  const notReady = entries.filter((e) => !e.ready).map((e) => e.address).sort(compareAddresses);
  if (ready.length) s.addresses = ready;
  if (notReady.length) s.notReadyAddresses = notReady;
  if (ports.length) s.ports = [...ports].sort(comparePorts);
  return s;
}

function subsetKey(s: EndpointSubset): string {
  return JSON.stringify([s.ports ?? [], (s.addresses ?? s.notReadyAddresses ?? []).map((a) => a.ip)]);
}
