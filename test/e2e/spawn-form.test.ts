/// <reference lib="dom" />
// In headless Chromium against a real hub, proxy and local spawner (fast stand-in server): the
// spawn form lists only the images and sizes the user may use; a magic link signed out → sign in
// → pre-filled confirmation → one click → running server; a bad link shows why and creates
// nothing; a cross-site page embedding the link (img tag, auto-submitting form) starts nothing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { launchBrowser } from '../helpers/browser';
import { fakeLocalSpawner } from '../helpers/test-spawners';
import { recordingSpawner, testCatalogConfig, type RecordingSpawner } from '../unit/hub/catalog/test-catalog';
import { serverKey } from '../../hub/store/store';

jest.setTimeout(120_000);

let h: Harness;
let spawner: RecordingSpawner;
let dir: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spawn-form-'));
  spawner = recordingSpawner(fakeLocalSpawner());
  h = await startHarness({ config: testCatalogConfig(dir, 8), overrides: { spawner } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page, name: string): Promise<void> {
  await page.fill('input[name=username]', name);
  await page.fill('input[name=password]', 'anything');
  await page.click('button[type=submit]');
}

const serversOf = async (user: string) => (await h.hub.ctx.store.servers.list()).filter((s) => s.user === user);
const startsOf = (user: string) => spawner.starts.filter((s) => s.startsWith(`${user}/`));

it('the form lists only the images and sizes the user may use, and starts the chosen one', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${h.origin}/hub/login`);
  await signIn(page, 'fiona');
  await page.waitForURL(/\/hub\/home$/);
  await page.goto(`${h.origin}/hub/spawn`);
  const images = await page.$$eval('input[name=image]', (els) => els.map((e) => (e as HTMLInputElement).value));
  expect(images).toEqual(['base', 'astro', 'nolinks']);
  const sizes = await page.$$eval('select', (els) => els.map((s) => [s.getAttribute('name'), Array.from((s as HTMLSelectElement).options, (o) => o.value)]));
  expect(sizes).toEqual([['size.base', ['small', 'medium']], ['size.astro', ['small']], ['size.nolinks', ['small']]]);
  expect(await page.textContent('main')).toContain('Astronomy');
  expect(await page.textContent('main')).toContain('version 2.0.0');
  await page.check('#image-base');
  await page.selectOption('#size-base', 'medium');
  await page.click('button.button-primary');
  await page.waitForURL(/\/user\/fiona\//, { timeout: 30_000 });
  expect(await serversOf('fiona')).toEqual([expect.objectContaining({ state: 'running', userOptions: { image: 'base', size: 'medium' } })]);
  await page.close();
});

it('a magic link: signed out → sign in → pre-filled confirmation → one click → running server', async () => {
  const page = await browser.context.newPage();
  await page.context().clearCookies();
  const link = `${h.origin}/hub/spawn?image=astro&mem_limit=2G&cpu_limit=1`;
  await page.goto(link);
  await page.waitForURL(/\/hub\/login\?next=/);
  await signIn(page, 'lars');
  await page.waitForURL(link);
  expect(await page.textContent('main')).toContain('Nothing starts until you press Start');
  expect(await page.inputValue('input[type=hidden][name=image]')).toBe('astro');
  expect(await page.inputValue('input[type=hidden][name=size]')).toBe('small');
  expect(await page.locator('main button[type=submit]').count()).toBe(1);
  expect(await serversOf('lars')).toEqual([]);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/user\/lars\//, { timeout: 30_000 });
  expect(await h.hub.ctx.store.servers.get(serverKey('lars', ''))).toMatchObject({ state: 'running', image: 'ghcr.io/test/astro:2.0.0' });
  expect(startsOf('lars')).toEqual(['lars/ ghcr.io/test/astro:2.0.0']);
  await page.close();
});

it('a bad link shows the reason and what is allowed, and creates nothing', async () => {
  const page = await browser.context.newPage();
  await page.context().clearCookies();
  await page.goto(`${h.origin}/hub/login`);
  await signIn(page, 'bea');
  await page.waitForURL(/\/hub\/home$/);
  const res = await page.goto(`${h.origin}/hub/spawn?image=astro&mem_limit=16G`);
  expect(res?.status()).toBe(403);
  expect(await page.textContent('#refusal-reason')).toMatch(/Big \(16 GiB, 4 CPUs\) is over your quota \(at most 8 GiB of memory per server\)/);
  expect(await page.textContent('main')).toMatch(/Nothing was started/);
  expect(await page.textContent('.allowed-images')).toMatch(/astro.*small/s);
  const unknown = await page.goto(`${h.origin}/hub/spawn?image=docker.io/evil/miner:latest`);
  expect(unknown?.status()).toBe(400);
  expect(await page.textContent('#refusal-reason')).toMatch(/not in this hub's catalog/);
  expect(await serversOf('bea')).toEqual([]);
  expect(startsOf('bea')).toEqual([]);
  await page.close();
});

describe('a cross-site page embedding the spawn link', () => {
  let evil: http.Server;
  let evilPort: number;

  beforeAll(async () => {
    // Another loopback origin: same host, other port (same-site, so cookies go along) and, for
    // the cross-site case, "localhost" (another site).
    evil = http.createServer((req, res) => {
      const hub = h.origin;
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>free cat pictures</title>
<img id="pic" src="${hub}/hub/spawn?image=astro&mem_limit=2G">
<form id="f" method="post" action="${hub}/hub/spawn/${req.url?.includes('victim=') ? req.url.split('victim=')[1] : 'x'}">
<input name="image" value="astro"><input name="size" value="small"></form>
<script>setTimeout(() => document.getElementById('f').submit(), 300)</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', () => resolve()));
    evilPort = (evil.address() as AddressInfo).port;
  });
  afterAll(async () => {
    evil.closeAllConnections();
    await new Promise((r) => evil.close(r));
  });

  it.each(['127.0.0.1', 'localhost'])('served from %s on another port, cannot start a server (img tag, form without CSRF)', async (host) => {
    const victim = host === 'localhost' ? 'vic2' : 'vic1';
    const page = await browser.context.newPage();
    await page.context().clearCookies();
    await page.goto(`${h.origin}/hub/login`);
    await signIn(page, victim);
    await page.waitForURL(/\/hub\/home$/);
    const img = page.waitForRequest((r) => r.method() === 'GET' && r.url().includes('/hub/spawn?image='), { timeout: 15_000 });
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/hub/spawn/'), { timeout: 15_000 });
    await page.goto(`http://${host}:${evilPort}/?victim=${victim}`);
    // The browser does send the img request (with cookies when same-site): a GET only renders.
    expect((await img).url()).toContain(`${h.origin}/hub/spawn?image=astro`);
    expect((await posted).status()).toBe(403);
    await page.waitForLoadState('load');
    expect(await page.textContent('body')).toMatch(/CSRF/);
    expect(await serversOf(victim)).toEqual([]);
    expect(startsOf(victim)).toEqual([]);
    await page.close();
  });
});
