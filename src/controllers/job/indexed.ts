// Indexed Jobs (completionMode: Indexed): each Pod carries its completion index in the
// batch.kubernetes.io/job-completion-index annotation (and label); the Job records the indexes
// that succeeded as intervals ("0-2,5") in status.completedIndexes.
import { compareForDeletion, type Pod } from '../runtime/pods.js';
import type { Job } from './conditions.js';

export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';

export function isIndexed(job: Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

/** The Pod's completion index, or -1 when it has none or it is malformed. */
export function completionIndex(pod: Pod): number {
  const v = pod.metadata.annotations?.[completionIndexKey];
  if (v === undefined || !/^\d+$/.test(v)) return -1;
  return Number(v);
}

/** Sorted, non-overlapping, non-adjacent [first, last] intervals of indexes. */
export class Intervals {
  constructor(readonly list: Array<[number, number]> = []) {}

  /** Parses "1,3-5"; indexes at or past `completions` are dropped. */
  static parse(text: string | undefined, completions: number): Intervals {
    const out: number[] = [];
    for (const part of (text ?? '').split(',')) {
      if (!part) continue;
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!m) continue;
      const first = Number(m[1]);
      const last = Math.min(Number(m[2] ?? m[1]), completions - 1);
      for (let i = first; i <= last; i++) out.push(i);
    }
    return new Intervals().with(out);
  }

  has(ix: number): boolean {
    return this.list.some(([a, b]) => ix >= a && ix <= b);
  }

  total(): number {
    return this.list.reduce((n, [a, b]) => n + b - a + 1, 0);
  }

  /** These intervals plus the given indexes. */
  with(indexes: number[]): Intervals {
    const all = new Set<number>(indexes);
    for (const [a, b] of this.list) for (let i = a; i <= b; i++) all.add(i);
    const sorted = [...all].sort((x, y) => x - y);
    const list: Array<[number, number]> = [];
    for (const i of sorted) {
      const last = list[list.length - 1];
      if (last && i === last[1] + 1) last[1] = i;
      else list.push([i, i]);
    }
    return new Intervals(list);
  }

  toString(): string {
    return this.list.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
  }
}

/** The indexes that succeeded: those already recorded plus Succeeded Pods not yet counted. */
export function succeededIndexes(job: Job, pods: Pod[], hasFinalizer: (p: Pod) => boolean): { prev: Intervals; now: Intervals } {
  const completions: number = job.spec.completions;
  const prev = Intervals.parse(job.status?.completedIndexes, completions);
  const fresh: number[] = [];
  for (const p of pods) {
    const ix = completionIndex(p);
    if (p.status?.phase === 'Succeeded' && hasFinalizer(p) && ix >= 0 && ix < completions && !prev.has(ix)) fresh.push(ix);
  }
  return { prev, now: prev.with(fresh) };
}

/** The lowest `count` indexes that neither succeeded nor have an active Pod. */
export function firstPendingIndexes(active: Pod[], succeeded: Intervals, count: number, completions: number): number[] {
  const taken = new Set(active.map(completionIndex));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!succeeded.has(i) && !taken.has(i)) out.push(i);
  return out;
}

/**
 * Active Pods an Indexed Job must remove whatever its parallelism: those without a valid
 * index, and all but the most advanced Pod of an index that has several.
 */
export function duplicatedIndexPodsForRemoval(active: Pod[], completions: number): { remove: Pod[]; keep: Pod[] } {
  const remove: Pod[] = [];
  const keep: Pod[] = [];
  const byIndex = new Map<number, Pod[]>();
  for (const p of active) {
    const ix = completionIndex(p);
    if (ix < 0 || ix >= completions) remove.push(p);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
  }
  for (const group of byIndex.values()) {
    group.sort(compareForDeletion);
    remove.push(...group.slice(0, -1));
    keep.push(group[group.length - 1]);
  }
  return { remove, keep };
}

/**
 * Whether a successPolicy rule is met by the succeeded indexes (upstream matchSuccessPolicy).
 * A rule with succeededIndexes needs those (or succeededCount of them); one with only
 * succeededCount needs that many indexes in all.
 */
export function matchSuccessPolicy(policy: any, completions: number, succeeded: Intervals): string | undefined {
  const rules: any[] = policy?.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.succeededIndexes !== undefined) {
      const wanted = Intervals.parse(rule.succeededIndexes, completions);
      let hits = 0;
      for (const [a, b] of wanted.list) for (let ix = a; ix <= b; ix++) if (succeeded.has(ix)) hits++;
      const needed = rule.succeededCount ?? wanted.total();
      if (hits >= needed) return `Matched rules at index ${i}`;
    } else if (rule.succeededCount !== undefined && succeeded.total() >= rule.succeededCount) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
