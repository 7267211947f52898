// `unyo controller-manager`: the controllers as a process of their own. Several may run;
// the one holding the kube-system/unyo-controller-manager Lease is active.
import { readFileSync } from 'node:fs';
import { ApiClient, loadKubeconfig } from '../client/client.js';
import { ControllerManager } from '../controllers/manager.js';
import { parseDuration } from './duration.js';
import type { ClusterSigning, Profile } from '../controllers/runtime/context.js';

export interface ControllerManagerCommandOptions {
  kubeconfig: string;
  profile: Profile;
  controllers: string;
  leaderElect: boolean;
  volumesDir?: string;
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  clusterSigningDuration: string;
}

function clusterSigning(opts: ControllerManagerCommandOptions): ClusterSigning | undefined {
  if (!opts.clusterSigningCertFile && !opts.clusterSigningKeyFile) return undefined;
  if (!opts.clusterSigningCertFile || !opts.clusterSigningKeyFile) throw new Error('--cluster-signing-cert-file and --cluster-signing-key-file go together');
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`${flag}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return {
    ca: { cert: read(opts.clusterSigningCertFile, '--cluster-signing-cert-file'), key: read(opts.clusterSigningKeyFile, '--cluster-signing-key-file') },
    durationSeconds: parseDuration(opts.clusterSigningDuration, '--cluster-signing-duration'),
  };
}

export async function runControllerManager(opts: ControllerManagerCommandOptions): Promise<void> {
  const signing = clusterSigning(opts);
  const client = new ApiClient(loadKubeconfig(opts.kubeconfig, 'unyo-controller-manager'));
  const manager = new ControllerManager(client, { profile: opts.profile, controllers: opts.controllers.split(',').map((s) => s.trim()).filter(Boolean), leaderElect: opts.leaderElect, volumesDir: opts.volumesDir, clusterSigning: signing });
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
