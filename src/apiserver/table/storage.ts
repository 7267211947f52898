// Printers for the storage.k8s.io group: StorageClasses (the default one marked
// "(default)"), CSI drivers and nodes, and VolumeAttachments.
import { since } from './duration.js';
import { arr, obj, str } from './format.js';
import { AGE, NAME, column, type Printer } from './model.js';

const name = (o: Record<string, any>) => str(o.metadata?.name);
const age = (o: Record<string, any>, now: Date) => since(o.metadata?.creationTimestamp, now);
const flag = (value: unknown, fallback: boolean) => (typeof value === 'boolean' ? value : fallback);

function isDefaultClass(o: Record<string, any>): boolean {
  const annotations = obj(o.metadata?.annotations);
  return annotations['storageclass.kubernetes.io/is-default-class'] === 'true' || annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

export const storageClass: Printer = {
  columns: [
    NAME,
    column('Provisioner', 'string', 'The volume plugin or driver that provisions volumes of this class.'),
    column('ReclaimPolicy', 'string', 'What happens to provisioned volumes when released.'),
    column('VolumeBindingMode', 'string', 'When volumes are bound: Immediate or WaitForFirstConsumer.'),
    column('AllowVolumeExpansion', 'string', 'Whether claims of this class can be resized.'),
    AGE,
  ],
  print: (o, { now }) => ({
    cells: [
      isDefaultClass(o) ? `${name(o)} (default)` : name(o),
      str(o.provisioner),
      str(o.reclaimPolicy) || 'Delete',
      str(o.volumeBindingMode) || 'Immediate',
      flag(o.allowVolumeExpansion, false),
      age(o, now),
    ],
  }),
};

export const csiDriver: Printer = {
  columns: [
    NAME,
    column('AttachRequired', 'boolean', 'Whether volumes need an attach step before mounting.'),
    column('PodInfoOnMount', 'boolean', 'Whether pod details are passed to the driver on mount.'),
    column('StorageCapacity', 'boolean', 'Whether the scheduler considers reported storage capacity.'),
    column('TokenRequests', 'string', 'Audiences of the service account tokens passed to the driver.'),
    column('RequiresRepublish', 'boolean', 'Whether the driver is called periodically to refresh mounts.'),
    column('Modes', 'string', 'Volume lifecycle modes the driver supports.'),
    AGE,
  ],
  print(o, { now }) {
    const spec = obj(o.spec);
    const tokenRequests = Array.isArray(spec.tokenRequests) ? spec.tokenRequests.map((t: any) => str(t?.audience)).join(',') : '<unset>';
    return {
      cells: [
        name(o),
        flag(spec.attachRequired, true),
        flag(spec.podInfoOnMount, false),
        flag(spec.storageCapacity, false),
        tokenRequests,
        flag(spec.requiresRepublish, false),
        arr(spec.volumeLifecycleModes).map(str).join(',') || '<none>',
        age(o, now),
      ],
    };
  },
};

export const csiNode: Printer = {
  columns: [NAME, column('Drivers', 'integer', 'Number of CSI drivers registered on the node.'), AGE],
  print: (o, { now }) => ({ cells: [name(o), arr(o.spec?.drivers).length, age(o, now)] }),
};

export const volumeAttachment: Printer = {
  columns: [
    NAME,
    column('Attacher', 'string', 'The driver that attaches the volume.', 0, 'name'),
    column('PV', 'string', 'The persistent volume being attached.'),
    column('Node', 'string', 'The node the volume is attached to.'),
    column('Attached', 'boolean', 'Whether the attach operation succeeded.'),
    AGE,
  ],
  print: (o, { now }) => ({
    cells: [name(o), str(o.spec?.attacher), str(o.spec?.source?.persistentVolumeName), str(o.spec?.nodeName), o.status?.attached === true, age(o, now)],
  }),
};
