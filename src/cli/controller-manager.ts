// `unyo controller-manager`: the controllers as a process of their own (today the node
// lifecycle controller; the workload controllers and leader election come with issue 4).
import { ApiClient, loadKubeconfig } from '../client/client.js';
import { NodeLifecycleController } from '../controllers/nodelifecycle/controller.js';

/** Node monitor grace and check period per profile (upstream: 40 s and 5 s). */
const timers = { default: { nodeMonitorGraceSeconds: 40, periodSeconds: 5 }, fast: { nodeMonitorGraceSeconds: 8, periodSeconds: 1 } };

export async function runControllerManager(opts: { kubeconfig: string; profile: 'default' | 'fast' }): Promise<void> {
  const client = new ApiClient(loadKubeconfig(opts.kubeconfig, 'unyo-controller-manager'));
  const nodeLifecycle = new NodeLifecycleController(client, timers[opts.profile]);
  await nodeLifecycle.start();
  console.log('controller-manager: started');
  const stop = () => {
    nodeLifecycle.stop();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
