// `unyo lb`: the API load balancer of an HA control plane, as its own process.
import { readFileSync } from 'node:fs';
import { ApiLoadBalancer } from '../lb/balancer.js';

export async function runLoadBalancer(opts: { port: number; host: string; backends: string; caFile: string }): Promise<void> {
  const backends = opts.backends.split(',').map((b) => {
    const m = /^([\d.]+):(\d+)$/.exec(b.trim());
    if (!m) throw new Error(`--backends: "${b}" is not HOST:PORT`);
    return { ip: m[1], port: Number(m[2]) };
  });
  const lb = new ApiLoadBalancer({ backends, caPem: readFileSync(opts.caFile, 'utf8') });
  const port = await lb.listen(opts.port, opts.host);
  console.log(`lb: ready on ${opts.host}:${port}, balancing ${backends.length} API servers`);
  const stop = async () => {
    await lb.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}
