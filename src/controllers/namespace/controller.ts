// The namespace controller (upstream's): a namespace being deleted is emptied by the deleter
// and released through its `kubernetes` finalizer. While content remains (objects waiting on
// finalizers, Pods in their grace period) the namespace is looked at again after about half
// the estimated time, as upstream does.
import type { KubeObject } from '../../api/types.js';
import { Controller, type Result } from '../runtime/controller.js';
import type { ControllerContext, ControllerDescriptor } from '../runtime/context.js';
import { resources } from '../runtime/informers.js';
import { NamespacedResourcesDeleter, ResourcesRemainingError } from './deleter.js';

export interface NamespaceControllerOptions {
  /**
   * How long after seeing a deletion the controller starts emptying (upstream 5 s): time for
   * every API server to see the namespace terminating and refuse new content in it.
   */
  deletionGracePeriodMs: number;
  /** Namespaces emptied at once (upstream --concurrent-namespace-syncs, 10). */
  workers: number;
}

const options: Record<ControllerContext['profile'], NamespaceControllerOptions> = {
  default: { deletionGracePeriodMs: 5000, workers: 10 },
  fast: { deletionGracePeriodMs: 1000, workers: 10 },
};

export const namespace: ControllerDescriptor = {
  name: 'namespace',
  setup: (ctx) => new NamespaceController(ctx, options[ctx.profile]),
};

export class NamespaceController {
  readonly controller: Controller;
  private readonly deleter: NamespacedResourcesDeleter;

  constructor(ctx: ControllerContext, private readonly opts: NamespaceControllerOptions) {
    this.deleter = new NamespacedResourcesDeleter(ctx.client, () => ctx.clock.now());
    this.controller = new Controller('namespace', (name) => this.sync(name), { workers: opts.workers, clock: ctx.clock });
    const enqueue = (ns: KubeObject) => {
      if (ns.metadata.deletionTimestamp) this.controller.enqueueAfter(ns.metadata.name!, opts.deletionGracePeriodMs);
    };
    ctx.informers.get(resources.namespaces).on({ add: enqueue, update: (_old, ns) => enqueue(ns) });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private async sync(name: string): Promise<Result | void> {
    try {
      await this.deleter.delete(name);
    } catch (err) {
      if (err instanceof ResourcesRemainingError) return { requeueAfterMs: (Math.floor(err.estimate / 2) + 1) * 1000 };
      throw err;
    }
  }
}
