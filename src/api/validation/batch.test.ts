import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupKindKey } from '../resources.js';
import type { KubeObject } from '../types.js';
import { check, meta, stored, template } from './testing.js';

const JOB = groupKindKey('batch', 'Job');
const CRONJOB = groupKindKey('batch', 'CronJob');

function job(mutate?: (j: Record<string, any>) => void): KubeObject {
  const t = template({});
  t.spec.restartPolicy = 'Never';
  const j: Record<string, any> = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('pi', 'default'), spec: { template: t } };
  mutate?.(j);
  return j as KubeObject;
}

const jobCases: Array<{ name: string; mutate: (j: Record<string, any>) => void; want: string[] }> = [
  { name: 'valid', mutate: () => {}, want: [] },
  { name: 'restartPolicy left to default', mutate: (j) => delete j.spec.template.spec.restartPolicy, want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'] },
  { name: 'restartPolicy Always', mutate: (j) => (j.spec.template.spec.restartPolicy = 'Always'), want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'] },
  { name: 'negative backoffLimit', mutate: (j) => (j.spec.backoffLimit = -1), want: ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'] },
  { name: 'indexed without completions', mutate: (j) => ((j.spec.completionMode = 'Indexed'), (j.spec.parallelism = 2)), want: ['spec.completions: Required value: when completion mode is Indexed'] },
  { name: 'unknown completion mode', mutate: (j) => (j.spec.completionMode = 'Sometimes'), want: ['spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"'] },
  { name: 'backoffLimitPerIndex without indexed mode', mutate: (j) => (j.spec.backoffLimitPerIndex = 1), want: ['spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode'] },
  {
    name: 'manual selector not matching',
    mutate: (j) => ((j.spec.manualSelector = true), (j.spec.selector = { matchLabels: { a: 'b' } })),
    want: ['spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`'],
  },
];

for (const c of jobCases) {
  test(`job: ${c.name}`, () => assert.deepEqual(check(JOB, job(c.mutate)), c.want));
}

test('job: the generated selector picks the controller uid', () => {
  const j = job();
  assert.deepEqual(check(JOB, j), []);
  const s = j.spec as Record<string, any>;
  assert.deepEqual(s.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-pi' } });
  assert.deepEqual(s.template.metadata.labels, { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'uid-pi', 'batch.kubernetes.io/controller-uid': 'uid-pi' });
});

test('job update: template and completions are immutable', () => {
  const old = job();
  check(JOB, old);
  const prev = stored(old);
  const next = stored(prev) as Record<string, any>;
  next.spec.template.spec.containers[0].image = 'busybox';
  next.spec.completions = 3;
  const errs = check(JOB, next as KubeObject, prev);
  assert.deepEqual(errs.map((e) => e.split(':')[0]), ['spec.completions', 'spec.template']);
  assert.match(errs[1], /: field is immutable$/);
});

function cronJob(mutate?: (c: Record<string, any>) => void): KubeObject {
  const t = template({});
  t.spec.restartPolicy = 'OnFailure';
  const c: Record<string, any> = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('backup', 'default'), spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: t } } } };
  mutate?.(c);
  return c as KubeObject;
}

const cronCases: Array<{ name: string; mutate: (c: Record<string, any>) => void; want: string[] }> = [
  { name: 'valid', mutate: () => {}, want: [] },
  { name: 'valid with time zone', mutate: (c) => (c.spec.timeZone = 'Europe/Paris'), want: [] },
  { name: 'schedule missing', mutate: (c) => delete c.spec.schedule, want: ['spec.schedule: Required value'] },
  { name: 'minute out of range', mutate: (c) => (c.spec.schedule = '61 * * * *'), want: ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'] },
  { name: 'too few fields', mutate: (c) => (c.spec.schedule = 'daily'), want: ['spec.schedule: Invalid value: "daily": expected exactly 5 fields, found 1: [daily]'] },
  { name: 'TZ in schedule', mutate: (c) => (c.spec.schedule = 'CRON_TZ=UTC * * * * *'), want: ['spec.schedule: Invalid value: "CRON_TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'] },
  { name: 'unknown time zone', mutate: (c) => (c.spec.timeZone = 'Europe/Pariss'), want: ['spec.timeZone: Invalid value: "Europe/Pariss": unknown time zone Europe/Pariss'] },
  { name: 'concurrency policy', mutate: (c) => (c.spec.concurrencyPolicy = 'Sometimes'), want: ['spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'] },
  { name: 'name longer than 52', mutate: (c) => (c.metadata.name = 'a'.repeat(53)), want: [`metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`] },
  { name: 'template restart policy', mutate: (c) => delete c.spec.jobTemplate.spec.template.spec.restartPolicy, want: ['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'] },
  { name: 'selector in template', mutate: (c) => (c.spec.jobTemplate.spec.selector = { matchLabels: { a: 'b' } }), want: ['spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated'] },
];

for (const c of cronCases) {
  test(`cronjob: ${c.name}`, () => assert.deepEqual(check(CRONJOB, cronJob(c.mutate)), c.want));
}
