// /hub/metrics on real hubs: who may read it (read:metrics, admins' sessions, metrics.public),
// and that the exposition parses with the expected names and labels after real spawns, failed,
// timed-out and cancelled ones, a cull and API calls.
import { startHarness, ADMIN_SCOPES, ADMIN_TOKEN, type Harness } from '../helpers/hub-harness';
import { failingSpawner, neverStartsSpawner, slowSpawner } from '../helpers/test-spawners';
import { WebClient } from '../helpers/web-client';
import type { Spawner, SpawnRequest, ServerRef } from '../../spawner/types';

jest.setTimeout(90_000);

const PROM_TOKEN = 'prometheus-token-0123456789abcdef';
const OTHER_TOKEN = 'not-a-metrics-token-0123456789abc';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** The text format, strictly: HELP/TYPE lines and samples `name{l="v",...} value`, nothing else. */
function parse(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (t) { types.set(t[1] as string, t[2] as string); continue; }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? ([-+]?(?:[0-9.e+-]+|Inf|[Nn][Aa][Nn]))$/.exec(line);
    if (!m) throw new Error(`not a valid exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    samples.push({ name: m[1] as string, labels, value: /inf/i.test(m[3] as string) ? Infinity : Number(m[3]) });
  }
  return { types, samples };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

async function scrape(h: Harness, token: string | null = PROM_TOKEN): Promise<Response> {
  return fetch(`${h.hub.url}/hub/metrics`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

const services = [
  { name: 'test-admin', token: ADMIN_TOKEN, scopes: ADMIN_SCOPES },
  { name: 'prometheus', token: PROM_TOKEN, scopes: ['read:metrics'] },
  { name: 'other', token: OTHER_TOKEN, scopes: ['read:users', 'list:users'] },
];

describe('a hub with private metrics and real servers', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ config: { services, culler: { runInHub: false } } });
    await h.api('POST', '/users', { usernames: ['m-alice', 'm-bob'] });
    for (const u of ['m-alice', 'm-bob']) {
      expect((await h.api('POST', `/users/${u}/server`)).status).toBe(202);
      await h.hub.ctx.orchestrator.settled(u, '');
    }
  });

  afterAll(async () => {
    await h?.close();
  });

  it('refuses anonymous callers and tokens without read:metrics, and a plain user session', async () => {
    for (const token of [null, OTHER_TOKEN, 'no-such-token-0123456789abcdef00']) {
      const res = await scrape(h, token);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('sciencehub_');
    }
    const user = new WebClient(h.origin);
    await user.login('m-carol');
    expect((await user.get('/hub/metrics')).status).toBe(403);
  });

  it('serves a token with read:metrics (token or bearer) and an admin session', async () => {
    const res = await scrape(h);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const viaToken = await fetch(`${h.hub.url}/hub/metrics`, { headers: { Authorization: `token ${PROM_TOKEN}` } });
    expect(viaToken.status).toBe(200);
    await viaToken.body?.cancel();
    await res.body?.cancel();
    const admin = new WebClient(h.origin);
    await admin.login('admin');
    const page = await admin.get('/hub/metrics');
    expect(page.status).toBe(200);
    expect(page.text).toContain('# TYPE sciencehub_running_servers gauge');
  });

  it('reports running servers, spawn durations, culls, refusals, API durations by route pattern, and the process', async () => {
    // One cull (over the API, limit 1 s) and one refusal event (as the quota admission records them).
    await new Promise((r) => setTimeout(r, 1100));
    expect((await h.api('POST', '/users/m-bob/server/cull', { reason: 'idle', limit_seconds: 1 })).status).toBe(200);
    await h.hub.ctx.record('refusal', 'm-alice', '', 'over budget', { reason: 'budget' });
    await h.api('GET', '/users/m-alice');
    await h.api('GET', '/users/m-alice');
    await h.api('GET', '/users/no-such-user');

    const { types, samples } = parse(await (await scrape(h)).text());
    expect(types.get('sciencehub_running_servers')).toBe('gauge');
    expect(value(samples, 'sciencehub_running_servers')).toBe(1);
    expect(value(samples, 'sciencehub_pending_servers')).toBe(0);

    expect(types.get('sciencehub_server_spawn_duration_seconds')).toBe('histogram');
    expect(value(samples, 'sciencehub_server_spawn_duration_seconds_count', { outcome: 'success' })).toBe(2);
    expect(value(samples, 'sciencehub_server_spawn_duration_seconds_bucket', { outcome: 'success', le: '+Inf' })).toBe(2);
    expect(value(samples, 'sciencehub_server_spawn_duration_seconds_sum', { outcome: 'success' })).toBeGreaterThan(0);

    expect(types.get('sciencehub_culls_total')).toBe('counter');
    expect(value(samples, 'sciencehub_culls_total', { reason: 'idle' })).toBe(1);
    expect(value(samples, 'sciencehub_culls_total', { reason: 'max-age' })).toBe(0);
    expect(value(samples, 'sciencehub_spawn_refusals_total', { reason: 'budget' })).toBe(1);

    expect(types.get('sciencehub_api_request_duration_seconds')).toBe('histogram');
    const api = samples.filter((s) => s.name === 'sciencehub_api_request_duration_seconds_count');
    expect(value(api, 'sciencehub_api_request_duration_seconds_count', { method: 'GET', route: '/hub/api/users/:name', status: '200' })).toBe(2);
    expect(value(api, 'sciencehub_api_request_duration_seconds_count', { method: 'GET', route: '/hub/api/users/:name', status: '404' })).toBe(1);
    expect(value(api, 'sciencehub_api_request_duration_seconds_count', { method: 'POST', route: '/hub/api/users/:name/server', status: '202' })).toBe(2);
    expect(value(api, 'sciencehub_api_request_duration_seconds_count', { method: 'POST', route: '/hub/api/users/:name/server/cull', status: '200' })).toBe(1);
    expect(api.every((s) => !/m-alice|m-bob|no-such-user/.test(s.labels.route ?? ''))).toBe(true);

    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
  });
});

/** Dispatches by user name to the behaviour spawners, so one hub sees every outcome. */
function behaviourSpawner(): Spawner {
  const never = neverStartsSpawner();
  const failing = failingSpawner('This test server always fails.');
  const slow = slowSpawner(60_000, neverStartsSpawner());
  const pick = (ref: ServerRef): Spawner => (ref.user.startsWith('never') ? never : ref.user.startsWith('slow') ? slow : failing);
  return {
    kind: 'behaviour',
    start: (request: SpawnRequest, signal: AbortSignal) => pick(request).start(request, signal),
    stop: (server, options) => pick(server).stop(server, options),
    poll: (server) => pick(server).poll(server),
    list: async () => [],
    close: async () => undefined,
  };
}

describe('spawn outcomes: failure, timeout, cancelled', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ config: { services, hub: { startTimeoutSeconds: 1 } }, overrides: { spawner: behaviourSpawner() } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('labels each spawn by how it ended', async () => {
    await h.api('POST', '/users', { usernames: ['fail-fay', 'never-ned', 'slow-sam'] });
    // Cancelled well within the 1 s start timeout.
    expect((await h.api('POST', '/users/slow-sam/server')).status).toBe(202);
    expect((await h.api('DELETE', '/users/slow-sam/server')).status).toBe(204);
    for (const u of ['fail-fay', 'never-ned']) expect((await h.api('POST', `/users/${u}/server`)).status).toBe(202);
    await h.hub.ctx.orchestrator.settled('fail-fay', '');
    await h.hub.ctx.orchestrator.settled('never-ned', '');
    const { samples } = parse(await (await scrape(h)).text());
    const count = (outcome: string) => value(samples, 'sciencehub_server_spawn_duration_seconds_count', { outcome });
    expect([count('success'), count('failure'), count('timeout'), count('cancelled')]).toEqual([0, 1, 1, 1]);
    const never = (await h.hub.ctx.store.events.list({ user: 'never-ned', kind: 'spawn-failed' }))[0];
    expect(never?.data.reason).toBe('start-timeout');
    expect(never?.message).toMatch(/did not start within 1 s \(raise hub\.startTimeoutSeconds/);
  });
});

describe('metrics settings', () => {
  it('metrics.public lets anyone read them', async () => {
    const h = await startHarness({ config: { services, metrics: { public: true } } });
    try {
      const res = await scrape(h, null);
      expect(res.status).toBe(200);
      expect(parse(await res.text()).types.get('sciencehub_culls_total')).toBe('counter');
    } finally {
      await h.close();
    }
  });

  it('metrics.enabled: false removes the endpoint', async () => {
    const h = await startHarness({ config: { services, metrics: { enabled: false } } });
    try {
      const res = await scrape(h);
      expect(res.status).toBe(404);
      await res.body?.cancel();
      expect((await h.api('GET', '/users')).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
