import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { cluster, filterAll, node, pod, scoreAll, type PodOptions } from '../testing.js';
import type { PodAffinityTerm } from '../types.js';
import { interPodAffinity } from './interpodaffinity.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const nodes = [node('a', { labels: { [ZONE]: 'z1' } }), node('b', { labels: { [ZONE]: 'z1' } }), node('c', { labels: { [ZONE]: 'z2' } }), node('d')];
const namespaces: KubeObject[] = [{ metadata: { name: 'default', labels: { team: 'x' } } }, { metadata: { name: 'other', labels: { team: 'y' } } }];
const term = (app: string, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });
const db = pod('db', { nodeName: 'a', labels: { app: 'db' } });

const AFF = "node(s) didn't match pod affinity rules (unresolvable)";
const ANTI = "node(s) didn't match pod anti-affinity rules";
const EXISTING = "node(s) didn't satisfy existing pods anti-affinity rules";

const cases: Array<{ name: string; incoming: PodOptions; others?: PodOptions[]; want: string[] }> = [
  { name: 'no rules', incoming: {}, want: ['a: ok', 'b: ok', 'c: ok', 'd: ok'] },
  {
    name: 'affinity to a zone holding a match',
    incoming: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE)] } } },
    want: ['a: ok', 'b: ok', `c: ${AFF}`, `d: ${AFF}`],
  },
  {
    name: 'the first of its kind may go anywhere with the label',
    incoming: { labels: { app: 'cache' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', ZONE)] } } },
    want: ['a: ok', 'b: ok', 'c: ok', `d: ${AFF}`],
  },
  {
    name: 'affinity to pods that do not exist',
    incoming: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', ZONE)] } } },
    want: [`a: ${AFF}`, `b: ${AFF}`, `c: ${AFF}`, `d: ${AFF}`],
  },
  {
    name: 'affinity limited to another namespace',
    incoming: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE, { namespaces: ['other'] })] } } },
    want: [`a: ${AFF}`, `b: ${AFF}`, `c: ${AFF}`, `d: ${AFF}`],
  },
  {
    name: 'affinity through a namespace selector',
    incoming: { namespace: 'other', affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE, { namespaceSelector: { matchLabels: { team: 'x' } } })] } } },
    want: ['a: ok', 'b: ok', `c: ${AFF}`, `d: ${AFF}`],
  },
  {
    name: 'a missing label selector matches no pod',
    incoming: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: ZONE }] } } },
    want: [`a: ${AFF}`, `b: ${AFF}`, `c: ${AFF}`, `d: ${AFF}`],
  },
  {
    name: 'anti-affinity per host',
    incoming: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', HOST)] } } },
    want: [`a: ${ANTI}`, 'b: ok', 'c: ok', 'd: ok'],
  },
  {
    name: 'anti-affinity per zone',
    incoming: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE)] } } },
    want: [`a: ${ANTI}`, `b: ${ANTI}`, 'c: ok', 'd: ok'],
  },
  {
    name: "a running pod's anti-affinity keeps matching pods out of its zone",
    incoming: { labels: { app: 'web' } },
    others: [{ nodeName: 'c', labels: { app: 'lonely' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', ZONE)] } } }],
    want: ['a: ok', 'b: ok', `c: ${EXISTING}`, 'd: ok'],
  },
  {
    name: "a running pod's anti-affinity in another namespace does not apply",
    incoming: { labels: { app: 'web' }, namespace: 'other' },
    others: [{ nodeName: 'c', affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', ZONE)] } } }],
    want: ['a: ok', 'b: ok', 'c: ok', 'd: ok'],
  },
];

for (const tc of cases) {
  test(`InterPodAffinity filter: ${tc.name}`, () => {
    const c = cluster({ nodes, namespaces, pods: [db, ...(tc.others ?? []).map((o, i) => pod(`other-${i}`, o))] });
    assert.deepEqual(filterAll(interPodAffinity, pod('p', tc.incoming), c), tc.want);
  });
}

const scoreCases: Array<{ name: string; incoming: PodOptions; others?: PodOptions[]; want: number[] | undefined }> = [
  { name: 'nobody prefers anything', incoming: {}, want: undefined },
  {
    name: 'preferred affinity to the zone with a match',
    incoming: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('db', ZONE) }] } } },
    want: [100, 100, 0, 0],
  },
  {
    name: 'preferred anti-affinity to the host with a match',
    incoming: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term('db', HOST) }] } } },
    want: [0, 100, 100, 100],
  },
  {
    name: "a running pod's required affinity draws matching pods (weight 1)",
    incoming: { labels: { app: 'web' } },
    others: [{ nodeName: 'c', affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', ZONE)] } } }],
    want: [0, 0, 100, 0],
  },
  {
    name: "a running pod's preferred anti-affinity pushes matching pods away",
    incoming: { labels: { app: 'web' } },
    others: [{ nodeName: 'c', affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('web', HOST) }] } } }],
    want: [100, 100, 0, 100],
  },
];

for (const tc of scoreCases) {
  test(`InterPodAffinity score: ${tc.name}`, () => {
    const c = cluster({ nodes, namespaces, pods: [db, ...(tc.others ?? []).map((o, i) => pod(`other-${i}`, o))] });
    assert.deepEqual(scoreAll(interPodAffinity, pod('p', tc.incoming), c), tc.want);
  });
}
