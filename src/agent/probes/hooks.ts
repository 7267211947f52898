// The node agent's entry to probing: start a running container's probes, stop them when the
// container goes. Shaped as the pod worker's ProbeHooks.
import type { Runtime } from '../runtime/runtime.js';
import { ContainerProbes, type Clock, type OnProbe, type OnResult, type ProbedContainer } from './worker.js';

export function probeHooks(runtime: Pick<Runtime, 'exec'>, clock?: Clock) {
  return {
    /**
     * onChange hears transitions; onProbe, if given, every run (upstream records an Unhealthy
     * event per failed probe). The pod is not needed: exec probes get no pod environment, as upstream.
     */
    start(_pod: unknown, container: ProbedContainer, containerId: string, podIP: string, onChange: OnResult, onProbe?: OnProbe): () => void {
      const probes = new ContainerProbes(container, { podIP, containerId, runtime }, { onResult: onChange, onProbe, clock });
      probes.start();
      return () => probes.stop();
    },
  };
}
