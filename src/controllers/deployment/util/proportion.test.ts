import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proportion } from './proportion.js';
import { deployment, replicaSet } from './testing.js';

const cases: Array<{ name: string; replicas: number; rs: number; maxAnnotation?: number; statusReplicas?: number; toAdd: number; added: number; want: number }> = [
  { name: 'the worked example, old ReplicaSet', replicas: 15, rs: 8, maxAnnotation: 13, toAdd: 6, added: 0, want: 4 },
  { name: 'the worked example, new ReplicaSet', replicas: 15, rs: 5, maxAnnotation: 13, toAdd: 6, added: 4, want: 2 },
  { name: 'capped by what is left to add', replicas: 15, rs: 8, maxAnnotation: 13, toAdd: 6, added: 5, want: 1 },
  { name: 'scaling down (5 + 2 surge = 7: 8 x 7/13 = 4.3 -> 4)', replicas: 5, rs: 8, maxAnnotation: 13, toAdd: -6, added: 0, want: -4 },
  { name: 'scaling down is capped too', replicas: 5, rs: 8, maxAnnotation: 13, toAdd: -6, added: -5, want: -1 },
  { name: 'to zero takes everything', replicas: 0, rs: 8, maxAnnotation: 13, toAdd: -13, added: 0, want: -8 },
  { name: 'without the annotation, the current size is the base', replicas: 20, rs: 5, statusReplicas: 10, toAdd: 20, added: 0, want: 8 },
  { name: 'an empty ReplicaSet never grows', replicas: 20, rs: 0, maxAnnotation: 13, toAdd: 6, added: 0, want: 0 },
];

for (const c of cases) {
  test(`proportion: ${c.name}`, () => {
    const d = deployment(c.replicas, { statusReplicas: c.statusReplicas });
    const rs = replicaSet('a', c.rs, { annotations: c.maxAnnotation === undefined ? {} : { 'deployment.kubernetes.io/max-replicas': String(c.maxAnnotation) } });
    assert.equal(proportion(rs, d, c.toAdd, c.added), c.want);
  });
}
