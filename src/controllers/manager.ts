// The controller manager: sets up the chosen controllers on shared informers and runs them
// while this process holds the leader Lease, so several controller managers can run with
// exactly one active.
import { ApiClient } from '../client/client.js';
import { controllers as all } from './index.js';
import { systemClock, type Clock } from './runtime/clock.js';
import { newContext, type ClusterSigning, type Profile, type Runnable } from './runtime/context.js';
import { LeaderElector, leaderIdentity } from './runtime/leaderelection.js';

export interface ManagerOptions {
  profile: Profile;
  /** Upstream's --controllers syntax: "*" for all, "name" to add one, "-name" to leave one out. */
  controllers?: string[];
  leaderElect?: boolean;
  /** Where unyo.local volume directories live (unyo up passes <dataDir>/volumes). */
  volumesDir?: string;
  /** The CA csrsigning signs with. */
  clusterSigning?: ClusterSigning;
  clock?: Clock;
  log?: (line: string) => void;
}

/** Which controllers a --controllers list selects (upstream semantics: "*" means every one). */
export function selectControllers(spec: string[] = ['*']): string[] {
  const names = all.map((c) => c.name);
  for (const s of spec) {
    const name = s.replace(/^-/, '');
    if (s !== '*' && !names.includes(name)) throw new Error(`unknown controller "${name}"; known: ${names.join(', ')}`);
  }
  return names.filter((n) => !spec.includes(`-${n}`) && (spec.includes(n) || spec.includes('*')));
}

export class ControllerManager {
  private readonly running: Runnable[] = [];
  private elector?: LeaderElector;
  private readonly log: (line: string) => void;
  private readonly ctx;

  constructor(private readonly client: ApiClient, private readonly opts: ManagerOptions) {
    this.log = opts.log ?? ((l) => console.log(l));
    this.ctx = newContext(client, opts.clock ?? systemClock, opts.profile, { volumesDir: opts.volumesDir, clusterSigning: opts.clusterSigning });
  }

  /** Run the controllers once this process leads; `onLost` is called if leadership is lost. */
  start(onLost: () => void): void {
    const selected = selectControllers(this.opts.controllers);
    if (this.opts.leaderElect === false) {
      void this.run(selected);
      return;
    }
    const timers = this.opts.profile === 'fast' ? { leaseDurationMs: 6000, renewDeadlineMs: 4000, retryPeriodMs: 1000 } : { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 };
    this.elector = new LeaderElector(this.client, {
      namespace: 'kube-system',
      name: 'unyo-controller-manager',
      identity: leaderIdentity(),
      ...timers,
      clock: this.opts.clock,
      onStartedLeading: () => {
        this.log('controller-manager: became leader');
        void this.run(selected);
      },
      onStoppedLeading: () => {
        this.log('controller-manager: lost the leader lease');
        onLost();
      },
      onNewLeader: (id) => this.log(`controller-manager: leader is ${id}`),
    });
    this.elector.start();
  }

  private async run(selected: string[]): Promise<void> {
    for (const d of all) if (selected.includes(d.name)) this.running.push(d.setup(this.ctx));
    await this.ctx.informers.start();
    for (const r of this.running) await r.start();
    this.log(`controller-manager: started ${selected.join(', ')}`);
  }

  async stop(): Promise<void> {
    for (const r of this.running) await r.stop();
    this.ctx.informers.stop();
    await this.elector?.stop();
  }
}
