// The certificates of the etcd cluster of `unyo up --ha`, laid out as kubeadm lays out its
// own under <dataDir>/pki: etcd/ca (a CA of etcd's own, so that no certificate of the cluster
// CA, such as a node agent's, opens the store), etcd/server (what members present to clients),
// etcd/peer (what members present to one another) and apiserver-etcd-client (what the API
// servers present to etcd). Made once and reused; a certificate that is missing, does not cover
// the loopback names or expires within 30 days is issued again.
import { createCa, issue, loadPair, savePair, type KeyPairPem } from '../apiserver/pki.js';
import { X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of the PEM files, as etcd and `unyo server` take them on their command lines. */
export interface EtcdPkiFiles {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  peerCertFile: string;
  peerKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

const renewBeforeMs = 30 * 24 * 3600 * 1000;
const loopbackNames = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] };

function stillGood(pair: KeyPairPem | undefined, ca: KeyPairPem, now: number): pair is KeyPairPem {
  if (!pair) return false;
  const cert = new X509Certificate(pair.cert);
  return cert.checkIssued(new X509Certificate(ca.cert)) && Date.parse(cert.validTo) - now > renewBeforeMs;
}

export async function ensureEtcdPki(dataDir: string, now = Date.now()): Promise<EtcdPkiFiles> {
  const pki = join(dataDir, 'pki');
  const dir = join(pki, 'etcd');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = loadPair(dir, 'ca');
  if (!ca) {
    ca = await createCa('etcd-ca');
    savePair(dir, 'ca', ca);
  }
  const wanted: [string, string, Parameters<typeof issue>[1]][] = [
    [dir, 'server', { commonName: 'etcd-server', ...loopbackNames, usage: 'peer' }],
    [dir, 'peer', { commonName: 'etcd-peer', ...loopbackNames, usage: 'peer' }],
    [pki, 'apiserver-etcd-client', { commonName: 'kube-apiserver-etcd-client', usage: 'client' }],
  ];
  for (const [where, name, opts] of wanted) {
    if (!stillGood(loadPair(where, name), ca, now)) savePair(where, name, await issue(ca, opts));
  }
  return {
    caFile: join(dir, 'ca.crt'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
    peerCertFile: join(dir, 'peer.crt'),
    peerKeyFile: join(dir, 'peer.key'),
    clientCertFile: join(pki, 'apiserver-etcd-client.crt'),
    clientKeyFile: join(pki, 'apiserver-etcd-client.key'),
  };
}
