// What every controller is given by the controller manager: the API client, the shared
// informers, the clock, the timer profile and an event recorder per component.
import { ApiClient } from '../../client/client.js';
import { EventRecorder } from '../../client/events.js';
import type { KeyPairPem } from '../../api/certificates/x509.js';
import type { Clock } from './clock.js';
import { SharedInformers } from './informers.js';

export type Profile = 'default' | 'fast';

export interface ControllerContext {
  client: ApiClient;
  informers: SharedInformers;
  clock: Clock;
  profile: Profile;
  /** Where unyo.local keeps volume directories (`--volumes-dir`); unset, the unyo.local controllers stay off. */
  volumesDir?: string;
  /** The CA that signs approved certificate requests (`--cluster-signing-*`); unset, csrsigning signs nothing. */
  clusterSigning?: ClusterSigning;
  /** An event recorder reporting as `component` (e.g. "deployment-controller"). */
  recorder(component: string): EventRecorder;
}

export interface ClusterSigning {
  ca: KeyPairPem;
  /** The longest validity it issues (`--cluster-signing-duration`, upstream one year). */
  durationSeconds: number;
}

/** A controller once set up: started after the informers have synced, stopped on shutdown. */
export interface Runnable {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export interface ControllerDescriptor {
  /** The name used in logs and in `--controllers` (upstream names, e.g. "deployment"). */
  name: string;
  /** Ask for informers and register handlers; nothing may be started here. */
  setup(ctx: ControllerContext): Runnable;
}

export function newContext(client: ApiClient, clock: Clock, profile: Profile, opts: { volumesDir?: string; clusterSigning?: ClusterSigning } = {}): ControllerContext {
  return {
    client,
    informers: new SharedInformers(client),
    clock,
    profile,
    volumesDir: opts.volumesDir,
    clusterSigning: opts.clusterSigning,
    recorder: (component) => new EventRecorder(client, component, undefined, () => new Date(clock.now())),
  };
}
