// unyo/logger: writes numbered, timestamped log lines at RATE per second (default 1):
// `<RFC 3339 time> <counter> <MESSAGE>`. With STDERR=true odd lines go to stdout and even
// ones to stderr; with COUNT=N it exits 0 after N lines (for Jobs).
import { hostname as osHostname } from 'node:os';
import { Settings, fail } from './common.js';

function main(): void {
  const settings = new Settings(['RATE', 'MESSAGE', 'STDERR', 'COUNT']);
  const rate = settings.number('RATE', 1);
  if (rate <= 0) throw new Error('RATE must be more than 0');
  const count = settings.number('COUNT', 0);
  const message = settings.string('MESSAGE') ?? (settings.positional.length > 0 ? settings.positional.join(' ') : `hello from ${process.env.HOSTNAME || osHostname()}`);
  const alternate = settings.bool('STDERR');

  // Lines are due at a steady RATE from the start; each tick writes those that came due.
  const startedAt = performance.now();
  let written = 0;
  const tick = () => {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * rate) + 1;
    while (written < due && (count === 0 || written < count)) {
      written++;
      const stream = alternate && written % 2 === 0 ? process.stderr : process.stdout;
      stream.write(`${new Date().toISOString()} ${written} ${message}\n`);
    }
    if (count > 0 && written >= count) clearInterval(timer);
  };
  const timer = setInterval(tick, Math.max(1, Math.min(1000, 1000 / rate)));
  tick();
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

try {
  main();
} catch (err) {
  fail('logger', err);
}
