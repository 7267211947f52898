// Printers for the apps group: Deployments, ReplicaSets, DaemonSets, StatefulSets and the
// ControllerRevisions that record their history.
import { since } from './duration.js';
import { containerCells, formatLabelSelector, formatLabels, groupOf, int, labelSelectorString, obj, str } from './format.js';
import { AGE, CONTAINERS, IMAGES, NAME, SELECTOR, column, type Printer } from './model.js';

const name = (o: Record<string, any>) => str(o.metadata?.name);
const age = (o: Record<string, any>, now: Date) => since(o.metadata?.creationTimestamp, now);
/** spec.replicas, which defaulting sets to 1 when a workload is created without it. */
const desired = (o: Record<string, any>) => int(o.spec?.replicas ?? 1);

export const deployment: Printer = {
  columns: [
    NAME,
    column('Ready', 'string', 'Ready pods out of desired pods.'),
    column('Up-to-date', 'string', 'Pods running the latest pod template.'),
    column('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(o, { now }) {
    const [names, images] = containerCells(o.spec?.template?.spec);
    // Unlike the other workloads, an empty Deployment selector prints as '' rather than <none>.
    let selector: string;
    try {
      selector = labelSelectorString(o.spec?.selector);
    } catch {
      selector = '<invalid>';
    }
    return {
      cells: [
        name(o),
        `${int(o.status?.readyReplicas)}/${desired(o)}`,
        int(o.status?.updatedReplicas),
        int(o.status?.availableReplicas),
        age(o, now),
        names,
        images,
        selector,
      ],
    };
  },
};

export const replicaSet: Printer = {
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
      cells: [name(o), desired(o), int(o.status?.replicas), int(o.status?.readyReplicas), age(o, now), names, images, formatLabelSelector(o.spec?.selector)],
    };
  },
};

export const daemonSet: Printer = {
  columns: [
    NAME,
    column('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    column('Current', 'integer', 'Nodes running at least one daemon pod.'),
    column('Ready', 'integer', 'Nodes whose daemon pod is ready.'),
    column('Up-to-date', 'integer', 'Nodes running the latest pod template.'),
    column('Available', 'integer', 'Nodes whose daemon pod is available.'),
    column('Node Selector', 'string', 'Node labels the daemon pods are restricted to.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  print(o, { now }) {
    const s = obj(o.status);
    const [names, images] = containerCells(o.spec?.template?.spec);
    return {
      cells: [
        name(o),
        int(s.desiredNumberScheduled),
        int(s.currentNumberScheduled),
        int(s.numberReady),
        int(s.updatedNumberScheduled),
        int(s.numberAvailable),
        formatLabels(o.spec?.template?.spec?.nodeSelector),
        age(o, now),
        names,
        images,
        formatLabelSelector(o.spec?.selector),
      ],
    };
  },
};

export const statefulSet: Printer = {
  columns: [NAME, column('Ready', 'string', 'Ready pods out of desired pods.'), AGE, CONTAINERS, IMAGES],
  print(o, { now }) {
    const [names, images] = containerCells(o.spec?.template?.spec);
    return { cells: [name(o), `${int(o.status?.readyReplicas)}/${desired(o)}`, age(o, now), names, images] };
  },
};

/** The controlling owner as "kind.group/name" in lower case ("statefulset.apps/web"). */
function controllerName(o: Record<string, any>): string {
  const owner = (o.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true);
  if (!owner) return '<none>';
  const group = groupOf(owner.apiVersion);
  const kind = str(owner.kind);
  if (!kind && !group) return str(owner.name);
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${str(owner.name)}`;
}

export const controllerRevision: Printer = {
  columns: [NAME, column('Controller', 'string', 'The object this revision belongs to.'), column('Revision', 'string', 'Revision number.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), controllerName(o), int(o.revision), age(o, now)] }),
};
