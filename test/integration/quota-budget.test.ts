// Budgets enforced on a real hub with real (fast stand-in) servers and real accrual: usage shows
// up on /hub/home and the API; at 80 % the user is warned on every page; at 100 % their server
// is stopped with the reason, the stop is in the event log, and new spawns are refused until an
// admin raises the budget.
import { startHarness, ADMIN_SCOPES, ADMIN_TOKEN, type Harness } from '../helpers/hub-harness';
import { WebClient } from '../helpers/web-client';
import { serverKey } from '../../hub/store/store';

jest.setTimeout(120_000);

const QUOTA_TOKEN = 'quota-admin-token-0123456789abcdef';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    config: {
      services: [
        { name: 'test-admin', token: ADMIN_TOKEN, scopes: ADMIN_SCOPES },
        { name: 'quota-admin', token: QUOTA_TOKEN, scopes: ['admin:quotas'] },
      ],
      quotas: { defaults: { memoryPerServerGb: 2, cpuPerServer: 1 } },
      // €18 per GB-hour: the catalog's small server (2 GB) costs one cent a second.
      pricing: { currency: 'EUR', perGbHour: 18 },
      usage: { accrualIntervalSeconds: 0.2 },
    },
  });
  expect((await h.api('POST', '/users', { usernames: ['dora'] })).status).toBe(201);
});
afterAll(async () => {
  await h?.close();
});

const quotaApi = (method: string, path: string, body?: unknown) => h.api(method, path, body, QUOTA_TOKEN);

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startDora(): Promise<void> {
  const res = await h.api('POST', '/users/dora/server', {});
  expect(res.status).toBe(202);
  await h.hub.ctx.orchestrator.settled('dora', '');
  expect((await h.hub.ctx.store.servers.get(serverKey('dora', '')))?.state).toBe('running');
}

it('accrues a running server, warns at 80 %, stops it at 100 % and refuses until the budget is raised', async () => {
  const web = new WebClient(h.hubOrigin);
  await web.login('dora');

  // 1. A server runs for a while and is stopped: its whole run is charged.
  await startDora();
  await until('usage to accrue', async () => (await h.api('GET', '/users/dora/usage')).body.usage.cost > 0.02);
  expect((await h.api('DELETE', '/users/dora/server')).status).toBe(204);
  await until('the run to be closed', async () => (await h.hub.ctx.store.meters.list()).length === 0);
  const server = await h.hub.ctx.store.servers.get(serverKey('dora', ''));
  const stopEvent = (await h.hub.ctx.store.events.list({ user: 'dora', kind: 'stop', limit: 1 }))[0];
  const ranMs = Date.parse(stopEvent!.time) - Date.parse(server!.started!);
  const [month] = await h.hub.ctx.store.usage.list();
  expect(server?.resources.memLimit).toBe(2 * 1024 ** 3);
  expect(month?.gbHours).toBeCloseTo((2 * ranMs) / 3_600_000, 9);
  expect(month?.cost).toBeCloseTo((36 * ranMs) / 3_600_000, 9);
  const usage = (await h.api('GET', '/users/dora/usage')).body;
  expect(usage.usage.cost).toBeCloseTo(month!.cost, 5);
  const used: number = month!.cost;

  // 2. With a budget of used / 0.85 she is at 85 %: a warning on every page and in the API.
  expect((await quotaApi('PUT', '/users/dora/quota', { monthlyBudget: used / 0.85 })).status).toBe(200);
  const warned = (await h.api('GET', '/users/dora/usage')).body;
  expect(warned.budget).toMatchObject({ level: 'warning' });
  expect(warned.budget.warning).toMatch(/^You have used 8[45] % of your monthly budget this month/);
  for (const page of ['/hub/home', '/hub/spawn', '/hub/no-such-page']) {
    const res = await web.get(page);
    expect(res.text).toMatch(/data-notice="warning"><p>You have used 8[45] % of your monthly budget/);
  }
  const home = await web.get('/hub/home');
  expect(home.text).toContain('Your usage in');
  expect(home.text).toMatch(/<th scope="row">Monthly budget<\/th><td>€[\d.,]+<\/td>/);

  // 3. Below 100 % a spawn is admitted; when the budget drops under the usage the server is stopped.
  await startDora();
  expect((await quotaApi('PUT', '/users/dora/quota', { monthlyBudget: used })).status).toBe(200);
  const stopped = await until('the budget stop', async () => {
    const s = await h.hub.ctx.store.servers.get(serverKey('dora', ''));
    return s?.state === 'stopped' ? s : undefined;
  });
  expect(stopped.stopReason).toMatch(/^Your monthly budget for this month is used up: €[\d.]+ of €[\d.]+ \(€0\.00 left\)/);
  const budgetStop = (await h.hub.ctx.store.events.list({ user: 'dora', kind: 'budget-stop', limit: 1 }))[0];
  expect(budgetStop).toMatchObject({ server: '', message: stopped.stopReason });
  const after = await web.get('/hub/home');
  expect(after.text).toContain('Your server stopped: Your monthly budget for this month is used up');
  expect(after.text).toMatch(/role="alert" data-notice="error"><p>Your monthly budget for this month is used up/);

  // 4. New spawns are refused with the limit, the usage and what is left, through API and page.
  const refused = await h.api('POST', '/users/dora/server', {});
  expect(refused.status).toBe(403);
  expect(refused.body.message).toMatch(/^Not started: Your monthly budget for this month is used up: €[\d.]+ of €[\d.]+ \(€0\.00 left\)\. Servers cannot run until an admin raises it or the month turns on 1 \w+ \d{4}\. \(set by your own quota\)$/);
  const page = await web.submit('/hub/spawn', '/hub/spawn');
  expect(page.status).toBe(403);
  expect(page.text).toContain('monthly budget for this month is used up');
  expect((await h.hub.ctx.store.events.list({ user: 'dora', kind: 'refusal', limit: 1 }))[0]?.data).toMatchObject({ reason: 'quota', limit: 'monthlyBudget' });

  // 5. An admin raises the budget: she may start again.
  expect((await quotaApi('PUT', '/users/dora/quota', { monthlyBudget: used * 100 })).status).toBe(200);
  await startDora();
  expect((await h.api('DELETE', '/users/dora/server')).status).toBe(204);
});
