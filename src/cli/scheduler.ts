// `unyo scheduler`: the scheduler as its own process, talking to the API server.
import { ApiClient, loadKubeconfig } from '../client/client.js';
import { Scheduler } from '../scheduler/scheduler.js';

export async function runScheduler(opts: { kubeconfig: string }): Promise<void> {
  const client = new ApiClient(loadKubeconfig(opts.kubeconfig, 'unyo-scheduler'));
  const scheduler = new Scheduler(client, {});
  await scheduler.start();
  console.log('scheduler: started');
  const stop = () => {
    scheduler.stop();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
