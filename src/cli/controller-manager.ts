// `unyo controller-manager`: the controllers as a process of their own. Several may run;
// the one holding the kube-system/unyo-controller-manager Lease is active.
import { ApiClient, loadKubeconfig } from '../client/client.js';
import { ControllerManager } from '../controllers/manager.js';
import type { Profile } from '../controllers/runtime/context.js';

export async function runControllerManager(opts: { kubeconfig: string; profile: Profile; controllers: string; leaderElect: boolean; volumesDir?: string }): Promise<void> {
  const client = new ApiClient(loadKubeconfig(opts.kubeconfig, 'unyo-controller-manager'));
  const manager = new ControllerManager(client, { profile: opts.profile, controllers: opts.controllers.split(',').map((s) => s.trim()).filter(Boolean), leaderElect: opts.leaderElect, volumesDir: opts.volumesDir });
  // Losing the lease means another manager may already act: stop at once, as upstream does.
  manager.start(() => process.exit(1));
  const stop = async () => {
    await manager.stop().catch(() => undefined);
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}
