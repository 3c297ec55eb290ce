// Quotas and usage through a real hub: quota API (bad values are a 400 naming the field, nothing
// stored), effective quota from groups and overrides, who may read and set what, admission
// refusals with the limit, usage and what is left, the admin page and its quota forms.
import { startHarness, ADMIN_SCOPES, ADMIN_TOKEN, type Harness } from '../helpers/hub-harness';
import { WebClient, csrfFrom } from '../helpers/web-client';

const QUOTA_TOKEN = 'quota-admin-token-0123456789abcdef';
let h: Harness;
let aliceToken: string;

beforeAll(async () => {
  h = await startHarness({
    config: {
      hub: { namedServers: { enabled: true } },
      services: [
        { name: 'test-admin', token: ADMIN_TOKEN, scopes: ADMIN_SCOPES },
        { name: 'quota-admin', token: QUOTA_TOKEN, scopes: ['admin:quotas', 'list:users'] },
      ],
      quotas: { defaults: { memoryPerServerGb: 2, maxServers: 1 }, groups: { astro: { monthlyBudget: 40 } } },
      pricing: { currency: 'EUR', perGbHour: 0.5 },
    },
  });
  expect((await h.api('POST', '/users', { usernames: ['alice', 'bob'] })).status).toBe(201);
  expect((await h.api('POST', '/groups/astro', { users: ['alice'] })).status).toBe(201);
  expect((await h.api('POST', '/groups/physics', { users: ['alice', 'bob'] })).status).toBe(201);
  const token = await h.api('POST', '/users/alice/tokens', { note: 'quota test' });
  expect(token.status).toBe(201);
  aliceToken = token.body.token;
});
afterAll(async () => {
  await h?.close();
});

const quotaApi = (method: string, path: string, body?: unknown) => h.api(method, path, body, QUOTA_TOKEN);

describe('bad quota values', () => {
  it.each<[unknown, RegExp]>([
    [{ memoryPerServerGb: '4' }, /body\.memoryPerServerGb: expected a number, or null for unlimited/],
    [{ memoryPerServerGb: 0 }, /body\.memoryPerServerGb: must be more than 0/],
    [{ maxServers: 1.5 }, /body\.maxServers: must be a whole number/],
    [{ maxServers: -1 }, /body\.maxServers: must be 0 or more/],
    [{ monthlyBudget: -0.01, monthlyCpuHours: 'lots' }, /body\.monthlyBudget: must be 0 or more.*body\.monthlyCpuHours: expected a number/],
    [{ monthlyBudgt: 5 }, /body: unknown field\(s\) monthlyBudgt/],
    [[1, 2], /body: .*expected object/i],
    ['"just a string"', /body: .*expected object|not valid JSON/i],
  ])('PUT %j is a 400 naming the field, and stores nothing', async (body, message) => {
    for (const path of ['/users/alice/quota', '/groups/physics/quota']) {
      const before = await quotaApi('GET', path);
      const res = await quotaApi('PUT', path, body);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
      expect((await quotaApi('GET', path)).body).toEqual(before.body);
    }
  });

  it('is a 400 for a body that is not JSON, and a PUT without a body clears nothing', async () => {
    const bad = await fetch(`${h.hubOrigin}/hub/api/users/alice/quota`, { method: 'PUT', headers: { Authorization: `token ${QUOTA_TOKEN}`, 'Content-Type': 'application/json' }, body: '{"maxServers": ' });
    expect(bad.status).toBe(400);
    expect((await quotaApi('PUT', '/users/alice/quota', { maxServers: 3 })).status).toBe(200);
    const none = await fetch(`${h.hubOrigin}/hub/api/users/alice/quota`, { method: 'PUT', headers: { Authorization: `token ${QUOTA_TOKEN}` } });
    expect(none.status).toBe(400);
    expect((await quotaApi('GET', '/users/alice/quota')).body.stored).toEqual({ maxServers: 3 });
    expect((await quotaApi('PUT', '/users/alice/quota', {})).status).toBe(200);
  });

  it('is a 404 for an unknown user or group', async () => {
    expect((await quotaApi('PUT', '/users/nobody/quota', { maxServers: 1 })).status).toBe(404);
    expect((await quotaApi('PUT', '/groups/nogroup/quota', { maxServers: 1 })).status).toBe(404);
  });
});

describe('quota resolution through the API', () => {
  it('combines defaults, config group quotas, stored group quotas and the user override, field by field', async () => {
    expect((await quotaApi('PUT', '/groups/physics/quota', { memoryPerServerGb: 8, monthlyBudget: 10 })).status).toBe(200);
    let alice = (await quotaApi('GET', '/users/alice/quota')).body;
    // memory: physics 8 beats the default 2; budget: astro (config) 40 beats physics 10.
    expect(alice.effective).toMatchObject({ memoryPerServerGb: 8, maxServers: 1, monthlyBudget: 40, cpuPerServer: null });
    expect(alice.sources).toMatchObject({ memoryPerServerGb: 'group:physics', monthlyBudget: 'group:astro', maxServers: 'default' });
    const bob = (await quotaApi('GET', '/users/bob/quota')).body;
    expect(bob.effective).toMatchObject({ memoryPerServerGb: 8, monthlyBudget: 10 });

    const set = await quotaApi('PUT', '/users/alice/quota', { monthlyBudget: 5, maxServers: null });
    expect(set.status).toBe(200);
    alice = set.body;
    expect(alice.effective).toMatchObject({ monthlyBudget: 5, maxServers: null, memoryPerServerGb: 8 });
    expect(alice.sources).toMatchObject({ monthlyBudget: 'user', maxServers: 'user' });
    expect(alice.updated_by).toBe('service:quota-admin');

    // A stored group quota layers over the config one: its fields win, the others stay.
    const astro = await quotaApi('PUT', '/groups/astro/quota', { cpuPerServer: 4 });
    expect(astro.body).toMatchObject({ quota: { monthlyBudget: 40, cpuPerServer: 4 }, stored: { cpuPerServer: 4 }, configured: { monthlyBudget: 40 } });
    await quotaApi('PUT', '/users/alice/quota', {});
    await quotaApi('PUT', '/groups/physics/quota', {});
    await quotaApi('PUT', '/groups/astro/quota', {});
  });

  it('records each change in the event log', async () => {
    await quotaApi('PUT', '/groups/physics/quota', { maxServers: 2 });
    const events = await h.hub.ctx.store.events.list({ kind: 'quota', limit: 1 });
    expect(events[0]?.message).toBe('quota of group physics set by service:quota-admin: servers at once 2 servers');
    await quotaApi('PUT', '/groups/physics/quota', {});
  });
});

describe('who may read and set quotas and usage', () => {
  const asAlice = (method: string, path: string, body?: unknown) => h.api(method, path, body, aliceToken);

  it('lets a user read their own quota and usage, not set it, and not read others\'', async () => {
    expect((await asAlice('GET', '/users/alice/quota')).status).toBe(200);
    const usage = await asAlice('GET', '/users/alice/usage');
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({ user: 'alice', currency: 'EUR', usage: { gb_hours: 0, cost: 0 }, budget: { level: 'ok', warning: null } });
    expect((await asAlice('PUT', '/users/alice/quota', { maxServers: 9 })).status).toBe(403);
    expect((await asAlice('GET', '/users/bob/quota')).status).toBe(404);
    expect((await asAlice('GET', '/users/bob/usage')).status).toBe(404);
    expect((await asAlice('GET', '/usage')).status).toBe(403);
    expect((await asAlice('PUT', '/groups/astro/quota', {})).status).toBe(403);
  });

  it('gives admins everyone\'s usage per user and per group, as JSON and CSV', async () => {
    const json = await quotaApi('GET', '/usage');
    expect(json.status).toBe(200);
    expect(json.body.users.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['alice', 'bob']));
    expect(json.body.groups).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'physics', members: 2 })]));
    for (const path of ['/usage.csv', '/usage?format=csv']) {
      const res = await fetch(`${h.hubOrigin}/hub/api${path}`, { headers: { Authorization: `token ${QUOTA_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="?usage-\d{4}-\d{2}\.csv"?$/);
      const lines = (await res.text()).trim().split('\r\n');
      expect(lines[0]).toBe('scope,name,month,members,gb_hours,cpu_hours,cost,currency,budget_used_percent,budget_level');
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^user,alice,\d{4}-\d{2},,0,0,0,EUR,/), expect.stringMatching(/^group,physics,\d{4}-\d{2},2,/)]));
    }
    expect((await quotaApi('GET', '/usage?month=2024-13')).status).toBe(400);
    expect((await quotaApi('GET', '/usage?month=2020-01')).body.users.every((u: { cost: number }) => u.cost === 0)).toBe(true);
    expect((await quotaApi('GET', '/usage?format=xml')).status).toBe(400);
  });
});

describe('admission', () => {
  it('refuses a server over the per-server or server-count limit before anything starts, saying why', async () => {
    await quotaApi('PUT', '/users/bob/quota', { maxServers: 1, memoryPerServerGb: 2 });
    const first = await h.api('POST', '/users/bob/server', {});
    expect(first.status).toBe(202);
    await h.hub.ctx.orchestrator.settled('bob', '');
    const second = await h.api('POST', '/users/bob/servers/two', {});
    expect(second.status).toBe(403);
    expect(second.body.message).toBe('Not started: Servers at once are limited to 1 (set by your own quota); you run 1 (0 left). Stop a server first.');
    expect(await h.hub.ctx.store.servers.get(JSON.stringify(['bob', 'two']))).toBeUndefined();
    const refusal = (await h.hub.ctx.store.events.list({ user: 'bob', kind: 'refusal', limit: 1 }))[0];
    expect(refusal).toMatchObject({ server: 'two', data: { reason: 'quota', limit: 'maxServers' } });
    // A size over the per-server limit is refused before anything starts as well.
    const big = await h.api('POST', '/users/bob/servers/big', { image: 'base-notebook', size: 'medium' });
    expect(big.status).toBe(403);
    expect(big.body.message).toMatch(/over your quota \(at most 2 GiB of memory per server\)/);
    expect((await h.hub.ctx.store.servers.get(JSON.stringify(['bob', ''])))?.resources).toMatchObject({ memLimit: 2 * 1024 ** 3 });
    expect((await h.api('DELETE', '/users/bob/server')).status).toBe(204);
    await quotaApi('PUT', '/users/bob/quota', {});
  });

  it('holds under concurrent starts: requests racing for the last slot start exactly one server', async () => {
    await quotaApi('PUT', '/users/bob/quota', { maxServers: 1, memoryPerServerGb: 2 });
    const names = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    const answers = await Promise.all(names.map((n) => h.api('POST', `/users/bob/servers/${n}`, {})));
    const started = names.filter((_, i) => answers[i]!.status === 202);
    expect(started).toHaveLength(1);
    expect(answers.filter((a) => a.status === 403)).toHaveLength(names.length - 1);
    const active = (await h.hub.ctx.store.servers.list()).filter((s) => s.user === 'bob' && s.state !== 'stopped' && s.state !== 'failed');
    expect(active.map((s) => s.name)).toEqual(started);
    await h.hub.ctx.orchestrator.settled('bob', started[0]!);
    expect((await h.api('DELETE', `/users/bob/servers/${started[0]!}`, { remove: true })).status).toBe(204);
    await quotaApi('PUT', '/users/bob/quota', {});
  });
});

describe('the admin page', () => {
  it('is for admins only: 200 for an admin, 403 for a user, sign-in for nobody', async () => {
    const anonymous = new WebClient(h.hubOrigin);
    const res = await anonymous.request('GET', '/hub/admin', { maxRedirects: 0 });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/\/hub\/login\?next=%2Fhub%2Fadmin/);
    const user = new WebClient(h.hubOrigin);
    await user.login('carol');
    expect((await user.get('/hub/admin')).status).toBe(403);
    expect((await user.get('/hub/admin/quota/group/astro')).status).toBe(403);
    const admin = new WebClient(h.hubOrigin);
    await admin.login('admin');
    const page = await admin.get('/hub/admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Users and servers');
    expect(page.text).toContain('>alice');
    expect(page.text).toContain('Event log');
  });

  it('filters the event log by user and kind', async () => {
    const admin = new WebClient(h.hubOrigin);
    await admin.login('admin');
    const page = await admin.get('/hub/admin?user=bob&kind=refusal');
    expect(page.status).toBe(200);
    const log = page.text.slice(page.text.indexOf('admin-events-heading'));
    expect(log).toContain('Servers at once are limited to 1');
    expect(log).not.toMatch(/<td>quota<\/td>/);
    expect((await admin.get('/hub/admin?page=0')).status).toBe(400);
  });

  it('edits a group quota through the form, refusing bad values with the field marked', async () => {
    const admin = new WebClient(h.hubOrigin);
    await admin.login('admin');
    const form = await admin.get('/hub/admin/quota/group/physics');
    expect(form.status).toBe(200);
    const bad = await admin.request('POST', '/hub/admin/quota/group/physics', { form: { _csrf: csrfFrom(form.text), memoryPerServerGb: 'lots', maxServers: '-2', monthlyBudget: '12' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true"');
    expect(bad.text).toContain('&quot;lots&quot; is not a number');
    expect(bad.text).toContain('must be 0 or more');
    expect(bad.text).toContain('value="12"');
    expect((await quotaApi('GET', '/groups/physics/quota')).body.stored).toEqual({});
    const good = await admin.request('POST', '/hub/admin/quota/group/physics', { form: { _csrf: csrfFrom(form.text), memoryPerServerGb: '6', monthlyBudget: 'unlimited' } });
    expect(good.status).toBe(200);
    expect(good.url).toMatch(/\/hub\/admin\?saved=group%3Aphysics$/);
    expect(good.text).toContain('Quota of group physics saved.');
    expect((await quotaApi('GET', '/groups/physics/quota')).body.stored).toEqual({ memoryPerServerGb: 6, monthlyBudget: null });
    // Without the CSRF token nothing changes.
    const forged = await admin.request('POST', '/hub/admin/quota/group/physics', { form: { memoryPerServerGb: '99' } });
    expect(forged.status).toBe(403);
    expect((await quotaApi('GET', '/groups/physics/quota')).body.stored).toEqual({ memoryPerServerGb: 6, monthlyBudget: null });
    await quotaApi('PUT', '/groups/physics/quota', {});
  });

  it('starts and stops any user\'s server with POST forms', async () => {
    const admin = new WebClient(h.hubOrigin);
    await admin.login('admin');
    const page = await admin.get('/hub/admin?q=alice');
    const started = await admin.request('POST', '/hub/admin/start/alice', { form: { _csrf: csrfFrom(page.text) } });
    expect(started.status).toBe(200);
    await h.hub.ctx.orchestrator.settled('alice', '');
    expect((await h.hub.ctx.store.servers.get(JSON.stringify(['alice', ''])))?.state).toBe('running');
    expect(started.text).toContain('action="/hub/admin/stop/alice"');
    const stopped = await admin.request('POST', '/hub/admin/stop/alice', { form: { _csrf: csrfFrom(started.text) } });
    expect(stopped.status).toBe(200);
    const server = await h.hub.ctx.store.servers.get(JSON.stringify(['alice', '']));
    expect(server).toMatchObject({ state: 'stopped', stopReason: 'Stopped by the admin admin.' });
  });
});
