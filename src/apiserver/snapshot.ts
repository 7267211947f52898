// GET /unyo/v1/snapshot: a consistent copy of the whole store, streamed to a cluster admin
// (group system:masters) — what `unyo etcd snapshot save` downloads. The store writes the copy
// (sqlite's online backup, etcd's snapshot API) to a temporary file, which is sent and removed.
// Headers say the revision it holds and its format; the client hashes what it receives.
import type { ServerResponse } from 'node:http';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors } from '../api/errors.js';
import type { Store } from '../store/store.js';
import type { UserInfo } from './authn.js';

export async function serveSnapshot(store: Store, user: UserInfo, res: ServerResponse): Promise<void> {
  if (!user.groups.includes('system:masters')) throw errors.forbidden('', '', '', `User "${user.name}" cannot get path "/unyo/v1/snapshot": only cluster admins (system:masters) may copy the store`);
  if (!store.snapshot) throw errors.methodNotAllowed('GET', '/unyo/v1/snapshot');
  const dir = mkdtempSync(join(tmpdir(), 'unyo-snapshot-'));
  const file = join(dir, 'snapshot');
  try {
    const info = await store.snapshot(file);
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': info.bytes,
      'X-Unyo-Snapshot-Revision': String(info.revision),
      'X-Unyo-Snapshot-Format': info.format,
    });
    await new Promise<void>((resolve, reject) => {
      const from = createReadStream(file);
      from.on('error', reject);
      res.on('close', () => resolve());
      from.pipe(res);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
