// The `unyo` command: parses the command line and hands each subcommand to its module.
import { Command, InvalidArgumentError, CommanderError } from 'commander';
import { up } from './up.js';

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
  .option('--profile <profile>', 'failure-detection timers: default or fast', 'default')
  .option('--demo', 'also start the console and sample applications', false)
  .action(async (opts) => {
    await up(opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  console.error(`unyo: ${(err as Error).message}`);
  process.exit(1);
}
