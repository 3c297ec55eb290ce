/// <reference lib="dom" />
// End to end in headless Chromium against the real jupyterhub-singleuser: sign in, press Start,
// watch the progress bar reach 100 %, land in the server through the proxy, run 6*7 in a kernel
// over the proxy's websocket; another user is refused; a hub restart keeps the user working.
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { launchBrowser } from '../helpers/browser';

jest.setTimeout(120_000);

let h: Harness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

/** Records the highest value the progress bar shows, across the navigation that follows it. */
function recordProgress(): void {
  document.addEventListener('DOMContentLoaded', () => {
    const bar = document.getElementById('progress-bar') as HTMLProgressElement | null;
    if (!bar) return;
    const record = () => sessionStorage.setItem('maxProgress', String(Math.max(Number(sessionStorage.getItem('maxProgress') ?? 0), bar.value)));
    new MutationObserver(record).observe(bar, { attributes: true });
  });
}

/** In the page: start a kernel through the server's REST API and evaluate code over its websocket. */
async function evaluateInKernel(p: Page, prefix: string, code: string): Promise<string> {
  return p.evaluate(async ({ prefix: pre, code: src }) => {
    const xsrf = decodeURIComponent(/(?:^|; )_xsrf=([^;]*)/.exec(document.cookie)?.[1] ?? '');
    const res = await fetch(`${pre}api/kernels`, { method: 'POST', headers: { 'X-XSRFToken': xsrf, 'Content-Type': 'application/json' }, body: '{}' });
    if (res.status !== 201) throw new Error(`kernel start answered ${res.status}`);
    const kernel = (await res.json()) as { id: string };
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}${pre}api/kernels/${kernel.id}/channels`);
    const msgId = `m-${Math.random()}`;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no result from the kernel')), 60_000);
      ws.onerror = () => reject(new Error('websocket error'));
      ws.onopen = () => ws.send(JSON.stringify({
        header: { msg_id: msgId, username: 'e2e', session: 's1', msg_type: 'execute_request', version: '5.3', date: new Date().toISOString() },
        parent_header: {}, metadata: {}, channel: 'shell',
        content: { code: src, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      }));
      ws.onmessage = (event) => {
        const msg = JSON.parse(String(event.data)) as { msg_type?: string; header: { msg_type: string }; parent_header: { msg_id?: string }; content: { data?: Record<string, string> } };
        if (msg.parent_header.msg_id === msgId && msg.header.msg_type === 'execute_result') {
          clearTimeout(timer);
          ws.close();
          resolve(msg.content.data?.['text/plain'] ?? '');
        }
      };
    });
  }, { prefix, code });
}

beforeAll(async () => {
  h = await startHarness({ realSingleuser: true });
  browser = await launchBrowser();
  await browser.context.addInitScript(recordProgress);
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

it('signs in, starts a server with a live progress bar, and lands in it', async () => {
  await page.goto(`${h.origin}/hub/login`);
  expect(await page.textContent('body')).toContain('Dev sign-in is on');
  await page.fill('input[name=username]', 'alice');
  await page.fill('input[name=password]', 'anything');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/hub\/home$/);
  await page.click('form[action="/hub/spawn/alice"] button');
  await page.waitForURL(/\/hub\/spawn-pending\/alice$/);
  await page.waitForURL(/\/user\/alice\/tree/, { timeout: 60_000 });
  const maxProgress = await page.evaluate(() => sessionStorage.getItem('maxProgress'));
  expect(maxProgress).toBe('100');
  expect(await page.title()).toMatch(/Home|Jupyter|Notebook/i);
});

it('evaluates 6*7 in a kernel over the proxy’s websocket', async () => {
  expect(await evaluateInKernel(page, '/user/alice/', '6*7')).toBe('42');
});

it('refuses another signed-in user at alice’s server', async () => {
  const other = await launchBrowser();
  try {
    const bob = await other.context.newPage();
    await bob.goto(`${h.origin}/hub/login`);
    await bob.fill('input[name=username]', 'bob');
    await bob.fill('input[name=password]', 'anything');
    await bob.click('button[type=submit]');
    await bob.waitForURL(/\/hub\/home$/);
    const res = await bob.goto(`${h.origin}/user/alice/tree`);
    expect(res?.status()).toBe(403);
    expect(await bob.textContent('main')).toMatch(/not allowed/i);
    expect(bob.url()).not.toMatch(/\/user\/alice\/tree/);
  } finally {
    await other.close();
  }
});

it('keeps the user working through a hub restart, and re-adopts the server', async () => {
  await h.close({ keepState: true });
  const during = await page.goto(`${h.origin}/user/alice/tree`);
  expect(during?.status()).toBe(200);
  h = await startHarness({ realSingleuser: true, restartOf: h });
  const after = await page.goto(`${h.origin}/user/alice/tree`);
  expect(after?.status()).toBe(200);
  expect(await evaluateInKernel(page, '/user/alice/', '6*7')).toBe('42');
  expect((await h.api('GET', '/users/alice')).body.servers['']).toMatchObject({ ready: true });
  await page.goto(`${h.origin}/hub/home`);
  expect(await page.textContent('main')).toMatch(/running/i);
});
