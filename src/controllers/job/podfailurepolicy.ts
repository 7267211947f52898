// spec.podFailurePolicy: rules matched, in order, against a failed Pod's container exit codes
// or its conditions. FailJob fails the Job at once, Ignore does not count the failure against
// backoffLimit, Count counts it as usual.
import type { Pod } from '../runtime/pods.js';

export interface PolicyMatch {
  /** Set when the Job must fail (a FailJob rule matched). */
  failJobMessage?: string;
  /** Whether the failure counts against backoffLimit. */
  countFailed: boolean;
  action?: string;
}

function matchingContainer(statuses: any[] | undefined, req: any): any | undefined {
  for (const s of statuses ?? []) {
    const terminated = s.state?.terminated;
    // A container still terminating has no exit code to match; a zero exit is no failure.
    if (!terminated || terminated.exitCode === 0) continue;
    if (req.containerName && req.containerName !== s.name) continue;
    const listed = (req.values ?? []).includes(terminated.exitCode);
    if (req.operator === 'In' ? listed : !listed) return s;
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: any, pod: Pod): PolicyMatch {
  if (!policy) return { countFailed: true };
  const rules: any[] = policy.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    let what: string | undefined;
    if (rule.onExitCodes) {
      const c = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (c) what = `Container ${c.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${c.state.terminated.exitCode} matching ${rule.action} rule at index ${i}`;
    } else if (rule.onPodConditions) {
      const cond = (pod.status?.conditions ?? []).find((pc) => (rule.onPodConditions as any[]).some((p) => p.type === pc.type && (p.status ?? 'True') === pc.status));
      if (cond) what = `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${cond.type} matching ${rule.action} rule at index ${i}`;
    }
    if (what === undefined) continue;
    switch (rule.action) {
      case 'Ignore':
        return { countFailed: false, action: 'Ignore' };
      case 'FailJob':
        return { failJobMessage: what, countFailed: true, action: 'FailJob' };
      case 'FailIndex':
      case 'Count':
        return { countFailed: true, action: rule.action };
    }
  }
  return { countFailed: true };
}
