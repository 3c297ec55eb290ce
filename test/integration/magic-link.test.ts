// Magic links and the spawn form against a real hub, proxy and local spawner (fast stand-in
// server): a link never starts anything on GET; a signed-out user signs in and comes back to the
// pre-filled confirmation; one POST with the CSRF token starts exactly what it showed; a link the
// catalog, the user's groups or quota do not allow is refused with the reason and creates nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { WebClient, csrfFrom } from '../helpers/web-client';
import { fakeLocalSpawner } from '../helpers/test-spawners';
import { recordingSpawner, testCatalogConfig, type RecordingSpawner } from '../unit/hub/catalog/test-catalog';
import { serverKey } from '../../hub/store/store';

jest.setTimeout(60_000);
const G = 2 ** 30;

let h: Harness;
let spawner: RecordingSpawner;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'magic-link-'));
  spawner = recordingSpawner(fakeLocalSpawner());
  h = await startHarness({ config: testCatalogConfig(dir, 8), overrides: { spawner } });
});

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function signedIn(name: string): Promise<WebClient> {
  const web = new WebClient(h.hubOrigin);
  const res = await web.login(name);
  expect(res.status).toBe(200);
  return web;
}

async function waitRunning(user: string, server = ''): Promise<void> {
  await h.hub.ctx.orchestrator.settled(user, server);
  expect((await h.hub.ctx.store.servers.get(serverKey(user, server)))?.state).toBe('running');
}

const serversOf = async (user: string) => (await h.hub.ctx.store.servers.list()).filter((s) => s.user === user);
const startsOf = (user: string) => spawner.starts.filter((s) => s.startsWith(`${user}/`));

describe('magic links', () => {
  it('signed out: sign in, come back to the same link, see a pre-filled confirmation; nothing starts on GET', async () => {
    const web = new WebClient(h.hubOrigin);
    const link = '/hub/spawn?image=astro&mem_limit=2G&cpu_limit=1';
    const first = await web.request('GET', link, { maxRedirects: 0 });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(`/hub/login?next=${encodeURIComponent(link)}`);
    const loginPage = await web.get(first.headers.get('location') as string);
    expect(loginPage.text).toContain(`name="next" value="${link.replace(/&/g, '&amp;')}"`);
    const back = await web.request('POST', '/hub/login', { form: { _csrf: csrfFrom(loginPage.text), username: 'lena', password: 'x', next: link } });
    expect(back.hops.map((hop) => hop.url)).toEqual(['/hub/login', link]);
    expect(back.status).toBe(200);
    expect(back.text).toContain('Nothing starts until you press Start');
    expect(back.text).toContain('<input type="hidden" name="image" value="astro"><input type="hidden" name="size" value="small">');
    expect(back.text).toContain('Astronomy</strong>, version 2.0.0');
    expect(back.text.match(/<button type="submit" class="button button-primary/g)).toHaveLength(1);
    // Opening it again (a prefetch, a reload) still starts nothing.
    await web.get(link);
    expect(await serversOf('lena')).toEqual([]);
    expect(startsOf('lena')).toEqual([]);

    const started = await web.request('POST', '/hub/spawn/lena', { form: { _csrf: csrfFrom(back.text), image: 'astro', size: 'small' }, maxRedirects: 0 });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe('/hub/spawn-pending/lena');
    await waitRunning('lena');
    const server = await h.hub.ctx.store.servers.get(serverKey('lena', ''));
    expect(server).toMatchObject({ image: 'ghcr.io/test/astro:2.0.0', userOptions: { image: 'astro', size: 'small' }, resources: { memLimit: 2 * G, cpuLimit: 1 } });
    expect(startsOf('lena')).toEqual(['lena/ ghcr.io/test/astro:2.0.0']);
    // The running server's link goes straight to it.
    expect((await web.request('GET', link, { maxRedirects: 0 })).headers.get('location')).toBe('/user/lena/');
  });

  it("accepts JupyterHub 6's opt- names and picks the smallest size that fits", async () => {
    const web = await signedIn('omar');
    const page = await web.get('/hub/spawn?opt-image=ghcr.io%2Ftest%2Fbase%3A1.0.0&opt-mem_limit=1.5G&opt-cpu_limit=500m');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<input type="hidden" name="image" value="base"><input type="hidden" name="size" value="medium">');
    expect(page.text).toContain('Medium (4 GiB, 2 CPUs)');
  });

  it.each([
    ['image=nope', 400, /The image &quot;nope&quot; is not in this hub&#39;s catalog/],
    ['image=docker.io%2Fevil%2Fminer%3Alatest', 400, /not in this hub&#39;s catalog/],
    ['image=team', 403, /not available to you/],
    ['image=nolinks', 403, /cannot be started from a link/],
    ['image=astro&mem_limit=16G', 403, /Big \(16 GiB, 4 CPUs\) is over your quota \(at most 8 GiB of memory per server\)/],
    ['image=astro&size=big', 403, /over your quota/],
    ['image=base&mem_limit=64G', 400, /No size of &quot;base&quot; offers 64 GiB/],
    ['image=astro&mem_limit=16GB', 400, /mem_limit: expected a memory size such as 512M, 16G, 1.5Gi/],
    ['image=astro&cpu_limit=lots', 400, /cpu_limit: expected a CPU amount/],
    ['image=astro&image=base', 400, /image is given more than once/],
    ['image=astro&opt-image=base', 400, /opt-image repeats image/],
    ['image=astro&memory=16G', 400, /unknown parameter &quot;memory&quot;/],
  ])('refuses %s with %d, the reason and what is allowed; nothing is created', async (query, status, reason) => {
    const web = await signedIn('rita');
    const before = (await h.hub.ctx.store.events.list({ user: 'rita', kind: 'refusal' })).length;
    const page = await web.get(`/hub/spawn?${query}`);
    expect(page.status).toBe(status);
    expect(page.text).toMatch(/This link cannot start a server/);
    expect(page.text).toMatch(reason);
    expect(page.text).toContain('Nothing was started.');
    expect(page.text).toMatch(/<code>astro<\/code>, version 2.0.0\): sizes <code>small<\/code> Small \(2 GiB, 1 CPU\)<\/li>/);
    expect(page.text).not.toMatch(/<code>big<\/code>/);
    expect(page.text).not.toMatch(/<code>nolinks<\/code>|<code>team<\/code>/);
    expect(page.text).not.toMatch(/name="_csrf"[^>]*>\s*<input type="hidden" name="image"/);
    expect(await serversOf('rita')).toEqual([]);
    expect(startsOf('rita')).toEqual([]);
    expect((await h.hub.ctx.store.events.list({ user: 'rita', kind: 'refusal' })).length).toBe(before + 1);
  });

  it('a group member may follow a link to a group image', async () => {
    await h.api('POST', '/users', { usernames: ['tess'] });
    await h.api('POST', '/groups/jwst-team', { users: ['tess'] });
    const web = await signedIn('tess');
    const page = await web.get('/hub/spawn?image=team');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<input type="hidden" name="image" value="team">');
  });

  it('a spawn POST without the CSRF token is refused and starts nothing', async () => {
    const web = await signedIn('carl');
    await web.get('/hub/spawn?image=astro');
    const res = await web.request('POST', '/hub/spawn/carl', { form: { image: 'astro', size: 'small' } });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/CSRF/);
    expect(await serversOf('carl')).toEqual([]);
    expect(startsOf('carl')).toEqual([]);
  });

  it('server_name from the home page form leads to the named server (when enabled) or is refused', async () => {
    const web = await signedIn('nina');
    const res = await web.request('GET', '/hub/spawn?server_name=gpu&image=astro', { maxRedirects: 0 });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/hub/spawn/nina/gpu?image=astro');
    expect((await web.get('/hub/spawn?server_name=Bad%20Name')).status).toBe(400);
  });
});

describe('the spawn form', () => {
  it('lists the images the user may use with the sizes within the quota, and starts the chosen one', async () => {
    const web = await signedIn('fred');
    const form = await web.get('/hub/spawn');
    expect(form.status).toBe(200);
    const images = [...form.text.matchAll(/name="image" id="image-([a-z0-9-]+)"/g)].map((m) => m[1]);
    expect(images).toEqual(['base', 'astro', 'nolinks']);
    const sizes = (id: string) => [...(new RegExp(`name="size\\.${id}">([\\s\\S]*?)</select>`).exec(form.text)?.[1] ?? '').matchAll(/value="([^"]+)"/g)].map((m) => m[1]);
    expect(sizes('base')).toEqual(['small', 'medium']);
    expect(sizes('astro')).toEqual(['small']);
    expect(form.text).toContain('Only sizes within your quota (at most 8 GiB of memory per server) are shown.');
    expect(form.text).toContain('the image is informational');
    const res = await web.request('POST', '/hub/spawn/fred', { form: { _csrf: csrfFrom(form.text), image: 'base', 'size.base': 'medium', 'size.astro': 'small', 'size.nolinks': 'small' } });
    expect(res.hops[0]?.status).toBe(303);
    await waitRunning('fred');
    expect((await h.hub.ctx.store.servers.get(serverKey('fred', '')))?.userOptions).toEqual({ image: 'base', size: 'medium' });
  });

  it('a forged choice over the quota or of a hidden image is refused on the form with the reason', async () => {
    const web = await signedIn('gina');
    const form = await web.get('/hub/spawn');
    for (const [fields, reason] of [[{ image: 'astro', 'size.astro': 'big' }, /over your quota/], [{ image: 'team' }, /not available to you/], [{ image: 'base', colour: 'red' }, /Unknown form field/]] as const) {
      const res = await web.request('POST', '/hub/spawn/gina', { form: { _csrf: csrfFrom(form.text), ...fields } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).toMatch(reason);
    }
    expect(await serversOf('gina')).toEqual([]);
    expect(startsOf('gina')).toEqual([]);
  });
});

describe('REST API', () => {
  it('POST /users/{name}/server resolves user_options through the catalog, strictly', async () => {
    await h.api('POST', '/users', { usernames: ['api1'] });
    expect((await h.api('POST', '/users/api1/server', { colour: 'red' })).body.message).toMatch(/Invalid server options: unknown option "colour"/);
    expect((await h.api('POST', '/users/api1/server', { image: 'team' })).status).toBe(403);
    const over = await h.api('POST', '/users/api1/server', { image: 'base', mem_limit: '16G' });
    expect(over.status).toBe(403);
    expect(over.body.message).toMatch(/over your quota/);
    expect((await h.api('POST', '/users/api1/server', { image: 'base', cpu_limit: 'x' })).status).toBe(400);
    expect(await serversOf('api1')).toEqual([]);
    // The form-only image is fine through the API (it is not a link).
    expect((await h.api('POST', '/users/api1/server', { image: 'nolinks' })).status).toBe(202);
    await waitRunning('api1');
    const model = await h.api('GET', '/users/api1');
    expect(model.body.servers[''].user_options).toEqual({ image: 'nolinks', size: 'small' });
  });

  it('GET /images shows a user the images they may see, sizes marked within their quota', async () => {
    await h.api('POST', '/users', { usernames: ['img1'] });
    const token = (await h.api('POST', '/users/img1/tokens', { note: 't' })).body.token as string;
    const mine = await h.api('GET', '/images', undefined, token);
    expect(mine.status).toBe(200);
    expect(mine.body.map((i: { id: string }) => i.id)).toEqual(['base', 'astro', 'nolinks']);
    const astro = mine.body.find((i: { id: string }) => i.id === 'astro');
    expect(astro).toMatchObject({ version: '2.0.0', image: 'ghcr.io/test/astro:2.0.0', tags: ['JWST', 'HST'], allow_in_links: true, default_size: 'small' });
    expect(astro.sizes.map((s: { name: string; within_quota: boolean }) => [s.name, s.within_quota])).toEqual([['small', true], ['big', false]]);
    expect((await h.api('GET', '/images?user=tess', undefined, token)).status).toBe(404);
    expect((await h.api('GET', '/images?colour=red', undefined, token)).status).toBe(400);
    const all = await h.api('GET', '/images');
    expect(all.body.map((i: { id: string }) => i.id)).toEqual(['base', 'astro', 'team', 'nolinks']);
    expect((await h.api('GET', '/images?user=tess')).body.map((i: { id: string }) => i.id)).toEqual(['base', 'astro', 'team', 'nolinks']);
    expect((await h.api('GET', '/images', undefined, null)).status).toBe(403);
  });
});

describe('named servers on the form', () => {
  let named: Harness;
  beforeAll(async () => {
    named = await startHarness({ config: { ...testCatalogConfig(dir, 8), hub: { namedServers: { enabled: true } } } });
  });
  afterAll(async () => {
    await named?.close();
  });

  it('offers a server name when enabled and starts the named server with the chosen image', async () => {
    const web = new WebClient(named.hubOrigin);
    await web.login('nora');
    const form = await web.get('/hub/spawn');
    expect(form.text).toContain('name="server_name"');
    const res = await web.request('POST', '/hub/spawn/nora', { form: { _csrf: csrfFrom(form.text), image: 'astro', 'size.astro': 'small', server_name: 'jwst' }, maxRedirects: 0 });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/hub/spawn-pending/nora/jwst');
    await named.hub.ctx.orchestrator.settled('nora', 'jwst');
    expect(await named.hub.ctx.store.servers.get(serverKey('nora', 'jwst'))).toMatchObject({ state: 'running', userOptions: { image: 'astro', size: 'small' } });
    expect((await web.get('/hub/spawn/nora/other')).text).not.toContain('name="server_name"');
    const bad = await web.request('POST', '/hub/spawn/nora', { form: { _csrf: csrfFrom(form.text), image: 'astro', server_name: 'Bad Name' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/Invalid server name/);
  });
});
