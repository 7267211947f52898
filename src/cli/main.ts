// The `unyo` command: parses the command line and hands each subcommand to its module
// (loaded on demand, so each process carries only the code of its own role).
import { Command, InvalidArgumentError, CommanderError } from 'commander';


// A component `unyo up` started goes when `unyo up` goes, even by kill -9: left running it would
// act for a cluster nobody runs (its containers stay, for the next `unyo up` to re-adopt).
const supervisor = Number(process.env.UNYO_SUPERVISOR_PID);
if (supervisor) {
  setInterval(() => {
    if (process.ppid !== supervisor) {
      console.error(`unyo: ${process.argv[2]}: unyo up (pid ${supervisor}) is gone; exiting`);
      process.exit(1);
    }
  }, 1000).unref();
}

const program = new Command();
program.name('unyo').description('Kubernetes in production: a Kubernetes-API-compatible cluster and the operations layer on top of it').version('0.1.0');
program.exitOverride();
program.configureOutput({ outputError: (str, write) => write(str.split('\n')[0] + '\n') });

const int = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

program
  .command('up')
  .description('run a local cluster in the foreground until interrupted')
  .option('--data-dir <dir>', 'where the cluster keeps its state', './.unyo')
  .option('--port <port>', 'API server port', int('--port', 0, 65535), 6443)
  .option('--nodes <n>', 'number of node agents', int('--nodes', 0, 100), 3)
  .option('--ha', 'highly available control plane (3 etcd members, 3 API servers)', false)
  .option('--store <driver>', 'store driver: sqlite or etcd', 'sqlite')
  .option('--etcd-endpoints <urls>', 'with --store etcd: the client URLs of an existing etcd cluster, comma-separated')
  .option('--etcd-cafile <file>', 'with https:// etcd endpoints: the CA of the members\' serving certificates (default: the system\'s)')
  .option('--etcd-certfile <file>', 'with https:// etcd endpoints: the client certificate presented to etcd')
  .option('--etcd-keyfile <file>', 'with https:// etcd endpoints: the key of --etcd-certfile')
  .option('--profile <profile>', 'failure-detection timers: default or fast', 'default')
  .option('--restart-delay <seconds>', 'with --ha: how long a crashed control-plane process waits before it restarts', int('--restart-delay', 0, 3600), 5)
  .option('--demo', 'also start the console and sample applications', false)
  .action(async (opts) => {
    const { up } = await import('./up.js');
    await up(opts);
  });

program
  .command('server')
  .description('run one API server (started by `unyo up`; three of them on etcd with --ha)')
  .option('--data-dir <dir>', 'where the PKI and tokens are (and state.db with the sqlite store)', './.unyo')
  .option('--port <port>', 'API server port', int('--port', 0, 65535), 6443)
  .option('--store <driver>', 'store driver: sqlite or etcd', 'sqlite')
  .option('--etcd-endpoints <urls>', 'with --store etcd: the etcd client URLs, comma-separated')
  .option('--etcd-cafile <file>', 'with https:// etcd endpoints: the CA of the members\' serving certificates (default: the system\'s)')
  .option('--etcd-certfile <file>', 'with https:// etcd endpoints: the client certificate presented to etcd')
  .option('--etcd-keyfile <file>', 'with https:// etcd endpoints: the key of --etcd-certfile')
  .option('--profile <profile>', 'default or fast (the default toleration of unreachable nodes)', 'default')
  .option('--advertise-address <ip:port>', 'the address the kubernetes Service sends Pods to (a load balancer in front of several servers)')
  .option('--name <name>', 'this server\'s name, answered in the X-Unyo-Apiserver header')
  .option('--bind-address <ip>', 'the address to listen on (0.0.0.0: every interface, for agents on other machines)', '127.0.0.1')
  .action(async (opts) => {
    if (opts.profile !== 'default' && opts.profile !== 'fast') throw new InvalidArgumentError(`--profile must be default or fast`);
    const { runServer } = await import('./server.js');
    await runServer(opts);
  });

program
  .command('lb')
  .description('run the API load balancer in front of several API servers (started by `unyo up --ha`)')
  .requiredOption('--port <port>', 'port to listen on', int('--port', 0, 65535))
  .requiredOption('--backends <list>', 'the API servers, host:port comma-separated')
  .requiredOption('--ca-file <file>', 'CA of the API servers\' serving certificate, for the /readyz checks')
  .option('--host <ip>', 'address to listen on', '127.0.0.1')
  .action(async (opts) => {
    const { runLoadBalancer } = await import('./lb.js');
    await runLoadBalancer(opts);
  });

program
  .command('agent')
  .description('run a node agent (started by `unyo up` for each node; on another machine it joins with --server and --token)')
  .option('--kubeconfig <file>', 'credentials for the API server')
  .option('--server <url>', 'join: the API server, https://HOST:PORT')
  .option('--token <token>', 'join: a bootstrap token from `unyo token create`')
  .option('--ca-cert-hash <sha256:hex>', 'join: the pinned hash of the cluster CA\'s public key (repeatable)', (v: string, all: string[] = []) => [...all, v])
  .option('--unsafe-skip-ca-verification', 'join: trust the CA the server names without a --ca-cert-hash pin', false)
  .requiredOption('--name <name>', 'node name')
  .option('--index <n>', 'node index on this machine (picks its pod address block)', int('--index', 0, 63), 0)
  .option('--zone <zone>', 'topology.kubernetes.io/zone label', 'zone-a')
  .option('--node-ip <ip>', 'the address the API server reaches this agent at (its InternalIP)', '127.0.0.1')
  .requiredOption('--data-dir <dir>', 'where the node keeps pods, logs and runtime state')
  .option('--profile <profile>', 'timers: default or fast', 'default')
  .option('--cluster-dns <ips>', 'the cluster DNS addresses Pods use (comma-separated); empty for none', '')
  .option('--cluster-domain <domain>', 'the cluster domain', 'cluster.local')
  .option('--volumes-dir <dir>', 'where unyo.local volume directories are (the same directory the controller manager provisions into)')
  .action(async (opts) => {
    if (opts.profile !== 'default' && opts.profile !== 'fast') throw new InvalidArgumentError(`--profile must be default or fast`);
    const { runAgent } = await import('./agent.js');
    await runAgent(opts);
  });

const token = program.command('token').description('bootstrap tokens with which nodes join the cluster (`unyo agent --server URL --token TOKEN`)');
const tokenTarget = (cmd: Command) =>
  cmd.option('--kubeconfig <file>', 'the cluster to talk to (default: DATA_DIR/kubeconfig)').option('--data-dir <dir>', 'the data directory of `unyo up` (default ./.unyo)');
tokenTarget(
  token
    .command('create')
    .description('create a bootstrap token and print it with the command that joins a node')
    .option('--ttl <duration>', 'how long the token is valid (e.g. 24h, 30m; 0: forever)', '24h')
    .option('--description <text>', 'what the token is for'),
).action(async (opts) => {
  const { tokenCreate } = await import('./token.js');
  await tokenCreate(opts);
});
tokenTarget(token.command('list').description('list bootstrap tokens')).action(async (opts) => {
  const { tokenList } = await import('./token.js');
  await tokenList(opts);
});
tokenTarget(token.command('delete').argument('<id>', 'the token id (or the whole token)').description('revoke a bootstrap token')).action(async (id: string, opts) => {
  const { tokenDelete } = await import('./token.js');
  await tokenDelete(id, opts);
});

program
  .command('scheduler')
  .description('run the scheduler (started by `unyo up`)')
  .requiredOption('--kubeconfig <file>', 'credentials for the API server')
  .option('--profile <profile>', 'leader-election timers: default or fast', 'default')
  .option('--no-leader-elect', 'schedule without taking the leader Lease (only one scheduler may run)')
  .action(async (opts) => {
    if (opts.profile !== 'default' && opts.profile !== 'fast') throw new InvalidArgumentError(`--profile must be default or fast`);
    const { runScheduler } = await import('./scheduler.js');
    await runScheduler(opts);
  });

program
  .command('proxy')
  .description('run the Service proxy and the cluster DNS (started by `unyo up`)')
  .requiredOption('--kubeconfig <file>', 'credentials for the API server')
  .option('--cluster-dns <ip>', 'address the cluster DNS serves on (the kube-dns Service IP); empty for none', '127.16.0.10')
  .option('--cluster-domain <domain>', 'the cluster domain', 'cluster.local')
  .option('--dns-port <port>', 'port of the cluster DNS', int('--dns-port', 0, 65535), 53)
  .action(async (opts) => {
    const { runProxy } = await import('./proxy.js');
    await runProxy(opts);
  });

program
  .command('controller-manager')
  .description('run the controllers (started by `unyo up`)')
  .requiredOption('--kubeconfig <file>', 'credentials for the API server')
  .option('--profile <profile>', 'failure-detection timers: default or fast', 'default')
  .option('--controllers <list>', 'controllers to run: "*" for all, "name" to add one, "-name" to leave one out', '*')
  .option('--no-leader-elect', 'run without taking the leader Lease (only one controller manager may run)')
  .option('--volumes-dir <dir>', 'where the unyo.local provisioner keeps volume and snapshot directories (without it the unyo.local controllers are off)')
  .option('--cluster-signing-cert-file <file>', 'CA certificate csrsigning signs approved certificate requests with')
  .option('--cluster-signing-key-file <file>', 'the key of that CA')
  .option('--cluster-signing-duration <duration>', 'longest validity of the certificates csrsigning issues', '8760h')
  .action(async (opts) => {
    if (opts.profile !== 'default' && opts.profile !== 'fast') throw new InvalidArgumentError(`--profile must be default or fast`);
    const { selectControllers } = await import('../controllers/manager.js');
    selectControllers(opts.controllers.split(','));
    const { runControllerManager } = await import('./controller-manager.js');
    await runControllerManager(opts);
  });

const snapshot = program.command('etcd').description('the cluster store').command('snapshot').description('save the whole store to one file, or restore it from one');
snapshot
  .command('save')
  .description('copy the store of a cluster (running: through its API; stopped sqlite: from state.db) to FILE, with FILE.sha256')
  .argument('<file>', 'where the snapshot goes')
  .option('--data-dir <dir>', 'the cluster\'s data directory', './.unyo')
  .option('--kubeconfig <file>', 'credentials of a cluster admin (default: DIR/kubeconfig)')
  .action(async (file, opts) => {
    const { snapshotSave } = await import('./etcd-snapshot.js');
    await snapshotSave(file, opts);
  });
snapshot
  .command('restore')
  .description('replace the stopped cluster\'s store in DIR with FILE (sqlite state.db, or every etcd member of an --ha cluster)')
  .argument('<file>', 'a snapshot written by `unyo etcd snapshot save`')
  .option('--data-dir <dir>', 'the cluster\'s data directory', './.unyo')
  .option('--skip-hash-check', 'restore even without FILE.sha256', false)
  .action(async (file, opts) => {
    const { snapshotRestore } = await import('./etcd-snapshot.js');
    await snapshotRestore(file, opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  console.error(`unyo: ${(err as Error).message}`);
  process.exit(1);
}
