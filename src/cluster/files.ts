// Small file helpers of the cluster's data directory: atomic writes and generated secrets.
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** Write through a temporary file and a rename, so a reader never sees half a file. */
export function writeAtomic(path: string, data: string, mode = 0o600): void {
  writeFileSync(`${path}.tmp`, data, { mode });
  renameSync(`${path}.tmp`, path);
}

/** The token kept in `file`, made on first use. */
export function ensureToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(32).toString('base64url');
  writeAtomic(file, token + '\n');
  return token;
}
