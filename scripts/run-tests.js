#!/usr/bin/env node
// Runs every compiled test (unit tests next to their code, end-to-end tests in test/e2e)
// with node's test runner; it ends with the runner's summary line.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}
const only = process.argv.slice(2);
const files = find('dist').filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort();
// One file at a time: every `unyo up` of the end-to-end tests runs a Service proxy and the
// cluster DNS on the same host addresses (127.16.0.0/16, 127.16.0.10:53), so two clusters at
// once would answer for each other.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
