// Which EndpointSlices to create, update and delete so a Service's slices hold exactly the
// desired endpoints (upstream's endpointslice reconciler, simplified): endpoints are grouped by
// the ports they serve (one set of slices per port list); an endpoint already in a slice stays
// there, so a Pod changing readiness rewrites one slice, not all; new endpoints fill slices with
// room before new slices are made; no slice holds more than maxEndpointsPerSlice; slices left
// empty go. A Service with no endpoints at all keeps one empty placeholder slice, as upstream.

type Obj = Record<string, any>;

export interface Slice {
  metadata: Obj;
  addressType: string;
  endpoints?: Obj[];
  ports?: Obj[];
}

export interface DesiredGroup {
  ports: Obj[];
  endpoints: Obj[];
}

export interface SliceChanges {
  create: Slice[];
  update: Slice[];
  delete: Slice[];
}

/** The key of a port list: slices serve one port list each. */
export function portsKey(ports: Obj[] | undefined): string {
  return JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']).sort());
}

/** An endpoint's identity across updates: its Pod, or its first address. */
export function endpointKey(ep: Obj): string {
  return ep.targetRef?.uid ?? ep.addresses?.[0] ?? '';
}

/** JSON with object keys sorted: equal objects compare equal whatever order the server kept. */
function json(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

export function reconcileSlices(existing: Slice[], desired: DesiredGroup[], maxEndpointsPerSlice: number, newSlice: (ports: Obj[]) => Slice, sliceMeta: (s: Slice) => Obj): SliceChanges {
  const out: SliceChanges = { create: [], update: [], delete: [] };
  const total = desired.reduce((n, g) => n + g.endpoints.length, 0);
  if (total === 0) {
    // The placeholder: keep one empty slice without ports.
    const placeholder = existing.find((s) => (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0);
    for (const s of existing) if (s !== placeholder) out.delete.push(s);
    if (!placeholder) out.create.push({ ...newSlice([]), endpoints: [] });
    else if (json(placeholder.metadata) !== json(sliceMeta(placeholder))) out.update.push({ ...placeholder, metadata: sliceMeta(placeholder) });
    return out;
  }
  const byKey = new Map<string, Slice[]>();
  for (const s of existing) {
    const k = portsKey(s.ports);
    byKey.set(k, [...(byKey.get(k) ?? []), s]);
  }
  const used = new Set<Slice>();
  for (const group of desired) {
    if (group.endpoints.length === 0) continue;
    const k = portsKey(group.ports);
    const slices = byKey.get(k) ?? [];
    const want = new Map(group.endpoints.map((ep) => [endpointKey(ep), ep]));
    const placed = new Set<string>();
    const next: Array<{ slice: Slice; endpoints: Obj[] }> = [];
    for (const s of slices) {
      const kept: Obj[] = [];
      for (const ep of s.endpoints ?? []) {
        const key = endpointKey(ep);
        const w = want.get(key);
        if (!w || placed.has(key) || kept.length >= maxEndpointsPerSlice) continue;
        kept.push(w);
        placed.add(key);
      }
      next.push({ slice: s, endpoints: kept });
    }
    const pending = group.endpoints.filter((ep) => !placed.has(endpointKey(ep)));
    // Fill the fullest slices first, so the number of slices stays low.
    for (const n of [...next].sort((a, b) => b.endpoints.length - a.endpoints.length)) {
      while (pending.length && n.endpoints.length > 0 && n.endpoints.length < maxEndpointsPerSlice) n.endpoints.push(pending.shift()!);
    }
    for (const n of next) {
      while (pending.length && n.endpoints.length < maxEndpointsPerSlice) n.endpoints.push(pending.shift()!);
    }
    for (const n of next) {
      used.add(n.slice);
      if (n.endpoints.length === 0) {
        out.delete.push(n.slice);
        continue;
      }
      const meta = sliceMeta(n.slice);
      if (json(n.slice.endpoints ?? []) !== json(n.endpoints) || json(n.slice.ports ?? []) !== json(group.ports) || json(n.slice.metadata) !== json(meta)) {
        out.update.push({ ...n.slice, metadata: meta, endpoints: n.endpoints, ports: group.ports });
      }
    }
    while (pending.length) out.create.push({ ...newSlice(group.ports), endpoints: pending.splice(0, maxEndpointsPerSlice) });
  }
  for (const s of existing) if (!used.has(s)) out.delete.push(s);
  return out;
}
