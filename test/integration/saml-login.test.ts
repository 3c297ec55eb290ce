// Sign-in against a real identity provider (Debian's SimpleSAMLphp under php -S), without a
// browser: our metadata feeds the IdP, signed requests, who gets in with which groups and role,
// session rotation, group sync at every sign-in, sign-out everywhere and single logout both ways.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { freePort } from '../helpers/ports';
import { WebClient, csrfFrom, type WebResponse } from '../helpers/web-client';
import { formOf, signInAtIdp, startSimpleSamlPhp, type IdpUser, type SimpleSamlPhp } from '../helpers/simplesamlphp';

jest.setTimeout(120_000);

const EVIL = '<img src=x onerror=alert(1)>';
const USERS: IdpUser[] = [
  { username: 'alice', password: 'alicepass', attributes: { uid: ['alice'], mail: ['alice@example.org'], displayName: ['Alice Example'], groups: ['admins', 'users'] } },
  { username: 'bob', password: 'bobpass', attributes: { uid: ['Bob'], displayName: ['Bob Example'], groups: ['users'] } },
  { username: 'carol', password: 'carolpass', attributes: { uid: ['carol'], displayName: ['Carol Outsider'], groups: ['outsiders'] } },
  { username: 'olga', password: 'olgapass', attributes: { uid: ['olga'], groups: ['users', 'organisers'] } },
  { username: 'mallory', password: 'mallorypass', attributes: { uid: [EVIL], displayName: [EVIL], groups: ['users'] } },
  { username: 'eve', password: 'evepass', attributes: { uid: ['eve'], displayName: [EVIL], groups: ['users', EVIL] } },
];

let idp: SimpleSamlPhp;
let h: Harness;
let keyDir: string;
let spCert: string;

beforeAll(async () => {
  keyDir = mkdtempSync(path.join(os.tmpdir(), 'sciencehub-sp-keys-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', '/CN=sciencehub-test-sp',
    '-keyout', path.join(keyDir, 'sp.key'), '-out', path.join(keyDir, 'sp.crt')], { stdio: 'ignore' });
  spCert = readFileSync(path.join(keyDir, 'sp.crt'), 'utf8');
  idp = await startSimpleSamlPhp({ users: USERS });
  const port = await freePort();
  h = await startHarness({
    config: {
      hub: { port },
      auth: {
        kind: 'saml', admins: [], adminGroups: ['admins'], organiserGroups: ['organisers'],
        saml: {
          institution: 'Example University', publicUrl: `http://127.0.0.1:${port}`, idpMetadata: idp.metadataUrl,
          privateKeyFile: path.join(keyDir, 'sp.key'), certFile: path.join(keyDir, 'sp.crt'),
          nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
          username: { attribute: 'uid' }, groupsAttribute: 'groups', allowedGroups: ['users'], singleLogout: true,
        },
      },
    },
  });
  // The IdP trusts exactly what our metadata endpoint serves.
  const metadata = await fetch(`${h.hubOrigin}/hub/saml/metadata`);
  idp.setServiceProvider(await metadata.text());
});

afterAll(async () => {
  await h?.close();
  await idp?.stop();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

interface SignIn {
  web: WebClient;
  idpClient: WebClient;
  /** The hub's answer to the ACS post (after following same-origin redirects). */
  landed: WebResponse;
  samlResponse: string;
}

/** Hub → IdP login form → the IdP's auto-submit form with the SAML response (not posted yet). */
async function responseFromIdp(username: string, password: string, opts: { next?: string; web?: WebClient; idpClient?: WebClient } = {}) {
  const web = opts.web ?? new WebClient(h.hubOrigin);
  const idpClient = opts.idpClient ?? new WebClient(idp.origin);
  const start = await web.get(`/hub/saml/login?next=${encodeURIComponent(opts.next ?? '/hub/home')}`);
  const toIdp = start.hops.at(-1)?.location;
  if (!toIdp?.startsWith(idp.ssoUrl)) throw new Error(`no redirect to the IdP: ${JSON.stringify(start.hops)}`);
  const form = await signInAtIdp(idpClient, toIdp, username, password);
  expect(form.action).toBe(`${h.hubOrigin}/hub/saml/acs`);
  return { web, idpClient, form };
}

/** The whole round trip: hub → IdP login form → SAML response → ACS. */
async function signIn(username: string, password: string, opts: { next?: string; web?: WebClient; idpClient?: WebClient } = {}): Promise<SignIn> {
  const { web, idpClient, form } = await responseFromIdp(username, password, opts);
  const landed = await web.request('POST', form.action, { form: form.fields });
  return { web, idpClient, landed, samlResponse: form.fields.SAMLResponse as string };
}

async function whoami(web: WebClient) {
  const res = await web.get('/hub/api/user');
  return { status: res.status, body: res.status === 200 ? JSON.parse(res.text) : null };
}

async function sessionsOf(user: string): Promise<number> {
  return (await h.hub.ctx.store.sessions.list()).filter((s) => (s.passport as { user?: string } | undefined)?.user === user).length;
}

describe('service provider metadata', () => {
  it('is served at a stable URL with our entity id, ACS, logout URL and signing certificate', async () => {
    const res = await fetch(`${h.hubOrigin}/hub/saml/metadata`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/samlmetadata\+xml/);
    const xml = await res.text();
    expect(xml).toContain(`entityID="${h.hubOrigin}/hub/saml/metadata"`);
    expect(xml).toContain(`Location="${h.hubOrigin}/hub/saml/acs"`);
    expect(xml).toContain(`Location="${h.hubOrigin}/hub/saml/slo"`);
    expect(xml).toContain('AuthnRequestsSigned="true"');
    expect(xml.replace(/\s+/g, '')).toContain(spCert.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
    expect(await (await fetch(`${h.hubOrigin}/hub/saml/metadata`)).text()).toBe(xml);
  });

  it('sends signed AuthnRequests naming our ACS, with a short RelayState handle', async () => {
    const web = new WebClient(h.hubOrigin);
    const long = `/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice&redirect_uri=${encodeURIComponent('/user/alice/oauth_callback')}&response_type=code&state=${'x'.repeat(200)}`;
    const start = await web.get(`/hub/saml/login?next=${encodeURIComponent(long)}`);
    const url = new URL(start.hops.at(-1)?.location as string);
    expect(url.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(url.searchParams.get('Signature')).toBeTruthy();
    expect((url.searchParams.get('RelayState') ?? '').length).toBeLessThanOrEqual(80);
    const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') as string, 'base64')).toString('utf8');
    expect(request).toContain(`AssertionConsumerServiceURL="${h.hubOrigin}/hub/saml/acs"`);
    expect(request).toContain(`<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${h.hubOrigin}/hub/saml/metadata</saml:Issuer>`);
  });
});

describe('sign-in through the IdP', () => {
  it('shows a "Sign in with Example University" button that keeps next', async () => {
    const page = await new WebClient(h.hubOrigin).get('/hub/login?next=%2Fhub%2Fspawn');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/hub/saml/login?next=%2Fhub%2Fspawn">Sign in with Example University</a>');
    expect(page.text).not.toContain('name="password"');
  });

  it('alice (admins, users) lands on her page as an admin with her groups, in a new session', async () => {
    const web = new WebClient(h.hubOrigin);
    await web.get('/hub/login');
    const before = web.cookieNames().includes('sciencehub-session') ? await cookieValue(web) : null;
    expect(before).not.toBeNull();
    const { landed } = await signIn('alice', 'alicepass', { web, next: '/hub/home' });
    expect(landed.hops[0]).toMatchObject({ status: 303, url: '/hub/saml/acs', location: '/hub/home' });
    expect(landed.status).toBe(200);
    expect(landed.text).toContain('Signed in as <strong>alice</strong>');
    const after = await cookieValue(web);
    expect(after).not.toBe(before);
    // The pre-sign-in session id is gone from the store: no fixation.
    expect(await h.hub.ctx.store.sessions.get(sidOf(before as string))).toBeUndefined();
    const me = await whoami(web);
    expect(me.body).toMatchObject({ name: 'alice', admin: true, groups: ['admins', 'users'] });
    const groups = await h.api('GET', '/groups');
    expect(groups.body.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['admins', 'users']));
    expect(groups.body.find((g: { name: string }) => g.name === 'admins')).toMatchObject({ users: ['alice'], properties: { managedBy: 'identity-provider' } });
    const events = await h.hub.ctx.store.events.list({ user: 'alice', kind: 'login' });
    expect(events[0]?.message).toBe('signed in (saml)');
  });

  it('bob is a plain user (his uid "Bob" normalised to bob)', async () => {
    const { web, landed } = await signIn('bob', 'bobpass');
    expect(landed.url).toBe(`${h.hubOrigin}/hub/home`);
    expect((await whoami(web)).body).toMatchObject({ name: 'bob', admin: false, groups: ['users'] });
    expect((await web.get('/hub/api/users')).status).toBe(403);
  });

  it('olga (organisers) holds the workshops scope', async () => {
    const { web } = await signIn('olga', 'olgapass');
    const me = (await whoami(web)).body;
    expect(me).toMatchObject({ name: 'olga', admin: false });
    expect(me.scopes).toContain('workshops');
    expect(me.scopes).not.toContain('admin:users');
  });

  it('carol (outsiders) is refused with a clear page and gets no session', async () => {
    const { web, landed } = await signIn('carol', 'carolpass');
    expect(landed.status).toBe(403);
    expect(landed.text).toContain('<h1 id="not-allowed-heading">Not allowed</h1>');
    expect(landed.text).toContain('<strong>Carol Outsider</strong> (carol) signed in at Example University, but may not use this hub.');
    expect((await whoami(web)).status).toBe(403);
    expect(await sessionsOf('carol')).toBe(0);
    expect(await h.hub.ctx.store.users.get('carol')).toBeUndefined();
    expect((await h.hub.ctx.store.events.list({ kind: 'login-refused', user: 'carol' })).length).toBe(1);
  });

  it('keeps next through the IdP, but never to another site', async () => {
    const ok = await signIn('bob', 'bobpass', { next: '/hub/spawn' });
    expect(ok.landed.hops[0]?.location).toBe('/hub/spawn');
    const evil = await signIn('bob', 'bobpass', { next: '//evil.example/x' });
    expect(evil.landed.hops[0]?.location).toBe('/hub/home');
  });

  it('refuses an unusable user name, showing the IdP\'s values escaped', async () => {
    const { landed, web } = await signIn('mallory', 'mallorypass');
    expect(landed.status).toBe(403);
    expect(landed.text).not.toContain(EVIL);
    expect(landed.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(landed.text).toMatch(/only letters, digits and \. _ - @ \+ are allowed/);
    expect((await whoami(web)).status).toBe(403);
  });

  it('signs in eve with an HTML display name and group, escaped on her pages', async () => {
    const { web, landed } = await signIn('eve', 'evepass');
    expect(landed.status).toBe(200);
    expect((await whoami(web)).body.groups).toEqual([EVIL, 'users']);
    for (const page of ['/hub/home', '/hub/spawn', '/hub/nothing-here', '/hub/login']) {
      const res = await web.get(page);
      expect([page, res.text.includes(EVIL)]).toEqual([page, false]);
    }
  });

  it('a response from the IdP with a changed attribute is refused, without a session', async () => {
    const { web, form } = await responseFromIdp('bob', 'bobpass');
    const xml = Buffer.from(form.fields.SAMLResponse as string, 'base64').toString('utf8');
    expect(xml).toContain('>users<');
    const tampered = Buffer.from(xml.replace('>users<', '>admins<'), 'utf8').toString('base64');
    const forged = await web.request('POST', form.action, { form: { ...form.fields, SAMLResponse: tampered } });
    expect(forged.status).toBe(401);
    expect(forged.text).toMatch(/not signed by Example University&#39;s identity provider, or was changed after it was signed/);
    expect((await whoami(web)).status).toBe(403);
    // A failed check also spends the request: the genuine response cannot follow the forged one.
    expect((await web.request('POST', form.action, { form: form.fields })).status).toBe(401);
  });

  it('a genuine response used a second time (from another browser) is refused', async () => {
    const first = await signIn('bob', 'bobpass');
    expect(first.landed.status).toBe(200);
    const thief = new WebClient(h.hubOrigin);
    const replayed = await thief.request('POST', '/hub/saml/acs', { form: { SAMLResponse: first.samlResponse } });
    expect(replayed.status).toBe(401);
    expect(replayed.text).toMatch(/does not answer a sign-in started on this hub, or that sign-in was already completed/);
    expect(thief.cookieNames()).not.toContain('sciencehub-session');
    expect((await whoami(thief)).status).toBe(403);
  });
});

describe('groups follow the IdP at every sign-in', () => {
  afterAll(() => idp.setUsers(USERS));

  it('alice loses admin with the admins group, and keeps a group the hub manages', async () => {
    await signIn('alice', 'alicepass');
    expect((await h.api('POST', '/groups/workshop-1', { users: ['alice'] })).status).toBe(201);
    idp.setUsers(USERS.map((u) => (u.username === 'alice' ? { ...u, attributes: { ...u.attributes, groups: ['users', 'physics'] } } : u)));
    const { web } = await signIn('alice', 'alicepass');
    expect((await whoami(web)).body).toMatchObject({ name: 'alice', admin: false, groups: ['users', 'workshop-1', 'physics'] });
    expect((await h.api('GET', '/groups/admins')).body.users).toEqual([]);
    expect((await h.api('GET', '/groups/physics')).body).toMatchObject({ users: ['alice'], properties: { managedBy: 'identity-provider' } });
    const change = await h.api('POST', '/groups/physics/users', { users: ['bob'] });
    expect(change.status).toBe(409);
    expect(change.body.message).toMatch(/managed by the identity provider/);
  });
});

describe('sign-out', () => {
  it('ends every session of the user and revokes their OAuth tokens, so a second browser is out too', async () => {
    const a = await signIn('bob', 'bobpass');
    const b = await signIn('bob', 'bobpass');
    expect((await whoami(a.web)).status).toBe(200);
    expect((await whoami(b.web)).status).toBe(200);
    const { secret } = await h.hub.ctx.tokens.issue({ kind: 'oauth', user: 'bob', scopes: ['read:users:name!user=bob'], sessionId: null });
    expect((await h.api('GET', '/user', undefined, secret)).status).toBe(200);
    const home = await a.web.get('/hub/home');
    const out = await a.web.request('POST', '/hub/logout', { form: { _csrf: csrfFrom(home.text) } });
    expect(out.status).toBe(200);
    expect(out.text).toContain('You are signed out of this hub in every browser.');
    expect((await whoami(a.web)).status).toBe(403);
    expect((await whoami(b.web)).status).toBe(403);
    expect(await sessionsOf('bob')).toBe(0);
    expect((await h.api('GET', '/user', undefined, secret)).status).toBe(403);
  });

  it('with single logout, continues to the IdP, which ends its session and answers us', async () => {
    const s = await signIn('alice', 'alicepass');
    const home = await s.web.get('/hub/home');
    const out = await s.web.request('POST', '/hub/logout', { form: { _csrf: csrfFrom(home.text) } });
    const refresh = /<meta http-equiv="refresh" content="0; url=([^"]+)">/.exec(out.text)?.[1]?.replace(/&amp;/g, '&');
    expect(refresh?.startsWith(idp.sloUrl)).toBe(true);
    expect(new URL(refresh as string).searchParams.get('Signature')).toBeTruthy();
    // The IdP ends its session and posts its signed LogoutResponse back to our SLO endpoint.
    const atIdp = await s.idpClient.get(refresh as string);
    const back = formOf(atIdp);
    expect(back.action).toBe(`${h.hubOrigin}/hub/saml/slo`);
    expect(Object.keys(back.fields)).toContain('SAMLResponse');
    const done = await s.web.request('POST', back.action, { form: back.fields });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Signed out');
    // Signing in again needs the password at the IdP: its session is over.
    const again = await s.web.get('/hub/saml/login?next=/hub/home');
    const loginPage = await s.idpClient.get(again.hops.at(-1)?.location as string);
    expect(loginPage.text).toContain('name="password"');
  });

  it('a logout started at the IdP ends the hub sessions of that user', async () => {
    const s = await signIn('bob', 'bobpass');
    const other = await signIn('bob', 'bobpass');
    expect((await whoami(other.web)).status).toBe(200);
    const init = await s.idpClient.get(`${idp.origin}/simplesaml/saml2/idp/initSLO.php?RelayState=${encodeURIComponent(`${idp.origin}/simplesaml/`)}`);
    const toUs = formOf(init);
    expect(toUs.action).toBe(`${h.hubOrigin}/hub/saml/slo`);
    expect(Object.keys(toUs.fields)).toContain('SAMLRequest');
    const answer = await s.web.request('POST', toUs.action, { form: toUs.fields, maxRedirects: 0 });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')?.startsWith(idp.sloUrl)).toBe(true);
    expect((await whoami(other.web)).status).toBe(403);
    expect(await sessionsOf('bob')).toBe(0);
  });

  it('refuses unsigned or forged logout messages', async () => {
    const s = await signIn('bob', 'bobpass');
    const forged = Buffer.from('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" Version="2.0" IssueInstant="2030-01-01T00:00:00Z"><saml:Issuer>evil</saml:Issuer><saml:NameID>bob</saml:NameID></samlp:LogoutRequest>').toString('base64');
    const post = await new WebClient(h.hubOrigin).request('POST', '/hub/saml/slo', { form: { SAMLRequest: forged } });
    expect(post.status).toBe(401);
    const get = await new WebClient(h.hubOrigin).get(`/hub/saml/slo?SAMLRequest=${encodeURIComponent(forged)}`);
    expect(get.status).toBe(401);
    const empty = await new WebClient(h.hubOrigin).request('POST', '/hub/saml/slo', { form: {} });
    expect(empty.status).toBe(400);
    expect((await whoami(s.web)).status).toBe(200);
  });
});

async function cookieValue(web: WebClient): Promise<string> {
  const jar = (web as unknown as { cookies: Array<{ name: string; value: string }> }).cookies;
  return jar.find((c) => c.name === 'sciencehub-session')?.value ?? '';
}

/** express-session's cookie value is s:<sid>.<signature>, URL-encoded. */
function sidOf(cookie: string): string {
  return decodeURIComponent(cookie).replace(/^s:/, '').replace(/\.[^.]*$/, '');
}
