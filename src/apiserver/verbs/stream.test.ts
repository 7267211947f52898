import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../api/errors.js';
import { agentStreamPath, resolveContainer } from './stream.js';

const pod = (spec: object, annotations?: Record<string, string>) =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', annotations }, spec: { nodeName: 'node-1', ...spec } }) as any;

const one = pod({ containers: [{ name: 'app' }] });
const two = pod({ containers: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'init' }] });

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    return err.message;
  }
  throw new Error('no error');
}

test('resolveContainer: the named one, the default-container annotation, the only one; upstream\'s errors otherwise', () => {
  assert.equal(resolveContainer(one, ''), 'app');
  assert.equal(resolveContainer(two, 'b'), 'b');
  assert.equal(resolveContainer(two, 'init'), 'init');
  assert.equal(resolveContainer(pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { 'kubectl.kubernetes.io/default-container': 'b' }), ''), 'b');
  const cases: [string, () => unknown, string][] = [
    ['not in the pod', () => resolveContainer(one, 'nope'), 'container nope is not valid for pod p'],
    ['several, none named', () => resolveContainer(two, ''), 'a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [init]'],
    [
      'annotation naming no container',
      () => resolveContainer(pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { 'kubectl.kubernetes.io/default-container': 'zz' }), ''),
      'a container name must be specified for pod p, choose one of: [a b]',
    ],
    ['ephemeral ones listed', () => resolveContainer(pod({ containers: [{ name: 'a' }, { name: 'b' }], ephemeralContainers: [{ name: 'dbg' }] }), ''), 'a container name must be specified for pod p, choose one of: [a b] or one of the ephemeral containers: [dbg]'],
  ];
  for (const [name, fn, message] of cases) assert.equal(badRequest(fn), message, name);
});

test('agentStreamPath: the kubelet path and flags for exec, attach and portforward', () => {
  const q = (s: string) => new URLSearchParams(s);
  const cases: [string, ReturnType<typeof pod>, 'exec' | 'attach' | 'portforward', string, string][] = [
    ['exec as kubectl asks', one, 'exec', 'command=sh&command=-c&command=echo+hi&container=app&stdin=true&stdout=true&stderr=true&tty=false', '/exec/ns/p/app?input=1&output=1&error=1&command=sh&command=-c&command=echo+hi'],
    ['stdout and stderr default to true', one, 'exec', 'command=ls', '/exec/ns/p/app?output=1&error=1&command=ls'],
    ['Go booleans', one, 'exec', 'command=ls&stdin=1&stdout=F&stderr=FALSE&tty=T', '/exec/ns/p/app?input=1&tty=1&command=ls'],
    ['attach takes no command', two, 'attach', 'container=b&stdin=true&stdout=true&stderr=false&tty=true', '/attach/ns/p/b?input=1&output=1&tty=1'],
    ['portforward names no container', two, 'portforward', '', '/portForward/ns/p'],
    ['portforward ports pass on', one, 'portforward', 'ports=8080&ports=9090', '/portForward/ns/p?port=8080&port=9090'],
  ];
  for (const [name, p, sub, query, want] of cases) assert.equal(agentStreamPath(p, sub, q(query)), want, name);

  const errors: [string, () => unknown, string | RegExp][] = [
    ['exec needs a command', () => agentStreamPath(one, 'exec', q('stdout=true')), 'you must specify at least one command for the container'],
    ['some stream', () => agentStreamPath(one, 'exec', q('command=ls&stdout=false&stderr=false')), 'you must specify at least 1 of stdin, stdout, stderr'],
    ['a boolean that is not', () => agentStreamPath(one, 'exec', q('command=ls&tty=yes')), 'strconv.ParseBool: parsing "yes": invalid syntax'],
    ['not scheduled', () => agentStreamPath(pod({ nodeName: undefined, containers: [{ name: 'a' }] }), 'exec', q('command=ls')), 'pod p does not have a host assigned'],
    ['bad port', () => agentStreamPath(one, 'portforward', q('ports=http')), 'invalid port: http'],
  ];
  for (const [name, fn, message] of errors) assert.equal(badRequest(fn), message, name);
});
