// Sessions for every authenticator (here the dev form): the id is rotated at sign-in, the cookie
// is HttpOnly and SameSite, and signing out (the button, or the GET link single-user servers
// use) ends every session of that user in the store and revokes their OAuth tokens.
import { startHarness, type Harness } from '../helpers/hub-harness';
import { WebClient, csrfFrom } from '../helpers/web-client';

jest.setTimeout(120_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { auth: { kind: 'dev', dev: { allowed: true, openSignup: true } } } });
});
afterAll(async () => {
  await h?.close();
});

const sidOf = (setCookie: string | null) => decodeURIComponent(/sciencehub-session=([^;]+)/.exec(setCookie ?? '')?.[1] ?? '').replace(/^s:/, '').replace(/\.[^.]*$/, '');
const sessionsOf = async (user: string) =>
  (await h.hub.ctx.store.sessions.list()).filter((s) => (s.passport as { user?: string } | undefined)?.user === user).length;

it('rotates the session id at sign-in and sets a HttpOnly, SameSite cookie on the hub path', async () => {
  const web = new WebClient(h.hubOrigin);
  const page = await web.get('/hub/login');
  const before = sidOf(page.headers.get('set-cookie'));
  expect(before).not.toBe('');
  expect(await h.hub.ctx.store.sessions.get(before)).toBeDefined();
  const res = await web.request('POST', '/hub/login', { form: { _csrf: csrfFrom(page.text), username: 'rita', password: '', next: '/hub/home' }, maxRedirects: 0 });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/; Path=\/hub\//);
  expect(cookie).toMatch(/; HttpOnly/);
  expect(cookie).toMatch(/; SameSite=Lax/);
  const after = sidOf(cookie);
  expect(after).not.toBe(before);
  expect(await h.hub.ctx.store.sessions.get(before)).toBeUndefined();
  expect((await h.hub.ctx.store.sessions.get(after))?.passport).toEqual({ user: 'rita' });
});

it('signing out in one browser signs out every browser and revokes the user\'s OAuth tokens', async () => {
  const a = new WebClient(h.hubOrigin);
  const b = new WebClient(h.hubOrigin);
  await a.login('sam');
  await b.login('sam');
  const other = new WebClient(h.hubOrigin);
  await other.login('tess');
  expect(await sessionsOf('sam')).toBe(2);
  const { secret } = await h.hub.ctx.tokens.issue({ kind: 'oauth', user: 'sam', scopes: ['read:users:name!user=sam'], sessionId: null });
  const { secret: apiToken } = await h.hub.ctx.tokens.issue({ kind: 'api', user: 'sam', scopes: ['read:users:name!user=sam'] });
  const home = await a.get('/hub/home');
  const out = await a.request('POST', '/hub/logout', { form: { _csrf: csrfFrom(home.text) }, maxRedirects: 0 });
  expect(out.status).toBe(303);
  expect(out.headers.get('location')).toBe('/hub/login');
  expect((await b.get('/hub/api/user')).status).toBe(403);
  expect((await b.get('/hub/home')).url).toMatch(/\/hub\/login\?next=/);
  expect(await sessionsOf('sam')).toBe(0);
  expect((await h.api('GET', '/user', undefined, secret)).status).toBe(403);
  // API tokens the user made on purpose stay; another user's sessions stay.
  expect((await h.api('GET', '/user', undefined, apiToken)).status).toBe(200);
  expect((await other.get('/hub/api/user')).status).toBe(200);
  const events = await h.hub.ctx.store.events.list({ user: 'sam', kind: 'logout' });
  expect(events[0]).toMatchObject({ message: 'signed out everywhere (sign-out button)', data: { sessions: 2, oauthTokens: 1 } });
});

it('the GET sign-out link of single-user servers does the same', async () => {
  const a = new WebClient(h.hubOrigin);
  const b = new WebClient(h.hubOrigin);
  await a.login('uma');
  await b.login('uma');
  const out = await a.request('GET', '/hub/logout', { maxRedirects: 0 });
  expect(out.status).toBe(303);
  expect((await b.get('/hub/api/user')).status).toBe(403);
  expect(await sessionsOf('uma')).toBe(0);
});
