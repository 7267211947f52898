// Writes a kubeconfig that stock kubectl and client libraries read.
import { stringify } from 'yaml';

export function kubeconfig(opts: { name: string; server: string; caPem: string; token?: string; certPem?: string; keyPem?: string; user?: string }): string {
  const userName = opts.user ?? `${opts.name}-admin`;
  const user: Record<string, string> = {};
  if (opts.token) user.token = opts.token;
  if (opts.certPem) user['client-certificate-data'] = Buffer.from(opts.certPem).toString('base64');
  if (opts.keyPem) user['client-key-data'] = Buffer.from(opts.keyPem).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: opts.name, cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caPem).toString('base64') } }],
    users: [{ name: userName, user }],
    contexts: [{ name: opts.name, context: { cluster: opts.name, user: userName, namespace: 'default' } }],
    'current-context': opts.name,
    preferences: {},
  });
}
