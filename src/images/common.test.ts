import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Settings, hostPath, listenAddress } from './common.js';

test('Settings read --flags before env and keep positional args', () => {
  const s = new Settings(['RATE', 'TIMEOUT_MS', 'URL'], ['--rate=5', 'http://a/', '--timeout-ms', '300'], { RATE: '9', URL: 'http://env/' });
  assert.equal(s.number('RATE', 1), 5);
  assert.equal(s.number('TIMEOUT_MS', 1), 300);
  assert.equal(s.string('URL'), 'http://env/');
  assert.deepEqual(s.positional, ['http://a/']);
  assert.equal(new Settings(['RATE'], [], {}).number('RATE', 10), 10);
  assert.equal(new Settings(['STDERR'], [], { STDERR: 'true' }).bool('STDERR'), true);
});

test('Settings reject unknown flags, missing values and bad numbers', () => {
  assert.throws(() => new Settings(['RATE'], ['--rte=5'], {}), /unknown flag --rte/);
  assert.throws(() => new Settings(['RATE'], ['--rate'], {}), /needs a value/);
  assert.throws(() => new Settings(['RATE'], [], { RATE: 'fast' }).number('RATE', 1), /RATE must be/);
});

test('hostPath maps container paths through UNYO_MOUNT_ variables', () => {
  const env = { UNYO_MOUNTS: '/data,/data/logs', UNYO_MOUNT__data: '/var/pods/a/vol', UNYO_MOUNT__data_logs: '/var/pods/a/logs' };
  assert.equal(hostPath('/data', env), '/var/pods/a/vol');
  assert.equal(hostPath('/data/db', env), '/var/pods/a/vol/db');
  assert.equal(hostPath('/data/logs/x', env), '/var/pods/a/logs/x');
  assert.equal(hostPath('/datax', env), '/datax');
  assert.equal(hostPath('/cache', { UNYO_MOUNT__cache: '/h/c' }), '/h/c');
  assert.equal(hostPath('/var/lib/my-db.d/x', { UNYO_MOUNTS: '/var/lib/my-db.d', UNYO_MOUNT__var_lib_my_db_d: '/h/db' }), '/h/db/x');
  assert.equal(hostPath('/data', {}), '/data');
});

test('listenAddress: the Pod IP and PORT, else the first containerPort, else the default', () => {
  const saved = { ip: process.env.UNYO_POD_IP, ports: process.env.UNYO_PORTS };
  try {
    process.env.UNYO_POD_IP = '127.1.2.3';
    process.env.UNYO_PORTS = '9000,9001';
    assert.deepEqual(listenAddress(new Settings(['PORT'], [], {}), 8080), { host: '127.1.2.3', port: 9000 });
    assert.deepEqual(listenAddress(new Settings(['PORT'], [], { PORT: '7000' }), 8080), { host: '127.1.2.3', port: 7000 });
    delete process.env.UNYO_PORTS;
    assert.deepEqual(listenAddress(new Settings(['PORT'], [], {}), 8080), { host: '127.1.2.3', port: 8080 });
    assert.equal(listenAddress(new Settings(['PORT'], [], {}), undefined), undefined);
    assert.throws(() => listenAddress(new Settings(['PORT'], [], { PORT: '70000' }), 1), /invalid port/);
  } finally {
    for (const [k, v] of [['UNYO_POD_IP', saved.ip], ['UNYO_PORTS', saved.ports]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
