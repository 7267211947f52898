import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../types.js';
import { check, pod, stored } from './testing.js';

const LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const cases: Array<{ name: string; mutate: (p: Record<string, any>) => void; want: string[] }> = [
  { name: 'valid', mutate: () => {}, want: [] },
  { name: 'no containers', mutate: (p) => (p.spec.containers = []), want: ['spec.containers: Required value'] },
  { name: 'container name missing', mutate: (p) => delete p.spec.containers[0].name, want: ['spec.containers[0].name: Required value'] },
  { name: 'container name not a DNS label', mutate: (p) => (p.spec.containers[0].name = 'App_1'), want: [`spec.containers[0].name: Invalid value: "App_1": ${LABEL}`] },
  { name: 'duplicate container names', mutate: (p) => p.spec.containers.push({ name: 'app', image: 'busybox' }), want: ['spec.containers[1].name: Duplicate value: "app"'] },
  { name: 'init container reusing a container name', mutate: (p) => (p.spec.initContainers = [{ name: 'app', image: 'busybox' }]), want: ['spec.initContainers[0].name: Duplicate value: "app"'] },
  { name: 'image missing', mutate: (p) => delete p.spec.containers[0].image, want: ['spec.containers[0].image: Required value'] },
  { name: 'image with spaces', mutate: (p) => (p.spec.containers[0].image = ' nginx'), want: ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'] },
  { name: 'port out of range', mutate: (p) => (p.spec.containers[0].ports = [{ containerPort: 70000 }]), want: ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'] },
  { name: 'port missing', mutate: (p) => (p.spec.containers[0].ports = [{ name: 'http' }]), want: ['spec.containers[0].ports[0].containerPort: Required value'] },
  { name: 'bad protocol', mutate: (p) => (p.spec.containers[0].ports = [{ containerPort: 80, protocol: 'ICMP' }]), want: ['spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'] },
  { name: 'duplicate port names', mutate: (p) => (p.spec.containers[0].ports = [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }]), want: ['spec.containers[0].ports[1].name: Duplicate value: "http"'] },
  { name: 'bad restart policy', mutate: (p) => (p.spec.restartPolicy = 'Sometimes'), want: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'] },
  { name: 'bad dns policy', mutate: (p) => (p.spec.dnsPolicy = 'Cluster'), want: ['spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'] },
  { name: 'dnsPolicy None needs dnsConfig', mutate: (p) => (p.spec.dnsPolicy = 'None'), want: ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'] },
  {
    name: 'two sources in one volume',
    mutate: (p) => (p.spec.volumes = [{ name: 'data', emptyDir: {}, hostPath: { path: '/data' } }]),
    want: ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'],
  },
  {
    name: 'duplicate volume names',
    mutate: (p) => (p.spec.volumes = [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }]),
    want: ['spec.volumes[1].name: Duplicate value: "data"'],
  },
  {
    name: 'mount of an unknown volume',
    mutate: (p) => (p.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }]),
    want: ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
  },
  {
    name: 'mount path missing and repeated',
    mutate: (p) => {
      p.spec.volumes = [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }];
      p.spec.containers[0].volumeMounts = [{ name: 'a', mountPath: '/x' }, { name: 'b', mountPath: '/x' }];
    },
    want: ['spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/x": must be unique'],
  },
  { name: 'secret volume without a name', mutate: (p) => (p.spec.volumes = [{ name: 's', secret: {} }]), want: ['spec.volumes[0].secret.secretName: Required value'] },
  { name: 'bad file mode', mutate: (p) => (p.spec.volumes = [{ name: 'c', configMap: { name: 'cm', defaultMode: 1000 } }]), want: ['spec.volumes[0].configMap.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive'] },
  { name: 'hostPath type', mutate: (p) => (p.spec.volumes = [{ name: 'h', hostPath: { path: '/x', type: 'Dir' } }]), want: ['spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"'] },
  {
    name: 'requests above limits',
    mutate: (p) => (p.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }),
    want: ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
  },
  {
    name: 'negative quantity',
    mutate: (p) => (p.spec.containers[0].resources = { limits: { memory: '-1Gi' } }),
    want: ['spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0', 'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0'],
  },
  {
    name: 'malformed quantity',
    mutate: (p) => (p.spec.containers[0].resources = { requests: { cpu: 'lots' } }),
    want: ["spec.containers[0].resources.requests[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
  },
  {
    name: 'unknown resource name',
    mutate: (p) => (p.spec.containers[0].resources = { limits: { gpu: '1' } }),
    want: [
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ],
  },
  {
    name: 'extended resource must be whole',
    mutate: (p) => (p.spec.containers[0].resources = { limits: { 'example.com/gpu': '500m' } }),
    want: ['spec.containers[0].resources.limits[example.com/gpu]: Invalid value: "500m": must be an integer', 'spec.containers[0].resources.requests[example.com/gpu]: Invalid value: "500m": must be an integer'],
  },
  { name: 'probe without handler', mutate: (p) => (p.spec.containers[0].livenessProbe = { periodSeconds: 5 }), want: ['spec.containers[0].livenessProbe: Required value: must specify a handler type'] },
  { name: 'liveness success threshold', mutate: (p) => (p.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, successThreshold: 2 }), want: ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'] },
  { name: 'probe port name', mutate: (p) => (p.spec.containers[0].readinessProbe = { tcpSocket: { port: 'HTTP' } }), want: ['spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: "HTTP": must contain at least one letter (a-z)'] },
  { name: 'env name missing', mutate: (p) => (p.spec.containers[0].env = [{ value: 'x' }]), want: ['spec.containers[0].env[0].name: Required value'] },
  {
    name: 'env fieldRef path',
    mutate: (p) => (p.spec.containers[0].env = [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } }]),
    want: ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"'],
  },
  { name: 'env value and valueFrom', mutate: (p) => (p.spec.containers[0].env = [{ name: 'X', value: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]), want: ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'] },
  { name: 'toleration without key', mutate: (p) => (p.spec.tolerations = [{ operator: 'Equal', value: 'x' }]), want: ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'] },
  { name: 'tolerationSeconds needs NoExecute', mutate: (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }]), want: ["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"] },
  { name: 'activeDeadlineSeconds zero', mutate: (p) => (p.spec.activeDeadlineSeconds = 0), want: ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'] },
  { name: 'hostNetwork port mismatch', mutate: (p) => ((p.spec.hostNetwork = true), (p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }])), want: ['spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true'] },
  { name: 'restartPolicy on a regular container', mutate: (p) => (p.spec.containers[0].restartPolicy = 'Always'), want: ['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'] },
  { name: 'probes on a plain init container', mutate: (p) => (p.spec.initContainers = [{ name: 'init', image: 'busybox', readinessProbe: { exec: { command: ['x'] } } }]), want: ['spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always'] },
  { name: 'ephemeral containers on create', mutate: (p) => (p.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox' }]), want: ['spec.ephemeralContainers: Forbidden: cannot be set on create'] },
  { name: 'node affinity without terms', mutate: (p) => (p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }), want: ['spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term'] },
  { name: 'runAsUser negative', mutate: (p) => (p.spec.securityContext = { runAsUser: -1 }), want: ['spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive'] },
];

for (const c of cases) {
  test(`pod: ${c.name}`, () => assert.deepEqual(check('Pod', pod(c.mutate)), c.want));
}

const UPDATE_PREFIX = 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n';

const updates: Array<{ name: string; mutate: (p: Record<string, any>) => void; want: string[] }> = [
  { name: 'new image', mutate: (p) => (p.spec.containers[0].image = 'nginx:1.28'), want: [] },
  { name: 'add a toleration', mutate: (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists' }]), want: [] },
  { name: 'add a container', mutate: (p) => p.spec.containers.push({ name: 'b', image: 'busybox' }), want: ['spec.containers: Forbidden: pod updates may not add or remove containers'] },
  {
    name: 'change env',
    mutate: (p) => (p.spec.containers[0].env = [{ name: 'A', value: '1' }]),
    want: [`${UPDATE_PREFIX}- containers[0].env: null\n+ containers[0].env: [{"name":"A","value":"1"}]`],
  },
  { name: 'raise activeDeadlineSeconds', mutate: (p) => (p.spec.activeDeadlineSeconds = 100), want: ['spec.activeDeadlineSeconds: Invalid value: 100: must be less than or equal to previous value'] },
];

for (const u of updates) {
  test(`pod update: ${u.name}`, () => {
    const old = stored(pod((p) => (p.spec.activeDeadlineSeconds = 50)));
    const next = stored(old) as Record<string, any>;
    u.mutate(next);
    assert.deepEqual(check('Pod', next as KubeObject, old), u.want);
  });
}
