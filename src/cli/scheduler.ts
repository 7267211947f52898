// `unyo scheduler`: the scheduler as its own process, talking to the API server. Several may
// run (one per control-plane machine); the one holding the kube-system/kube-scheduler Lease
// schedules, as upstream's kube-scheduler does.
import { ApiClient, loadKubeconfig } from '../client/client.js';
import { LeaderElector, leaderIdentity } from '../controllers/runtime/leaderelection.js';
import { Scheduler } from '../scheduler/scheduler.js';

export async function runScheduler(opts: { kubeconfig: string; leaderElect: boolean; profile: 'default' | 'fast' }): Promise<void> {
  const client = new ApiClient(loadKubeconfig(opts.kubeconfig, 'unyo-scheduler'));
  const scheduler = new Scheduler(client, {});
  let elector: LeaderElector | undefined;
  const stop = async () => {
    scheduler.stop();
    await elector?.stop();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (!opts.leaderElect) {
    await scheduler.start();
    console.log('scheduler: started');
    return;
  }
  const timers = opts.profile === 'fast' ? { leaseDurationMs: 6000, renewDeadlineMs: 4000, retryPeriodMs: 1000 } : { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 };
  elector = new LeaderElector(client, {
    namespace: 'kube-system',
    name: 'kube-scheduler',
    identity: leaderIdentity(),
    ...timers,
    onStartedLeading: () => {
      console.log('scheduler: became leader');
      void scheduler.start().then(() => console.log('scheduler: started'));
    },
    // Another scheduler may already bind Pods: stop at once, as upstream does.
    onStoppedLeading: () => {
      console.error('scheduler: lost the leader lease');
      process.exit(1);
    },
    onNewLeader: (id) => console.log(`scheduler: leader is ${id}`),
  });
  elector.start();
}
