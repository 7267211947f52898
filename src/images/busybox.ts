// unyo/busybox: runs the container's command/args as a host command through `sh -c`
// (`["sh", "-c", "x"]` runs as given; `["echo", "hi"]` runs `exec 'echo' 'hi'`), relays
// signals to it and exits with its status. With neither it runs `sh`, which, like upstream
// busybox, exits at once when stdin is not kept open.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { basename } from 'node:path';

const shells = new Set(['sh', 'ash', 'bash', 'dash']);
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

const words = process.argv.slice(2);
const [file, args] =
  words.length === 0 ? ['sh', []] : shells.has(basename(words[0])) ? [words[0], words.slice(1)] : ['sh', ['-c', `exec ${words.map(quote).join(' ')}`]];

const child = spawn(file, args, { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (err) => {
  process.stderr.write(`busybox: ${file}: ${err.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  // A shell reports death by signal N as status 128 + N; so does a container runtime.
  process.exit(code ?? 128 + ((signal && (os.constants.signals as Record<string, number>)[signal]) || 0));
});
