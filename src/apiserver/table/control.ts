// Printers for the remaining control-plane kinds: PodDisruptionBudgets, Leases,
// PriorityClasses, RuntimeClasses, RBAC bindings, admission webhooks and CSRs.
import { humanDuration, since } from './duration.js';
import { arr, int, intOrString, str } from './format.js';
import { AGE, NAME, column, wide, type Printer } from './model.js';

const name = (o: Record<string, any>) => str(o.metadata?.name);
const age = (o: Record<string, any>, now: Date) => since(o.metadata?.creationTimestamp, now);

export const podDisruptionBudget: Printer = {
  columns: [
    NAME,
    column('Min Available', 'string', 'Pods that must stay available.'),
    column('Max Unavailable', 'string', 'Pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Pods that may be disrupted right now.'),
    AGE,
  ],
  print: (o, { now }) => ({
    cells: [
      name(o),
      o.spec?.minAvailable != null ? intOrString(o.spec.minAvailable) : 'N/A',
      o.spec?.maxUnavailable != null ? intOrString(o.spec.maxUnavailable) : 'N/A',
      int(o.status?.disruptionsAllowed),
      age(o, now),
    ],
  }),
};

export const lease: Printer = {
  columns: [NAME, column('Holder', 'string', 'Identity of the current holder of the lease.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), str(o.spec?.holderIdentity), age(o, now)] }),
};

export const priorityClass: Printer = {
  columns: [
    NAME,
    column('Value', 'integer', 'Priority of pods in this class; higher is more important.'),
    column('Global-Default', 'boolean', 'Whether pods without a class get this one.'),
    AGE,
    column('PreemptionPolicy', 'string', 'Whether pods of this class may preempt lower-priority pods.'),
  ],
  print: (o, { now }) => ({ cells: [name(o), int(o.value), o.globalDefault === true, age(o, now), str(o.preemptionPolicy)] }),
};

export const runtimeClass: Printer = {
  columns: [NAME, column('Handler', 'string', 'The runtime configuration that runs pods of this class.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), str(o.handler), age(o, now)] }),
};

/** Subjects split into users, groups and "namespace/name" service accounts. */
function subjects(o: Record<string, any>): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of arr(o.subjects)) {
    if (s?.kind === 'User') users.push(str(s.name));
    else if (s?.kind === 'Group') groups.push(str(s.name));
    else if (s?.kind === 'ServiceAccount') serviceAccounts.push(`${str(s.namespace)}/${str(s.name)}`);
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

function bindingPrinter(of: string): Printer {
  return {
    columns: [
      NAME,
      column('Role', 'string', 'The role granted, as Kind/name.'),
      AGE,
      wide('Users', 'string', `Users in the ${of}.`),
      wide('Groups', 'string', `Groups in the ${of}.`),
      wide('ServiceAccounts', 'string', `Service accounts in the ${of}.`),
    ],
    print: (o, { now }) => ({ cells: [name(o), `${str(o.roleRef?.kind)}/${str(o.roleRef?.name)}`, age(o, now), ...subjects(o)] }),
  };
}

export const roleBinding = bindingPrinter('roleBinding');
export const clusterRoleBinding = bindingPrinter('clusterRoleBinding');

export const webhookConfiguration: Printer = {
  columns: [NAME, column('Webhooks', 'integer', 'Number of webhooks in the configuration.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), arr(o.webhooks).length, age(o, now)] }),
};

/** Denied beats Approved beats Pending; Failed and Issued are appended. */
function csrCondition(o: Record<string, any>): string {
  const types = new Set(arr(o.status?.conditions).map((c) => c?.type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (str(o.status?.certificate) !== '') status += ',Issued';
  return status;
}

export const certificateSigningRequest: Printer = {
  columns: [
    NAME,
    AGE,
    column('SignerName', 'string', 'The signer asked to sign the certificate.'),
    column('Requestor', 'string', 'The user who created the request.'),
    column('RequestedDuration', 'string', 'Validity period asked for.'),
    column('Condition', 'string', 'Approval state of the request, and whether it was issued.'),
  ],
  print: (o, { now }) => ({
    cells: [
      name(o),
      age(o, now),
      str(o.spec?.signerName) || '<none>',
      str(o.spec?.username),
      typeof o.spec?.expirationSeconds === 'number' ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>',
      csrCondition(o),
    ],
  }),
};
