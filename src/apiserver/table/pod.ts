// The Pod row: READY, the one-word STATUS kubectl users read ("Init:0/2", "CrashLoopBackOff",
// "Completed", "Terminating"), and RESTARTS with how long ago the last restart was.
import { parseTimestamp, since, sinceMs } from './duration.js';
import { arr, obj, str, int } from './format.js';
import { AGE, NAME, column, wide, type Printer, type PrintContext, type PrintedRow, type RowCondition } from './model.js';

const succeeded: RowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const failed: RowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

/** Restart count and the latest time a counted container last terminated. */
interface Restarts {
  count: number;
  last?: number;
}

function addRestarts(into: Restarts, status: Record<string, any>): void {
  into.count += int(status.restartCount);
  const finished = parseTimestamp(obj(obj(status.lastState).terminated).finishedAt);
  if (finished !== undefined && (into.last === undefined || finished > into.last)) into.last = finished;
}

function conditionTrue(pod: Record<string, any>, type: string): boolean {
  return arr(pod.status?.conditions).some((c) => c?.type === type && c?.status === 'True');
}

/** Reason text for a container that ended with no reason given: its signal, else its exit code. */
function exitText(terminated: Record<string, any>): string {
  const signal = int(terminated.signal);
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(terminated.exitCode)}`;
}

export function podStatus(pod: Record<string, any>, ctx: PrintContext): { ready: string; status: string; restarts: string } {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  if (arr(status.conditions).some((c) => c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  // Sidecars (init containers with restartPolicy Always) run alongside the main containers,
  // so they count towards READY's total and their restarts always count.
  const sidecars = new Set(arr(spec.initContainers).filter((c) => c?.restartPolicy === 'Always').map((c) => str(c?.name)));
  const initCount = arr(spec.initContainers).length;
  const total = arr(spec.containers).length + sidecars.size;
  let ready = 0;

  const allRestarts: Restarts = { count: 0 };
  const sidecarRestarts: Restarts = { count: 0 };
  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = obj(initStatuses[i]);
    const state = obj(c.state);
    const isSidecar = sidecars.has(str(c.name));
    addRestarts(allRestarts, c);
    if (isSidecar) addRestarts(sidecarRestarts, c);

    const terminated = state.terminated ? obj(state.terminated) : undefined;
    const waiting = state.waiting ? obj(state.waiting) : undefined;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (isSidecar && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (terminated) reason = `Init:${str(terminated.reason) || exitText(terminated)}`;
    else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
    initializing = true;
    break;
  }

  let restarts = allRestarts;
  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = { ...sidecarRestarts };
    let hasRunning = false;
    // Walk backwards so the first container's state wins when several have something to say.
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = obj(statuses[i]);
      const state = obj(c.state);
      addRestarts(restarts, c);
      const waiting = state.waiting ? obj(state.waiting) : undefined;
      const terminated = state.terminated ? obj(state.terminated) : undefined;
      if (waiting && str(waiting.reason) !== '') reason = waiting.reason;
      else if (terminated) reason = str(terminated.reason) || exitText(terminated);
      else if (c.ready === true && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A container that completed while another still runs does not make the pod "Completed".
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = pod.metadata?.deletionTimestamp != null;
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsText = String(restarts.count);
  if (restarts.count !== 0 && restarts.last !== undefined) {
    restartsText = `${restarts.count} (${sinceMs(restarts.last, ctx.now)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

function readinessGates(pod: Record<string, any>): string {
  const gates = arr(pod.spec?.readinessGates);
  if (gates.length === 0) return '<none>';
  const conditions = arr(pod.status?.conditions);
  let passing = 0;
  for (const gate of gates) {
    const condition = conditions.find((c) => c?.type === gate?.conditionType);
    if (condition?.status === 'True') passing++;
  }
  return `${passing}/${gates.length}`;
}

export const pod: Printer = {
  columns: [
    NAME,
    column('Ready', 'string', 'Ready containers out of all containers of the pod.'),
    column('Status', 'string', 'One-word summary of the pod and its containers.'),
    column('Restarts', 'string', 'Container restarts, and how long ago the most recent one was.'),
    AGE,
    wide('IP', 'string', 'The first IP address of the pod.'),
    wide('Node', 'string', 'The node the pod is bound to.'),
    wide('Nominated Node', 'string', 'The node a preempting pod expects to run on.'),
    wide('Readiness Gates', 'string', 'Readiness gates whose condition is True, out of all gates.'),
  ],
  print(p, ctx): PrintedRow {
    const { ready, status, restarts } = podStatus(p, ctx);
    const ips = arr(p.status?.podIPs);
    const ip = str(ips[0]?.ip) || str(p.status?.podIP) || '<none>';
    const row: PrintedRow = {
      cells: [
        str(p.metadata?.name),
        ready,
        status,
        restarts,
        since(p.metadata?.creationTimestamp, ctx.now),
        ip,
        str(p.spec?.nodeName) || '<none>',
        str(p.status?.nominatedNodeName) || '<none>',
        readinessGates(p),
      ],
    };
    if (p.status?.phase === 'Succeeded') row.conditions = succeeded;
    else if (p.status?.phase === 'Failed') row.conditions = failed;
    return row;
  },
};
