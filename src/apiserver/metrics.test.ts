import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { startTestApiServer } from './testing.js';
import { core } from '../client/client.js';

test('/metrics counts and times requests by verb, resource and code, and names the lease holders', async () => {
  const api = await startTestApiServer();
  try {
    await api.client.create(core('configmaps', 'default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } as never);
    await api.client.create(core('configmaps', 'default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } as never).catch(() => undefined);
    await api.client.create({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace: 'kube-system' }, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kube-scheduler' }, spec: { holderIdentity: 'vm_42_abc', renewTime: new Date().toISOString().replace('Z', '000Z') } } as never);
    const registry = api.server.metrics.registry as Registry;
    const text = await registry.metrics();
    assert.match(text, /apiserver_request_total\{verb="POST",group="",version="v1",resource="configmaps",subresource="",scope="namespace",code="201"\} 1/);
    assert.match(text, /apiserver_request_total\{verb="POST",group="",version="v1",resource="configmaps",subresource="",scope="namespace",code="409"\} 1/);
    assert.match(text, /apiserver_request_duration_seconds_count\{verb="POST",group="",version="v1",resource="configmaps",subresource="",scope="namespace"\} 2/);
    // Scrape through HTTP: the leases are read at scrape time; anonymous scrapes are refused.
    const body = await api.client.request<undefined>('GET', '/metrics');
    assert.equal(body, undefined, 'the exposition format is text, not JSON');
    const scraped = await registry.metrics();
    assert.match(scraped, /unyo_leader_election_holder\{lease="kube-scheduler",holder="vm_42_abc"\} 1/);
    assert.match(scraped, /^apiserver_registered_watchers \d+$/m);
    assert.match(scraped, /^etcd_request_duration_seconds|^apiserver_current_inflight_requests/m);
  } finally {
    await api.stop();
  }
});
