// `unyo proxy`: the Service proxy and the cluster DNS of this machine (started by `unyo up`).
// Every node of `unyo up` shares the host's loopback, so one proxy serves them all.
import { ApiClient, loadKubeconfig } from '../client/client.js';
import { ServiceProxy } from '../proxy/proxy.js';
import { ClusterDNS } from '../proxy/dns/cluster.js';
import { DNSServer } from '../proxy/dns/server.js';

export interface ProxyOptions {
  kubeconfig: string;
  clusterDns: string;
  clusterDomain: string;
  dnsPort: number;
}

export async function runProxy(opts: ProxyOptions): Promise<void> {
  const client = new ApiClient(loadKubeconfig(opts.kubeconfig, 'unyo-proxy'));
  const reserved = new Set(opts.clusterDns ? [`${opts.clusterDns}:${opts.dnsPort}`] : []);
  const proxy = new ServiceProxy({ client, reserved });
  await proxy.start();
  let dns: DNSServer | undefined;
  if (opts.clusterDns) {
    dns = new DNSServer({ address: opts.clusterDns, port: opts.dnsPort, cluster: new ClusterDNS(proxy, opts.clusterDomain) });
    try {
      await dns.start();
      console.log(`unyo proxy: cluster DNS on ${opts.clusterDns}:${opts.dnsPort} (udp, tcp) for ${opts.clusterDomain}`);
    } catch (err) {
      console.error(`unyo proxy: cannot serve the cluster DNS on ${opts.clusterDns}:${opts.dnsPort}: ${(err as Error).message}; Pods will not resolve cluster names`);
      dns = undefined;
    }
  }
  console.log('unyo proxy: watching Services and EndpointSlices');
  const stop = () => {
    dns?.stop();
    proxy.stop();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
