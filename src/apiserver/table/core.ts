// Printers for the core ("") group besides Pod: the columns `kubectl get` shows for
// namespaces, nodes, services, configuration, events, endpoints, volumes and quotas.
import { parseTimestamp, since, sinceMs } from './duration.js';
import { accessModes, arr, compare, containerCells, formatLabels, int, obj, quantity, str } from './format.js';
import { AGE, CONTAINERS, IMAGES, NAME, SELECTOR, column, wide, type Printer } from './model.js';

const name = (o: Record<string, any>) => str(o.metadata?.name);
const age = (o: Record<string, any>, now: Date) => since(o.metadata?.creationTimestamp, now);

export const namespace: Printer = {
  columns: [NAME, column('Status', 'string', 'Lifecycle phase of the namespace.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), str(o.status?.phase), age(o, now)] }),
};

/** Roles from node-role.kubernetes.io/<role> label keys and the kubernetes.io/role label value, sorted. */
function nodeRoles(node: Record<string, any>): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(obj(node.metadata?.labels))) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (key === 'kubernetes.io/role' && str(value) !== '') {
      roles.add(str(value));
    }
  }
  return [...roles].sort(compare).join(',') || '<none>';
}

function nodeAddress(node: Record<string, any>, type: string): string {
  return str(arr(node.status?.addresses).find((a) => a?.type === type)?.address) || '<none>';
}

export const node: Printer = {
  columns: [
    NAME,
    column('Status', 'string', 'Readiness of the node, and whether scheduling onto it is disabled.'),
    column('Roles', 'string', 'Roles the node carries, from its node-role labels.'),
    AGE,
    column('Version', 'string', 'Version of the kubelet (node agent) on the node.'),
    wide('Internal-IP', 'string', 'First InternalIP address of the node.'),
    wide('External-IP', 'string', 'First ExternalIP address of the node.'),
    wide('OS-Image', 'string', 'Operating system image reported by the node.'),
    wide('Kernel-Version', 'string', 'Kernel version reported by the node.'),
    wide('Container-Runtime', 'string', 'Container runtime name and version reported by the node.'),
  ],
  print(o, { now }) {
    // The last Ready condition wins should there be several.
    let ready: Record<string, any> | undefined;
    for (const c of arr(o.status?.conditions)) if (c?.type === 'Ready') ready = c;
    const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
    if (o.spec?.unschedulable === true) status.push('SchedulingDisabled');
    const info = obj(o.status?.nodeInfo);
    return {
      cells: [
        name(o),
        status.join(','),
        nodeRoles(o),
        age(o, now),
        str(info.kubeletVersion),
        nodeAddress(o, 'InternalIP'),
        nodeAddress(o, 'ExternalIP'),
        str(info.osImage) || '<unknown>',
        str(info.kernelVersion) || '<unknown>',
        str(info.containerRuntimeVersion) || '<unknown>',
      ],
    };
  },
};

/** Load balancer ingress points, IP preferred over hostname, de-duplicated and sorted. */
function loadBalancerAddresses(status: unknown): string[] {
  const set = new Set<string>();
  for (const ingress of arr(obj(obj(status).loadBalancer).ingress)) {
    const address = str(ingress?.ip) || str(ingress?.hostname);
    if (address) set.add(address);
  }
  return [...set].sort(compare);
}

function serviceExternalIP(svc: Record<string, any>): string {
  const externalIPs = arr(svc.spec?.externalIPs).map(str);
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const all = [...loadBalancerAddresses(svc.status), ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(svc.spec?.externalName);
  }
  return '<unknown>';
}

function servicePorts(svc: Record<string, any>): string {
  const ports = arr(svc.spec?.ports).map((p) => {
    const protocol = str(p?.protocol) || 'TCP';
    return int(p?.nodePort) > 0 ? `${int(p?.port)}:${int(p?.nodePort)}/${protocol}` : `${int(p?.port)}/${protocol}`;
  });
  return ports.join(',') || '<none>';
}

export const service: Printer = {
  columns: [
    NAME,
    column('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'string', 'The virtual IP of the service inside the cluster.'),
    column('External-IP', 'string', 'Addresses the service is reachable on from outside the cluster.'),
    column('Port(s)', 'string', 'Service ports, with the node port where one is allocated.'),
    AGE,
    wide('Selector', 'string', 'Labels of the pods the service routes to.'),
  ],
  print(o, { now }) {
    const clusterIP = str(arr(o.spec?.clusterIPs)[0]) || str(o.spec?.clusterIP) || '<none>';
    return {
      cells: [name(o), str(o.spec?.type) || 'ClusterIP', clusterIP, serviceExternalIP(o), servicePorts(o), age(o, now), formatLabels(o.spec?.selector)],
    };
  },
};

export const configMap: Printer = {
  columns: [NAME, column('Data', 'string', 'Number of keys in data and binaryData.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length, age(o, now)] }),
};

export const secret: Printer = {
  columns: [NAME, column('Type', 'string', 'Type of the secret, which decides the keys it must hold.'), column('Data', 'string', 'Number of keys in data.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), str(o.type), Object.keys(obj(o.data)).length, age(o, now)] }),
};

export const serviceAccount: Printer = {
  columns: [NAME, column('Secrets', 'string', 'Number of secrets listed on the service account.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), arr(o.secrets).length, age(o, now)] }),
};

/** The fields of an Event the printer reads, whichever API (v1 or events.k8s.io/v1) it came from. */
interface EventFields {
  involved: Record<string, any>;
  source: Record<string, any>;
  message: string;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  count: number;
}

function eventRow(e: Record<string, any>, f: EventFields, now: Date) {
  const first = parseTimestamp(f.firstTimestamp) ?? parseTimestamp(e.eventTime);
  let last = sinceMs(parseTimestamp(f.lastTimestamp) ?? first, now);
  let count = f.count;
  if (e.series) {
    last = since(e.series.lastObservedTime, now);
    count = int(e.series.count);
  } else if (count === 0) {
    // Events written through events.k8s.io leave the count unset for a single occurrence.
    count = 1;
  }
  const kind = str(f.involved.kind).toLowerCase();
  const target = str(f.involved.name) ? `${kind}/${f.involved.name}` : kind;
  const component = str(f.source.component) || str(e.reportingController);
  const host = str(f.source.host) || str(e.reportingInstance);
  return {
    cells: [
      last,
      str(e.type),
      str(e.reason),
      target,
      str(f.involved.fieldPath),
      host ? `${component}, ${host}` : component,
      f.message.trim(),
      sinceMs(first, now),
      count,
      str(e.metadata?.name),
    ],
  };
}

const eventColumns = [
  column('Last Seen', 'string', 'Time since the event was last observed.'),
  column('Type', 'string', 'Normal or Warning.'),
  column('Reason', 'string', 'Short machine-readable reason for the event.'),
  column('Object', 'string', 'The object the event is about, as kind/name.'),
  wide('Subobject', 'string', 'The part of the object the event is about, such as a container.'),
  wide('Source', 'string', 'The component (and host) that reported the event.'),
  column('Message', 'string', 'Human-readable description of the event.'),
  wide('First Seen', 'string', 'Time since the event was first observed.'),
  wide('Count', 'string', 'How many times the event occurred.'),
  column('Name', 'string', 'Name of the Event object.', 1, 'name'),
];

export const event: Printer = {
  columns: eventColumns,
  print: (e, { now }) =>
    eventRow(e, { involved: obj(e.involvedObject), source: obj(e.source), message: str(e.message), firstTimestamp: e.firstTimestamp, lastTimestamp: e.lastTimestamp, count: int(e.count) }, now),
};

/** events.k8s.io/v1 Events are the same objects under other field names; the row is the same. */
export const eventsV1Event: Printer = {
  columns: eventColumns,
  print: (e, { now }) =>
    eventRow(
      e,
      {
        involved: obj(e.regarding),
        source: obj(e.deprecatedSource),
        message: str(e.note),
        firstTimestamp: e.deprecatedFirstTimestamp,
        lastTimestamp: e.deprecatedLastTimestamp,
        count: int(e.deprecatedCount),
      },
      now,
    ),
};

/** Up to three "ip:port" endpoints (bare IPs for port-less subsets), then "+ N more...". */
function formatEndpoints(ep: Record<string, any>): string {
  const subsets = arr(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const subset of subsets) {
    const addresses = arr(subset?.addresses);
    const ports = arr(subset?.ports);
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) if (list.length < max) list.push(str(a?.ip));
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) if (list.length < max) list.push(joinHostPort(str(a?.ip), int(port?.port)));
    }
  }
  const shown = list.join(',');
  return count > max ? `${shown} + ${count - max} more...` : shown;
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const endpoints: Printer = {
  columns: [NAME, column('Endpoints', 'string', 'Ready addresses and ports behind the service.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), formatEndpoints(o), age(o, now)] }),
};

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

function storageClassOf(o: Record<string, any>): string {
  const annotations = obj(o.metadata?.annotations);
  if (BETA_STORAGE_CLASS in annotations) return str(annotations[BETA_STORAGE_CLASS]);
  return str(o.spec?.storageClassName);
}

export const persistentVolume: Printer = {
  columns: [
    NAME,
    column('Capacity', 'string', 'Storage capacity of the volume.'),
    column('Access Modes', 'string', 'How the volume can be mounted: RWO, ROX, RWX, RWOP.'),
    column('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.'),
    column('Status', 'string', 'Lifecycle phase of the volume.'),
    column('Claim', 'string', 'The claim bound to the volume, as namespace/name.'),
    column('StorageClass', 'string', 'Storage class the volume belongs to.'),
    column('VolumeAttributesClass', 'string', 'Volume attributes class of the volume.'),
    column('Reason', 'string', 'Why the volume is in its phase, when it failed.'),
    AGE,
    wide('VolumeMode', 'string', 'Filesystem or Block.'),
  ],
  print(o, { now }) {
    const claimRef = o.spec?.claimRef ? `${str(o.spec.claimRef.namespace)}/${str(o.spec.claimRef.name)}` : '';
    const phase = o.metadata?.deletionTimestamp != null ? 'Terminating' : str(o.status?.phase);
    return {
      cells: [
        name(o),
        quantity(obj(o.spec?.capacity).storage),
        accessModes(o.spec?.accessModes),
        str(o.spec?.persistentVolumeReclaimPolicy),
        phase,
        claimRef,
        storageClassOf(o),
        str(o.spec?.volumeAttributesClassName) || '<unset>',
        str(o.status?.reason),
        age(o, now),
        str(o.spec?.volumeMode) || '<unset>',
      ],
    };
  },
};

export const persistentVolumeClaim: Printer = {
  columns: [
    NAME,
    column('Status', 'string', 'Lifecycle phase of the claim.'),
    column('Volume', 'string', 'The volume the claim is bound to.'),
    column('Capacity', 'string', 'Storage capacity of the bound volume.'),
    column('Access Modes', 'string', 'Access modes of the bound volume: RWO, ROX, RWX, RWOP.'),
    column('StorageClass', 'string', 'Storage class the claim asks for.'),
    column('VolumeAttributesClass', 'string', 'Volume attributes class the claim asks for.'),
    AGE,
    wide('VolumeMode', 'string', 'Filesystem or Block.'),
  ],
  print(o, { now }) {
    const phase = o.metadata?.deletionTimestamp != null ? 'Terminating' : str(o.status?.phase);
    const bound = str(o.spec?.volumeName) !== '';
    return {
      cells: [
        name(o),
        phase,
        str(o.spec?.volumeName),
        bound ? quantity(obj(o.status?.capacity).storage) : '',
        bound ? accessModes(o.status?.accessModes) : '',
        storageClassOf(o),
        str(o.spec?.volumeAttributesClassName) || '<unset>',
        age(o, now),
        str(o.spec?.volumeMode) || '<unset>',
      ],
    };
  },
};

/**
 * Kubernetes 1.32 column order (AGE second); 1.33 moved AGE last. Resources named
 * "limits.*" go to LIMIT, all others to REQUEST, each as "name: used/hard", sorted by name.
 */
export const resourceQuota: Printer = {
  columns: [
    NAME,
    AGE,
    column('Request', 'string', 'Used out of hard quota for everything but limits.*, per resource.'),
    column('Limit', 'string', 'Used out of hard quota for limits.*, per resource.'),
  ],
  print(o, { now }) {
    const hard = obj(o.status?.hard);
    const used = obj(o.status?.used);
    const request: string[] = [];
    const limit: string[] = [];
    for (const resource of Object.keys(hard).sort(compare)) {
      const pieces = resource.split('.');
      const into = pieces.length > 1 && pieces[0] === 'limits' ? limit : request;
      into.push(`${resource}: ${quantity(used[resource])}/${quantity(hard[resource])}`);
    }
    return { cells: [name(o), age(o, now), request.join(', '), limit.join(', ')] };
  },
};

export const podTemplate: Printer = {
  columns: [
    NAME,
    column('Containers', 'string', 'Names of the containers in the template.'),
    column('Images', 'string', 'Images of the containers in the template.'),
    column('Pod Labels', 'string', 'Labels of the pods made from the template.'),
  ],
  print(o) {
    const [names, images] = containerCells(o.template?.spec);
    return { cells: [name(o), names, images, formatLabels(o.template?.metadata?.labels)] };
  },
};

export const replicationController: Printer = {
  columns: [
    NAME,
    column('Desired', 'integer', 'Number of pods asked for.'),
    column('Current', 'integer', 'Number of pods that exist.'),
    column('Ready', 'integer', 'Number of pods that are ready.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(o, { now }) {
    const [names, images] = containerCells(o.spec?.template?.spec);
    return {
      cells: [name(o), int(o.spec?.replicas ?? 1), int(o.status?.replicas), int(o.status?.readyReplicas), age(o, now), names, images, formatLabels(o.spec?.selector)],
    };
  },
};
