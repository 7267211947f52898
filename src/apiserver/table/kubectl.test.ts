// Real kubectl printing our Tables: a throwaway HTTP server answers discovery and Table
// requests for a few objects, and the text kubectl prints is compared with what it prints
// against a real cluster. Skipped where kubectl is not installed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { builtinResources, customResource, type ResourceType } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { parseIncludeObject, parseTableAccept, toTable } from './table.js';

const run = promisify(execFile);
const hasKubectl = await run('kubectl', ['version', '--client']).then(
  () => true,
  () => false,
);

/** The server's clock stands still at this instant, so AGE cells do not drift while kubectl runs. */
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString().replace('.000Z', 'Z');
}

const pods: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', creationTimestamp: ago(10 * 60_000), labels: { app: 'web' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'web' }] },
    status: { phase: 'Running', podIPs: [{ ip: '10.42.0.5' }], containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: { running: {} } }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-2', namespace: 'shop', creationTimestamp: ago(3 * 3_600_000), labels: { app: 'web' } },
    spec: { nodeName: 'node-2', containers: [{ name: 'web' }] },
    status: {
      phase: 'Running',
      podIPs: [{ ip: '10.42.1.6' }],
      containerStatuses: [
        { name: 'web', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(40_000) } } },
      ],
    },
  },
];

const widgets = customResource({
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
  storageVersion: 'v1',
  crd: {
    name: 'widgets.example.com',
    preserveUnknownFields: false,
    printerColumns: [
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Note', type: 'string', jsonPath: '.spec.note', priority: 1 },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  },
});
const widgetObjects: KubeObject[] = [
  { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', creationTimestamp: ago(2 * 86_400_000 + 3 * 3_600_000) }, spec: { replicas: 2 }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
];

const podResource = builtinResources.find((r) => r.kind === 'Pod')!;
const nodeResource = builtinResources.find((r) => r.kind === 'Node')!;
const roleResource = builtinResources.find((r) => r.kind === 'Role')!;

const nodes: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', creationTimestamp: ago(5 * 3_600_000), labels: { 'node-role.kubernetes.io/control-plane': '' } },
    spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' } },
  },
];
const roles: KubeObject[] = [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: 'default', creationTimestamp: '2024-12-31T10:20:30Z' } }];

function apiResource(r: ResourceType) {
  return { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames, categories: r.categories };
}

/** Discovery documents by URL path; kubectl falls back to them from aggregated discovery. */
const discovery: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      {
        name: 'rbac.authorization.k8s.io',
        versions: [{ groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' },
      },
      { name: 'example.com', versions: [{ groupVersion: 'example.com/v1', version: 'v1' }], preferredVersion: { groupVersion: 'example.com/v1', version: 'v1' } },
    ],
  },
  '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [apiResource(podResource), apiResource(nodeResource)] },
  '/apis/rbac.authorization.k8s.io/v1': { kind: 'APIResourceList', groupVersion: 'rbac.authorization.k8s.io/v1', resources: [apiResource(roleResource)] },
  '/apis/example.com/v1': { kind: 'APIResourceList', groupVersion: 'example.com/v1', resources: [apiResource(widgets)] },
};

/** Collection and object URLs, answered with Tables only (kubectl get asks for nothing else here). */
const collections: Array<{ pattern: RegExp; resource: ResourceType; objects: KubeObject[] }> = [
  { pattern: /^\/api\/v1(?:\/namespaces\/([^/]+))?\/pods(?:\/([^/]+))?$/, resource: podResource, objects: pods },
  { pattern: /^\/api\/v1\/nodes(?:\/([^/]+))?$/, resource: nodeResource, objects: nodes },
  { pattern: /^\/apis\/rbac\.authorization\.k8s\.io\/v1(?:\/namespaces\/([^/]+))?\/roles(?:\/([^/]+))?$/, resource: roleResource, objects: roles },
  { pattern: /^\/apis\/example\.com\/v1(?:\/namespaces\/([^/]+))?\/widgets(?:\/([^/]+))?$/, resource: widgets, objects: widgetObjects },
];

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const send = (code: number, body: unknown) => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const doc = discovery[url.pathname];
  if (doc) return send(200, doc);
  for (const c of collections) {
    const m = c.pattern.exec(url.pathname);
    if (!m) continue;
    const [namespace, name] = c.resource.namespaced ? [m[1], m[2]] : [undefined, m[1]];
    const items = c.objects.filter((o) => (!namespace || o.metadata.namespace === namespace) && (!name || o.metadata.name === name));
    const accept = parseTableAccept(req.headers.accept);
    if (!accept?.table) return send(406, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 406 });
    const includeObject = parseIncludeObject(url.searchParams.get('includeObject')) ?? 'Metadata';
    return send(200, toTable(c.resource, items, { includeObject, listMeta: { resourceVersion: '12' }, now: NOW, version: accept.version }));
  }
  send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
}

describe('kubectl get prints our Tables', { skip: !hasKubectl && 'kubectl is not installed' }, () => {
  let server: Server;
  let dir: string;
  let base: string[];

  before(async () => {
    server = createServer(serve);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dir = mkdtempSync(join(tmpdir(), 'unyo-table-'));
    writeFileSync(join(dir, 'kubeconfig'), '');
    base = ['--server', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, '--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache')];
  });

  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = async (...args: string[]) => (await run('kubectl', [...base, ...args], { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') } })).stdout;

  const cases: Array<{ args: string[]; output: string }> = [
    {
      args: ['get', 'pods', '-o', 'wide'],
      output: `NAME    READY   STATUS    RESTARTS   AGE   IP          NODE     NOMINATED NODE   READINESS GATES
web-1   1/1     Running   0          10m   10.42.0.5   node-1   <none>           <none>
`,
    },
    {
      args: ['get', 'pods', '--all-namespaces', '--show-labels'],
      output: `NAMESPACE   NAME    READY   STATUS             RESTARTS      AGE   LABELS
default     web-1   1/1     Running            0             10m   app=web
shop        web-2   0/1     CrashLoopBackOff   5 (40s ago)   3h    app=web
`,
    },
    {
      args: ['get', 'pod', 'web-2', '-n', 'shop', '--sort-by', '.metadata.name'],
      output: `NAME    READY   STATUS             RESTARTS      AGE
web-2   0/1     CrashLoopBackOff   5 (40s ago)   3h
`,
    },
    {
      args: ['get', 'nodes'],
      output: `NAME     STATUS                     ROLES           AGE   VERSION
node-1   Ready,SchedulingDisabled   control-plane   5h    v1.32.0
`,
    },
    {
      args: ['get', 'roles'],
      output: `NAME         CREATED AT
pod-reader   2024-12-31T10:20:30Z
`,
    },
    {
      args: ['get', 'widgets'],
      output: `NAME   REPLICAS   READY   AGE
w1     2          True    2d3h
`,
    },
    {
      args: ['get', 'widgets', '-o', 'wide'],
      // kubectl prints a null cell (no value at the column's path) as nothing at all.
      output: `NAME   REPLICAS   READY   NOTE   AGE
w1     2          True           2d3h
`,
    },
  ];

  for (const c of cases) {
    it(`kubectl ${c.args.join(' ')}`, async () => assert.equal(await kubectl(...c.args), c.output));
  }
});
