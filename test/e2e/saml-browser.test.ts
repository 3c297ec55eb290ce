/// <reference lib="dom" />
// Institutional sign-on in headless Chromium against Debian's SimpleSAMLphp: alice (admins) lands
// on her home page with her name and groups and gets the admin page, bob is a plain user, carol
// (outside the allowed groups) is refused with a clear page and no session, and names, display
// names and groups with HTML in them never run as markup on any page.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { freePort } from '../helpers/ports';
import { launchBrowser } from '../helpers/browser';
import { startSimpleSamlPhp, type IdpUser, type SimpleSamlPhp } from '../helpers/simplesamlphp';

jest.setTimeout(180_000);

const EVIL = '<img src=x onerror=alert(1)>';
const USERS: IdpUser[] = [
  { username: 'alice', password: 'alicepass', attributes: { uid: ['alice'], displayName: ['Alice Example'], groups: ['admins', 'users'] } },
  { username: 'bob', password: 'bobpass', attributes: { uid: ['bob'], displayName: ['Bob Example'], groups: ['users'] } },
  { username: 'carol', password: 'carolpass', attributes: { uid: ['carol'], displayName: ['Carol Outsider'], groups: ['outsiders'] } },
  { username: 'eve', password: 'evepass', attributes: { uid: ['eve'], displayName: [EVIL], groups: ['users', EVIL] } },
  { username: 'mallory', password: 'mallorypass', attributes: { uid: [EVIL], displayName: [EVIL], groups: ['users'] } },
];

let idp: SimpleSamlPhp;
let h: Harness;
let keyDir: string;
const browsers: Array<Awaited<ReturnType<typeof launchBrowser>>> = [];
/** Script dialogs opened in any page of any browser (an XSS would open one). */
const dialogs: string[] = [];

beforeAll(async () => {
  keyDir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-e2e-sp-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', '/CN=sp',
    '-keyout', path.join(keyDir, 'sp.key'), '-out', path.join(keyDir, 'sp.crt')], { stdio: 'ignore' });
  idp = await startSimpleSamlPhp({ users: USERS });
  const port = await freePort();
  h = await startHarness({
    config: {
      hub: { port },
      auth: {
        kind: 'saml', admins: [], adminGroups: ['admins'],
        saml: {
          institution: 'Example University', publicUrl: `http://127.0.0.1:${port}`, idpMetadata: idp.metadataUrl,
          nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
          username: { attribute: 'uid' }, groupsAttribute: 'groups', allowedGroups: ['users'],
          privateKeyFile: path.join(keyDir, 'sp.key'), certFile: path.join(keyDir, 'sp.crt'), singleLogout: true,
        },
      },
    },
  });
  idp.setServiceProvider(await (await fetch(`${h.hubOrigin}/hub/saml/metadata`)).text());
});

afterAll(async () => {
  for (const b of browsers) await b.close();
  await h?.close();
  await idp?.stop();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

/** A fresh browser (own cookies at the hub and the IdP) with one page. */
async function freshPage(): Promise<Page> {
  const browser = await launchBrowser();
  browsers.push(browser);
  const page = await browser.context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return page;
}

/** From the hub's sign-in page, through the IdP's form, back to the hub (the IdP's script posts the response). */
async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${h.hubOrigin}/hub/login`);
  await page.click('#sso-sign-in');
  await page.waitForURL((url) => url.origin === idp.origin);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('#submit_button');
  await page.waitForURL((url) => url.origin === h.hubOrigin, { timeout: 30_000 });
  await page.waitForLoadState('load');
}

/** GET a hub API path from inside the page, with its session cookie (same origin). */
async function api(page: Page, path: string): Promise<{ status: number; body: Record<string, unknown> | null }> {
  return page.evaluate(async (p) => {
    const res = await fetch(p);
    return { status: res.status, body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : null };
  }, `${h.hubOrigin}/hub/api${path}`);
}

async function injectedImages(page: Page): Promise<number> {
  return page.evaluate(() => document.querySelectorAll('img[src="x"]').length);
}

it('shows "Sign in with Example University" on the sign-in page', async () => {
  const page = await freshPage();
  await page.goto(`${h.hubOrigin}/hub/login`);
  expect(await page.textContent('#sso-sign-in')).toBe('Sign in with Example University');
});

it('alice lands on her home page with her name and groups, and gets the admin page', async () => {
  const page = await freshPage();
  await signIn(page, 'alice', 'alicepass');
  expect(new URL(page.url()).pathname).toBe('/hub/home');
  expect(await page.textContent('.account-name')).toContain('Signed in as alice');
  const me = await api(page, '/user');
  expect(me.body).toMatchObject({ name: 'alice', admin: true, groups: ['admins', 'users'] });
  const admin = await page.goto(`${h.hubOrigin}/hub/admin`);
  expect(admin?.status()).toBe(200);
  expect(await page.title()).toMatch(/Admin/);
  expect(await page.isVisible('a[href="/hub/admin"]')).toBe(true);
});

it('bob is a plain user: his home page, no admin page', async () => {
  const page = await freshPage();
  await signIn(page, 'bob', 'bobpass');
  expect(new URL(page.url()).pathname).toBe('/hub/home');
  expect((await api(page, '/user')).body).toMatchObject({ name: 'bob', admin: false, groups: ['users'] });
  const admin = await page.goto(`${h.hubOrigin}/hub/admin`);
  expect(admin?.status()).toBe(403);
  expect(await page.isVisible('a[href="/hub/admin"]')).toBe(false);
});

it('carol is refused with a clear page and no session', async () => {
  const page = await freshPage();
  await signIn(page, 'carol', 'carolpass');
  expect(new URL(page.url()).pathname).toBe('/hub/saml/acs');
  expect(await page.textContent('h1')).toBe('Not allowed');
  expect(await page.textContent('[role=alert]')).toContain('Carol Outsider (carol) signed in at Example University, but may not use this hub.');
  expect((await api(page, '/user')).status).toBe(403);
  const home = await page.goto(`${h.hubOrigin}/hub/home`);
  expect(new URL(page.url()).pathname).toBe('/hub/login');
  expect(home?.status()).toBe(200);
});

it('HTML in user names, display names and group names never runs, on any page', async () => {
  const mallory = await freshPage();
  await signIn(mallory, 'mallory', 'mallorypass');
  expect(await mallory.textContent('h1')).toBe('Not allowed');
  expect(await mallory.textContent('[role=alert]')).toContain(EVIL);
  expect(await injectedImages(mallory)).toBe(0);

  const eve = await freshPage();
  await signIn(eve, 'eve', 'evepass');
  expect((await api(eve, '/user')).body).toMatchObject({ name: 'eve', groups: [EVIL, 'users'] });
  for (const path of ['/hub/home', '/hub/spawn', '/hub/no-such-page', '/hub/admin']) {
    await eve.goto(`${h.hubOrigin}${path}`);
    expect([path, await injectedImages(eve)]).toEqual([path, 0]);
  }

  // An admin sees eve and her groups listed.
  const alice = await freshPage();
  await signIn(alice, 'alice', 'alicepass');
  await alice.goto(`${h.hubOrigin}/hub/admin`);
  expect(await alice.textContent('body')).toContain(EVIL);
  expect(await injectedImages(alice)).toBe(0);
  expect(dialogs).toEqual([]);
});

it('signing out continues to the IdP (single logout) and comes back signed out there too', async () => {
  const page = await freshPage();
  await signIn(page, 'bob', 'bobpass');
  await page.click('form[action="/hub/logout"] button');
  // The hub's page moves on to the IdP by itself; the IdP answers our SLO endpoint.
  await page.waitForURL((url) => url.origin === h.hubOrigin && url.pathname === '/hub/saml/slo', { timeout: 30_000 });
  expect(await page.textContent('h1')).toBe('Signed out');
  expect((await api(page, '/user')).status).toBe(403);
  // The IdP's session is over as well: signing in again asks for the password.
  await page.goto(`${h.hubOrigin}/hub/login`);
  await page.click('#sso-sign-in');
  await page.waitForURL((url) => url.origin === idp.origin);
  expect(await page.isVisible('input[name=password]')).toBe(true);
});
