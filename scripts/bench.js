#!/usr/bin/env node
// `npm run bench -- <name> [flags]`: runs the compiled benchmark dist/bench/<name>.js with the
// remaining arguments. The benchmarks are the .ts files directly in bench/ (bench/lib/ holds
// their helpers); any other name is refused in one line.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const known = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || name.startsWith('-')) {
  console.error(`bench: usage: npm run bench -- <name> [flags]; benchmarks: ${known.join(', ')}`);
  process.exit(2);
}
if (!known.includes(name)) {
  console.error(`bench: unknown benchmark "${name}"; benchmarks: ${known.join(', ')}`);
  process.exit(1);
}
const script = join(root, 'dist', 'bench', `${name}.js`);
if (!existsSync(script)) {
  console.error(`bench: ${script} does not exist; build first (npm run build)`);
  process.exit(1);
}

const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
// The benchmark owns child processes of its own; let it stop them before we exit.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
