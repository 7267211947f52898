import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../apiserver/testing.js';
import { core } from './client.js';
import { EventRecorder } from './events.js';

let api: TestApiServer;
before(async () => {
  api = await startTestApiServer();
});
after(async () => {
  await api.stop();
});

test('the same event recorded twice at once is one Event with count 2', async () => {
  const recorder = new EventRecorder(api.client, 'test-controller');
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', uid: 'uid-cm' } };
  recorder.record(obj, 'Normal', 'Twice', 'same message');
  recorder.record(obj, 'Normal', 'Twice', 'same message');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const list = await api.client.list(core('events', 'default'), { fieldSelector: 'involvedObject.name=cm' });
    if (list.items.length === 1 && (list.items[0] as any).count === 2) break;
    assert.ok(list.items.length <= 1, `${list.items.length} Events were created`);
    assert.ok(Date.now() < deadline, 'the count never reached 2');
    await new Promise((r) => setTimeout(r, 20));
  }
});
