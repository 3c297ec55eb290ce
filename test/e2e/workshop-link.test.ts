/// <reference lib="dom" />
// The workshop flow in headless Chromium against a real hub, proxy and local spawner (fast
// stand-in server): an organiser makes a link on /hub/workshops; two attendees open it signed
// out, sign in, see the workshop's name and one Start button, and land in their servers (group
// joined, so its quota applies); the organiser sees both running and stops them all.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { launchBrowser } from '../helpers/browser';
import { testCatalogConfig } from '../unit/hub/catalog/test-catalog';
import { serverKey } from '../../hub/store/store';

jest.setTimeout(120_000);

let h: Harness;
let dir: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let link: string;
let detailUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'workshop-e2e-'));
  const catalog = testCatalogConfig(dir, 4);
  h = await startHarness({ config: { ...catalog, auth: { organiserGroups: ['organisers'] }, quotas: { defaults: { memoryPerServerGb: 4 }, groups: { 'jwst-day': { memoryPerServerGb: 16 } } } } });
  await h.api('POST', '/users', { usernames: ['olga'] });
  await h.api('POST', '/groups/organisers', { users: ['olga'] });
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(name: string): Promise<void> {
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', 'anything');
  await page.click('button[type=submit]');
}

it('the organiser makes a workshop link on the workshops page', async () => {
  await page.goto(`${h.origin}/hub/login`);
  await signIn('olga');
  await page.waitForURL(/\/hub\/home$/);
  await page.goto(`${h.origin}/hub/workshops`);
  await page.fill('#ws-name', 'JWST data day');
  await page.selectOption('#ws-choice', 'astro/big');
  await page.fill('#ws-hours', '6');
  await page.fill('#ws-max', '2');
  await page.fill('#ws-group', 'jwst-day');
  await page.click('text=Create link');
  await page.waitForURL(/\/hub\/workshops\/[A-Za-z0-9_-]{16}$/);
  detailUrl = page.url();
  expect(await page.textContent('h1')).toBe('JWST data day');
  link = await page.inputValue('input.workshop-link');
  expect(link).toMatch(/\/hub\/workshop\/[A-Za-z0-9_-]{16}\.\d+\.[A-Za-z0-9_-]{43}$/);
  expect(await page.textContent('#attendee-count')).toContain('0 of 2 joined');
});

it.each(['anna', 'bart'])('attendee %s: signed out → sign in → the workshop and one Start → their server', async (name) => {
  await page.context().clearCookies();
  await page.goto(link);
  await page.waitForURL(/\/hub\/login\?next=/);
  await signIn(name);
  await page.waitForURL(link);
  expect(await page.textContent('#workshop-heading')).toBe('JWST data day');
  expect(await page.textContent('main')).toContain('Big (16 GiB, 4 CPUs)');
  expect(await page.locator('main button[type=submit]').count()).toBe(1);
  expect(await h.hub.ctx.store.servers.get(serverKey(name, ''))).toBeUndefined();
  await page.click('main button[type=submit]');
  await page.waitForURL(new RegExp(`/user/${name}/`), { timeout: 30_000 });
  const server = await h.hub.ctx.store.servers.get(serverKey(name, ''));
  // 16 GiB is over the default quota (4 GiB) and within the workshop group's (16 GiB).
  expect(server).toMatchObject({ state: 'running', image: 'ghcr.io/test/astro:2.0.0', resources: { memLimit: 16 * 2 ** 30 } });
  expect((await h.hub.ctx.store.users.get(name))?.groups).toContain('jwst-day');
});

it('a third attendee is told the workshop is full', async () => {
  await page.context().clearCookies();
  await page.goto(link);
  await signIn('carl');
  await page.waitForURL(link);
  expect(await page.textContent('#workshop-error')).toMatch(/full: all 2 places are taken/);
  expect(await page.locator('main button[type=submit]').count()).toBe(0);
});

it('the organiser sees who joined and whose servers run, and stops them all', async () => {
  await page.context().clearCookies();
  await page.goto(`${h.origin}/hub/login`);
  await signIn('olga');
  await page.waitForURL(/\/hub\/home$/);
  await page.goto(detailUrl);
  expect(await page.textContent('#attendee-count')).toContain('2 of 2 joined; 2 running, 0 failed');
  expect(await page.$$eval('tr.attendee', (rows) => rows.map((r) => [r.getAttribute('data-user'), r.querySelector('.state')?.textContent]))).toEqual([['anna', 'running'], ['bart', 'running']]);
  await page.click('text=Stop all servers');
  await page.waitForURL(/done=/);
  expect(await page.textContent('[role=status]')).toBe('Stopped 2 servers.');
  expect(await page.$$eval('tr.attendee .state', (els) => els.map((e) => e.textContent))).toEqual(['stopped', 'stopped']);
  await page.click('text=Close the link');
  await page.waitForURL(/done=/);
  await page.context().clearCookies();
  const res = await page.goto(link);
  expect(res?.status()).toBe(200); // the sign-in page
  await signIn('anna');
  await page.waitForURL(link);
  expect(await page.textContent('#workshop-error')).toMatch(/closed by its organiser/);
});
