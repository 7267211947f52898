// kube-public/cluster-info: a ConfigMap whose `kubeconfig` holds the cluster CA and the API
// server's address and no credentials, as kubeadm publishes it. Anonymous users may read it: a
// joining node fetches it before it trusts anything and checks the CA against its pin
// (`--ca-cert-hash`). Written at start when missing or out of date (a new address or CA).
import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import { storageKey } from '../api/resources.js';
import { KeyExistsError, ConflictError, type Store } from '../store/store.js';

const rfc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The kubeconfig cluster-info carries: one cluster, named "" as kubeadm names it. */
export function clusterInfoKubeconfig(server: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: '', cluster: { 'certificate-authority-data': Buffer.from(caPem).toString('base64'), server } }],
    contexts: null,
    'current-context': '',
    preferences: {},
    users: null,
  });
}

export class ClusterInfo {
  constructor(private readonly store: Store, private readonly server: string, private readonly caPem: string, private readonly now: () => Date) {}

  async ensure(): Promise<void> {
    const key = storageKey('', 'configmaps', 'kube-public', 'cluster-info');
    const kubeconfig = clusterInfoKubeconfig(this.server, this.caPem);
    for (let attempt = 0; attempt < 5; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) {
        const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public', uid: randomUUID(), creationTimestamp: rfc(this.now()) }, data: { kubeconfig } };
        try {
          await this.store.create(key, JSON.stringify(cm));
          return;
        } catch (err) {
          if (err instanceof KeyExistsError) continue;
          throw err;
        }
      }
      const cm = JSON.parse(kv.value);
      if (cm.data?.kubeconfig === kubeconfig) return;
      cm.data = { ...(cm.data ?? {}), kubeconfig };
      try {
        await this.store.update(key, JSON.stringify(cm), kv.modRevision);
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }
}
