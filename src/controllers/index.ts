// Every controller the controller manager runs, by its upstream name. A controller is one
// folder under src/controllers/ exporting a ControllerDescriptor.
import type { ControllerDescriptor } from './runtime/context.js';
import { nodeLifecycle } from './nodelifecycle/controller.js';
import { endpoints } from './endpoints/controller.js';
import { endpointSlice } from './endpointslice/controller.js';
import { garbageCollector } from './garbagecollector/controller.js';
import { namespace } from './namespace/controller.js';

export const controllers: ControllerDescriptor[] = [
  nodeLifecycle,
  endpoints,
  endpointSlice,
  garbageCollector,
  namespace,
];
