// This node as the API sees it: the Node object (capacity, labels, addresses, conditions,
// the agent's endpoint for logs and exec) and its Lease in kube-node-lease, renewed as the
// kubelet's heartbeat.
import os from 'node:os';
import type { KubeObject } from '../api/types.js';
import { ApiClient, core } from '../client/client.js';

export interface NodeIdentity {
  name: string;
  zone: string;
  /** Port of the agent's own HTTPS server (logs, exec), published as the kubelet endpoint. */
  port: number;
  hostIP: string;
}

const rfc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const micro = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

export function nodeCapacity() {
  const memKi = Math.floor(os.totalmem() / 1024);
  return { cpu: String(os.cpus().length), memory: `${memKi}Ki`, pods: '110', 'ephemeral-storage': '100Gi' };
}

export function nodeObject(id: NodeIdentity, now: Date, ready: boolean): KubeObject {
  const ts = rfc(now);
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: ts, lastTransitionTime: ts, reason, message });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: id.name,
      labels: {
        'kubernetes.io/hostname': id.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
        'topology.kubernetes.io/zone': id.zone,
      },
    },
    spec: {},
    status: {
      capacity: nodeCapacity(),
      allocatable: nodeCapacity(),
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', ready ? 'True' : 'False', ready ? 'KubeletReady' : 'KubeletNotReady', ready ? 'kubelet is posting ready status' : 'container runtime is starting'),
      ],
      addresses: [
        { type: 'InternalIP', address: id.hostIP },
        { type: 'Hostname', address: id.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: id.port } },
      nodeInfo: {
        machineID: id.name,
        systemUUID: id.name,
        bootID: String(process.pid),
        kernelVersion: os.release(),
        osImage: `unyo node on ${os.type()}`,
        containerRuntimeVersion: 'unyo-process://0.1.0',
        kubeletVersion: 'v1.33.0+unyo',
        kubeProxyVersion: 'v1.33.0+unyo',
        operatingSystem: 'linux',
        architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      },
    },
  };
}

/** Create the Node, or bring an existing one (an agent restart) up to date. */
export async function registerNode(client: ApiClient, id: NodeIdentity, now: Date): Promise<void> {
  const desired = nodeObject(id, now, true);
  try {
    await client.create(core('nodes'), desired);
    return;
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  const existing = await client.get(core('nodes'), id.name);
  existing.metadata.labels = { ...(existing.metadata.labels ?? {}), ...desired.metadata.labels };
  await client.update(core('nodes'), existing);
  await client.patch(core('nodes'), id.name, { status: desired.status }, 'merge', { subresource: 'status' });
}

/** Post fresh conditions (heartbeat times) to the Node status. */
export async function updateNodeStatus(client: ApiClient, id: NodeIdentity, now: Date): Promise<void> {
  const desired = nodeObject(id, now, true) as any;
  const node = (await client.get(core('nodes'), id.name)) as any;
  const prev: any[] = node.status?.conditions ?? [];
  for (const c of desired.status.conditions) {
    const old = prev.find((p) => p.type === c.type);
    if (old && old.status === c.status) c.lastTransitionTime = old.lastTransitionTime;
  }
  await client.patch(core('nodes'), id.name, { status: { conditions: desired.status.conditions, addresses: desired.status.addresses, daemonEndpoints: desired.status.daemonEndpoints } }, 'merge', { subresource: 'status' });
}

/** Renew (or create) the node's Lease. */
export async function renewLease(client: ApiClient, nodeName: string, durationSeconds: number, now: Date): Promise<void> {
  const ref = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace: 'kube-node-lease' };
  try {
    await client.patch(ref, nodeName, { spec: { renewTime: micro(now), leaseDurationSeconds: durationSeconds, holderIdentity: nodeName } }, 'merge');
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    const node = await client.get(core('nodes'), nodeName);
    await client.create(ref, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeName, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid! }] },
      spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: micro(now) },
    });
  }
}
