/// <reference lib="dom" />
// In headless Chromium against a real hub, proxy and local spawner (fast stand-in server): the
// admin raises a group's quota in the admin page and a member's spawn form and home page change;
// a user whose usage reaches 80 % of their budget sees the warning on every hub page.
import type { Page } from 'playwright-core';
import { startHarness, ADMIN_SCOPES, ADMIN_TOKEN, type Harness } from '../helpers/hub-harness';
import { launchBrowser } from '../helpers/browser';
import { serverKey } from '../../hub/store/store';

jest.setTimeout(120_000);

const QUOTA_TOKEN = 'quota-admin-token-0123456789abcdef';
let h: Harness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  h = await startHarness({
    config: {
      services: [
        { name: 'test-admin', token: ADMIN_TOKEN, scopes: ADMIN_SCOPES },
        { name: 'quota-admin', token: QUOTA_TOKEN, scopes: ['admin:quotas'] },
      ],
      // The catalog's base-notebook has small (2 GB) and medium (8 GB): members start with small only.
      quotas: { defaults: { memoryPerServerGb: 4 } },
      pricing: { currency: 'EUR', perGbHour: 18 },
      usage: { accrualIntervalSeconds: 0.2 },
    },
  });
  expect((await h.api('POST', '/users', { usernames: ['mia', 'noor'] })).status).toBe(201);
  expect((await h.api('POST', '/groups/astro', { users: ['mia'] })).status).toBe(201);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function signIn(name: string): Promise<Page> {
  const page = await browser.context.newPage();
  await browser.context.clearCookies();
  await page.goto(`${h.origin}/hub/login`);
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', 'anything');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/hub\/home$/);
  return page;
}

const sizesOffered = (page: Page) => page.$$eval('select[name="size.base-notebook"] option', (els) => els.map((o) => (o as HTMLOptionElement).value));

it('the admin raises a group quota and a member\'s spawn form and home page change', async () => {
  const member = await signIn('mia');
  await member.goto(`${h.origin}/hub/spawn`);
  expect(await sizesOffered(member)).toEqual(['small']);
  await member.goto(`${h.origin}/hub/home`);
  expect(await member.textContent('table.quota')).toMatch(/Memory per server\s*4 GB\s*default/);
  await member.close();

  const admin = await signIn('admin');
  await admin.goto(`${h.origin}/hub/admin`);
  await admin.click('a:has-text("Edit quota of group astro")');
  await admin.waitForURL(/\/hub\/admin\/quota\/group\/astro$/);
  // A bad value is refused with the field marked, and nothing is saved.
  await admin.fill('#quota-memoryPerServerGb', 'eight');
  await admin.click('button:has-text("Save quota")');
  expect(await admin.getAttribute('#quota-memoryPerServerGb', 'aria-invalid')).toBe('true');
  expect(await admin.textContent('[role=alert]')).toContain('Memory per server: "eight" is not a number');
  await admin.fill('#quota-memoryPerServerGb', '8');
  await admin.click('button:has-text("Save quota")');
  await admin.waitForURL(/\/hub\/admin\?saved=/);
  expect(await admin.textContent('main')).toContain('Quota of group astro saved.');
  expect(await admin.textContent('table.admin-groups')).toContain('memory per server 8 GB');
  await admin.close();

  const again = await signIn('mia');
  await again.goto(`${h.origin}/hub/spawn`);
  expect(await sizesOffered(again)).toEqual(['small', 'medium']);
  await again.goto(`${h.origin}/hub/home`);
  expect(await again.textContent('table.quota')).toMatch(/Memory per server\s*8 GB\s*group astro/);
  await again.close();
  // Not a member: unchanged.
  const other = await signIn('noor');
  await other.goto(`${h.origin}/hub/spawn`);
  expect(await sizesOffered(other)).toEqual(['small']);
  await other.close();
});

it('a user at 80 % of their budget sees the warning on every hub page', async () => {
  // Real usage: noor's server runs a little, then stops; her budget is set so that is 85 %.
  expect((await h.api('POST', '/users/noor/server', {})).status).toBe(202);
  await h.hub.ctx.orchestrator.settled('noor', '');
  expect((await h.hub.ctx.store.servers.get(serverKey('noor', '')))?.state).toBe('running');
  await new Promise((r) => setTimeout(r, 1_000));
  expect((await h.api('DELETE', '/users/noor/server')).status).toBe(204);
  const deadline = Date.now() + 30_000;
  while ((await h.hub.ctx.store.meters.list()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const used = (await h.hub.ctx.store.usage.list()).find((d) => d.user === 'noor')?.cost ?? 0;
  expect(used).toBeGreaterThan(0);
  expect((await h.api('PUT', '/users/noor/quota', { monthlyBudget: used / 0.85 }, QUOTA_TOKEN)).status).toBe(200);

  const page = await signIn('noor');
  for (const path of ['/hub/home', '/hub/spawn', '/hub/nowhere']) {
    await page.goto(`${h.origin}${path}`);
    const notice = page.locator('[data-notice=warning]');
    expect(await notice.getAttribute('role')).toBe('status');
    expect(await notice.textContent()).toMatch(/You have used 8[45] % of your monthly budget this month: €[\d.]+ of €[\d.]+ \(€[\d.]+ left\)/);
  }
  await page.goto(`${h.origin}/hub/home`);
  await page.click('[data-notice=warning] a');
  await page.waitForURL(/\/hub\/home#usage$/);
  expect(await page.textContent('#usage')).toMatch(/Monthly budget\s*€[\d.]+\s*€[\d.]+\s*€[\d.]+\s*8[45] %/);
  await page.close();
  // Someone under the threshold sees no warning.
  const mia = await signIn('mia');
  expect(await mia.locator('[data-notice]').count()).toBe(0);
  await mia.close();
});
