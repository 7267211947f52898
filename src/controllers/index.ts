// Every controller the controller manager runs, by its upstream name. A controller is one
// folder under src/controllers/ exporting a ControllerDescriptor.
import type { ControllerDescriptor } from './runtime/context.js';
import { daemonSet } from './daemonset/controller.js';
import { nodeLifecycle } from './nodelifecycle/controller.js';
import { endpoints } from './endpoints/controller.js';
import { endpointSlice } from './endpointslice/controller.js';
import { replicaSet } from './replicaset/controller.js';
import { deployment } from './deployment/controller.js';
import { persistentVolumeBinder } from './persistentvolume/controller.js';
import { pvcProtection } from './volumeprotection/pvcprotection.js';
import { pvProtection } from './volumeprotection/pvprotection.js';
import { snapshotController } from './volumesnapshot/controller.js';
import { unyoLocalProvisioner } from './unyolocal/provisioner.js';
import { unyoLocalResizer } from './unyolocal/resizer.js';
import { unyoLocalSnapshotter } from './unyolocal/snapshotter.js';
import { garbageCollector } from './garbagecollector/controller.js';
import { namespace } from './namespace/controller.js';
import { statefulSet } from './statefulset/controller.js';
import { jobController } from './job/controller.js';
import { ttlAfterFinished } from './ttlafterfinished/controller.js';
import { cronJobController } from './cronjob/controller.js';
import { disruptionController } from './disruption/controller.js';
import { resourceQuotaController } from './resourcequota/controller.js';
import { podGC } from './podgc/controller.js';
import { csrApproving } from './certificates/approver.js';
import { csrSigning } from './certificates/signer.js';

export const controllers: ControllerDescriptor[] = [
  nodeLifecycle,
  endpoints,
  endpointSlice,
  replicaSet,
  deployment,
  persistentVolumeBinder,
  pvcProtection,
  pvProtection,
  snapshotController,
  unyoLocalProvisioner,
  unyoLocalResizer,
  unyoLocalSnapshotter,
  garbageCollector,
  namespace,
  daemonSet,
  statefulSet,
  jobController,
  ttlAfterFinished,
  cronJobController,
  disruptionController,
  resourceQuotaController,
  podGC,
  csrApproving,
  csrSigning,
];
