// Workshop links against a real hub, proxy and local spawner (fast stand-in server): organisers
// make links through the API, attendees join through the signed link (group joined, workshop
// image and size), links refuse when tampered, expired, closed or full, and nothing starts on GET.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { WebClient, csrfFrom } from '../helpers/web-client';
import { fakeLocalSpawner } from '../helpers/test-spawners';
import { recordingSpawner, testCatalogConfig, type RecordingSpawner } from '../unit/hub/catalog/test-catalog';
import { serverKey } from '../../hub/store/store';

jest.setTimeout(60_000);

let h: Harness;
let spawner: RecordingSpawner;
let dir: string;
let olgaToken: string;
let adminToken: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'workshops-'));
  spawner = recordingSpawner(fakeLocalSpawner());
  const config = testCatalogConfig(dir, 8);
  h = await startHarness({ config: { ...config, auth: { organiserGroups: ['organisers'] }, quotas: { defaults: { memoryPerServerGb: 8 }, groups: { 'ws-big': { memoryPerServerGb: 16 } } } }, overrides: { spawner } });
  await h.api('POST', '/users', { usernames: ['olga', 'paul'] });
  await h.api('POST', '/groups/organisers', { users: ['olga'] });
  // The harness's service token lacks `workshops`, so it cannot mint one that has it: issue directly.
  olgaToken = (await h.hub.ctx.tokens.issue({ kind: 'api', user: 'olga', scopes: ['inherit'], note: 'organiser' })).secret;
  adminToken = (await h.hub.ctx.tokens.issue({ kind: 'api', user: 'admin', scopes: ['inherit'], note: 'admin' })).secret;
});

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const asOlga = (method: string, p: string, body?: unknown) => h.api(method, p, body, olgaToken);
const asAdmin = (method: string, p: string, body?: unknown) => h.api(method, p, body, adminToken);
const tokenOf = (url: string) => url.split('/hub/workshop/')[1] as string;

async function signedIn(name: string): Promise<WebClient> {
  const web = new WebClient(h.hubOrigin);
  expect((await web.login(name)).status).toBe(200);
  return web;
}

describe('workshop API', () => {
  it('only organisers and admins may manage workshops; organisers see their own', async () => {
    const paulToken = (await h.api('POST', '/users/paul/tokens', { note: 'x' })).body.token;
    expect((await h.api('GET', '/workshops', undefined, paulToken)).status).toBe(403);
    const made = await asOlga('POST', '/workshops', { name: 'Olga’s', image: 'astro', max_attendees: 3, expires_in_hours: 2 });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'Olga’s', image: 'astro', size: 'small', organiser: 'olga', max_attendees: 3, places_left: 3, status: 'open', group: expect.stringMatching(/^workshop-/) });
    expect(made.body.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/hub/workshop/${made.body.id}\\.\\d+\\.[A-Za-z0-9_-]{43}$`));
    const byAdmin = await asAdmin('POST', '/workshops', { name: 'Admin’s', image: 'base', size: 'medium', max_attendees: 1, expires_at: new Date(Date.now() + 3600_000).toISOString() });
    expect(byAdmin.status).toBe(201);
    expect((await asOlga('GET', '/workshops')).body.map((w: { name: string }) => w.name)).toEqual(['Olga’s']);
    expect((await asAdmin('GET', '/workshops')).body.map((w: { name: string }) => w.name).sort()).toEqual(['Admin’s', 'Olga’s']);
    expect((await asOlga('GET', `/workshops/${byAdmin.body.id}`)).status).toBe(404);
    expect((await asOlga('DELETE', `/workshops/${byAdmin.body.id}`)).status).toBe(404);
    expect((await h.api('GET', '/workshops')).status).toBe(403); // a service without the scope
  });

  it.each([
    [{ name: 'x', image: 'astro', max_attendees: 3 }, /exactly one of expires_at and expires_in_hours/],
    [{ name: 'x', image: 'team', max_attendees: 3, expires_in_hours: 1 }, /image: "team" is not in the catalog \(or not available to you\)/],
    [{ name: 'x', image: 'nolinks', max_attendees: 3, expires_in_hours: 1 }, /may not be started from links/],
    [{ name: 'x', image: 'astro', size: 'huge', max_attendees: 3, expires_in_hours: 1 }, /size: "huge" is not a size/],
    [{ name: 'x', image: 'astro', max_attendees: 3, expires_in_hours: 1, group: 'organisers' }, /grants admin or organiser rights/],
    [{ name: 'x', image: 'astro', max_attendees: 3, expires_in_hours: 1, group: 'jwst-team' }, /was not made for your workshops/],
    [{ name: 'x', image: 'astro', max_attendees: 0, expires_in_hours: 1 }, /max_attendees/],
    [{ name: 'x', image: 'astro', max_attendees: 3, expires_in_hours: 1, colour: 'red' }, /unknown field/],
  ])('refuses %p with a 400 naming the problem', async (body, problem) => {
    await h.api('POST', '/groups/jwst-team', {});
    const res = await asOlga('POST', '/workshops', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(problem);
  });
});

describe('attending through the link', () => {
  it('signed out → sign in → the workshop page → Start joins the group and starts the workshop image', async () => {
    const made = (await asOlga('POST', '/workshops', { name: 'JWST day', image: 'astro', size: 'big', max_attendees: 2, expires_in_hours: 3, group: 'ws-big' })).body;
    const link = `/hub/workshop/${tokenOf(made.url)}`;
    const web = new WebClient(h.hubOrigin);
    const first = await web.request('GET', link, { maxRedirects: 0 });
    expect(first.headers.get('location')).toBe(`/hub/login?next=${encodeURIComponent(link)}`);
    const loginPage = await web.get(first.headers.get('location') as string);
    const page = await web.request('POST', '/hub/login', { form: { _csrf: csrfFrom(loginPage.text), username: 'amy', password: 'x', next: link } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1 id="workshop-heading">JWST day</h1>');
    expect(page.text).toContain('Astronomy, version 2.0.0');
    expect(page.text).toContain('Big (16 GiB, 4 CPUs)');
    expect(page.text.match(/<button type="submit" class="button button-primary/g)).toHaveLength(1);
    expect((await h.hub.ctx.store.workshops.get(made.id))?.attendees).toEqual([]);
    expect(spawner.starts.filter((s) => s.startsWith('amy/'))).toEqual([]);

    const started = await web.request('POST', link, { form: { _csrf: csrfFrom(page.text) }, maxRedirects: 0 });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe('/hub/spawn-pending/amy');
    await h.hub.ctx.orchestrator.settled('amy', '');
    const server = await h.hub.ctx.store.servers.get(serverKey('amy', ''));
    // 16 GiB is over the default quota (8) but within the workshop group's.
    expect(server).toMatchObject({ state: 'running', image: 'ghcr.io/test/astro:2.0.0', userOptions: { image: 'astro', size: 'big', workshop: made.id }, resources: { memLimit: 16 * 2 ** 30 } });
    expect((await h.hub.ctx.store.users.get('amy'))?.groups).toContain('ws-big');
    // Opening the link again goes to the running server.
    expect((await web.request('GET', link, { maxRedirects: 0 })).headers.get('location')).toBe('/user/amy/');
    const detail = await asOlga('GET', `/workshops/${made.id}`);
    expect(detail.body.attendee_list).toEqual([{ name: 'amy', joined: expect.any(String), server_state: 'running', stop_reason: null }]);
  });

  it('refuses a tampered, expired, closed or full link, saying why; nothing starts', async () => {
    const made = (await asOlga('POST', '/workshops', { name: 'Tiny', image: 'base', max_attendees: 1, expires_in_hours: 1 })).body;
    const token = tokenOf(made.url);
    const [id, exp, sig] = token.split('.') as [string, string, string];
    const web = await signedIn('ben');
    const tampered = await web.get(`/hub/workshop/${id}.${Number(exp) + 86400}.${sig}`);
    expect(tampered.status).toBe(400);
    expect(tampered.text).toMatch(/changed after it was made/);
    expect((await web.get('/hub/workshop/not-a-link')).status).toBe(400);
    // First attendee takes the only place; the second is told it is full.
    const page = await web.get(`/hub/workshop/${token}`);
    expect((await web.request('POST', `/hub/workshop/${token}`, { form: { _csrf: csrfFrom(page.text) } })).hops[0]?.status).toBe(303);
    const cid = await signedIn('cid');
    const full = await cid.get(`/hub/workshop/${token}`);
    expect(full.status).toBe(403);
    expect(full.text).toMatch(/is full: all 1 places are taken/);
    // Closing the link refuses everyone, attendees included; stop all stops ben's server.
    await h.hub.ctx.orchestrator.settled('ben', '');
    expect((await asOlga('POST', `/workshops/${made.id}/stop`)).body).toEqual({ stopped: 1 });
    expect((await h.hub.ctx.store.servers.get(serverKey('ben', '')))?.state).toBe('stopped');
    expect((await asOlga('DELETE', `/workshops/${made.id}`)).status).toBe(204);
    const closed = await web.get(`/hub/workshop/${token}`);
    expect(closed.status).toBe(410);
    expect(closed.text).toMatch(/closed by its organiser/);
    expect((await h.api('POST', '/users/cid/server', { workshop: made.id })).status).toBe(403);
    expect(spawner.starts.filter((s) => s.startsWith('cid/'))).toEqual([]);
  });

  it('an expired link is refused with when it expired', async () => {
    const made = (await asOlga('POST', '/workshops', { name: 'Soon over', image: 'base', max_attendees: 5, expires_at: new Date(Date.now() + 3000).toISOString() })).body;
    expect(made.status).toBe('open');
    await new Promise((r) => setTimeout(r, 4000));
    const web = await signedIn('dan');
    const res = await web.get(`/hub/workshop/${tokenOf(made.url)}`);
    expect(res.status).toBe(410);
    expect(res.text).toMatch(/expired on/);
  });

  it('a join POST without the CSRF token is refused and joins nothing', async () => {
    const made = (await asOlga('POST', '/workshops', { name: 'No CSRF', image: 'base', max_attendees: 5, expires_in_hours: 1 })).body;
    const web = await signedIn('eve');
    const res = await web.request('POST', `/hub/workshop/${tokenOf(made.url)}`, { form: {} });
    expect(res.status).toBe(403);
    expect((await h.hub.ctx.store.workshops.get(made.id))?.attendees).toEqual([]);
    expect(spawner.starts.filter((s) => s.startsWith('eve/'))).toEqual([]);
  });

  it('the organiser page lists the workshop with its link; others are refused', async () => {
    const olga = await signedIn('olga');
    const page = await olga.get('/hub/workshops');
    expect(page.status).toBe(200);
    expect(page.text).toContain('JWST day');
    expect(page.text).toMatch(/value="http:\/\/127\.0\.0\.1:\d+\/hub\/workshop\/[^"]+"/);
    const created = await olga.request('POST', '/hub/workshops', { form: { _csrf: csrfFrom(page.text), name: 'From the page', choice: 'base/medium', hours: '4', max: '10', group: '' } });
    expect(created.status).toBe(200);
    expect(created.hops[0]?.location).toMatch(/^\/hub\/workshops\/[A-Za-z0-9_-]{16}$/);
    expect(created.text).toContain('<h1>From the page</h1>');
    expect(created.text).toContain('Nobody has joined yet.');
    const bad = await olga.request('POST', '/hub/workshops', { form: { _csrf: csrfFrom(page.text), name: 'x', choice: 'team/small', hours: '4', max: '10', group: '' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/not in the catalog/);
    const paul = await signedIn('paul');
    expect((await paul.get('/hub/workshops')).status).toBe(403);
  });
});
