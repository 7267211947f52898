// Worker-thread side of WriterPool (writers.ts): builds this thread's clients, one connection
// each, and runs closed-loop rounds of writes when asked.
import { parentPort, workerData } from 'node:worker_threads';
import { Etcd3 } from 'etcd3';
import { closedLoop } from './load.js';
import { configMap, KubeClient } from './unyo.js';
import type { WriterReply, WriterRequest, WriterSetup } from './writers.js';

const setup = workerData as WriterSetup;
const port = parentPort!;
const send = (m: WriterReply) => port.postMessage(m);

type Write = (client: number, name: string) => Promise<void>;

function connect(): { write: Write; close: () => void } {
  const { target, value } = setup;
  if (target.kind === 'etcd') {
    const clients = Array.from({ length: setup.clients }, () => new Etcd3({ hosts: target.endpoint }));
    return {
      write: async (client, name) => {
        await clients[client].put(`${target.keyPrefix}${name}`).value(value);
      },
      close: () => clients.forEach((c) => c.close()),
    };
  }
  const kube = new KubeClient(new URL(target.server), target.ca, target.token);
  const agent = kube.agent(setup.clients);
  const path = `/api/v1/namespaces/${target.namespace}/configmaps`;
  return {
    write: async (_client, name) => {
      await kube.expect(agent, 201, 'POST', path, configMap(name, value));
    },
    close: () => agent.destroy(),
  };
}

const { write, close } = connect();
port.on('message', (m: WriterRequest) => {
  if ('close' in m) {
    close();
    port.close();
    return;
  }
  const { seconds, tag } = m.run;
  closedLoop(setup.clients, seconds, (client, seq) => write(client, `${tag}-${setup.firstClient + client}-${seq}`)).then(
    (result) => send({ result }),
    (err: unknown) => send({ error: (err as Error).message }),
  );
});
send({ ready: true });
