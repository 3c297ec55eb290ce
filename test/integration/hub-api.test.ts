// The hub REST API against a real hub + proxy + local spawner (fast stand-in server): users,
// servers, progress, tokens and scopes, activity, and bad input (always 4xx naming the field).
import { readFileSync } from 'node:fs';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { readEvents, WebClient } from '../helpers/web-client';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ config: { hub: { namedServers: { enabled: true, limitPerUser: 2 } } } });
});
afterAll(async () => {
  await h?.close();
});

async function startAndWait(user: string, server = ''): Promise<Array<Record<string, unknown>>> {
  const path = server ? `/users/${user}/servers/${server}` : `/users/${user}/server`;
  const res = await h.api('POST', path, {});
  expect(res.status).toBe(202);
  return readEvents(`${h.hubOrigin}/hub/api${path}/progress`, { Authorization: 'token admin-service-token-0123456789abcdef' }, (e) => Boolean(e.ready || e.failed));
}

describe('OpenAPI document', () => {
  it('describes every API route the hub serves, with its scopes, and needs no token', async () => {
    const res = await h.api('GET', '/openapi.json', undefined, null);
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, { 'x-scopes': string[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    const served = h.hub.routes.filter((r) => r.path.startsWith('/api/') && !r.path.startsWith('/api/oauth2/'));
    expect(served.length).toBeGreaterThan(40);
    for (const r of served) {
      const path = r.path.slice('/api'.length).replace(/:([A-Za-z_]\w*)/g, '{$1}');
      const op = doc.paths[path]?.[r.method];
      expect({ route: `${r.method} ${r.path}`, scopes: op?.['x-scopes'] }).toEqual({ route: `${r.method} ${r.path}`, scopes: r.access === 'public' ? [] : r.access.split('|') });
    }
  });

  it('shows the body and query schemas the handlers validate with', async () => {
    const doc = (await h.api('GET', '/openapi.json', undefined, null)).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; parameters?: Array<{ name: string; in: string }> }>> };
    const bodyOf = (path: string, method: string) => doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
    const withBody = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => op.requestBody).map(([m]) => `${m} ${path}`)).sort();
    expect(withBody).toEqual([
      'delete /groups/{group}/users', 'delete /users/{name}/server', 'delete /users/{name}/servers/{server}',
      'patch /users/{name}', 'post /groups/{group}', 'post /groups/{group}/users', 'post /users', 'post /users/{name}',
      'post /users/{name}/activity', 'post /users/{name}/server', 'post /users/{name}/server/cull', 'post /users/{name}/servers/{server}',
      'post /users/{name}/servers/{server}/cull', 'post /users/{name}/tokens', 'post /workshops', 'put /groups/{group}/quota', 'put /users/{name}/quota',
    ]);
    expect(bodyOf('/users', 'post')).toMatchObject({ type: 'object', required: ['usernames'], properties: { usernames: { type: 'array' } } });
    expect(bodyOf('/users/{name}/quota', 'put')).toMatchObject({ type: 'object', properties: { maxServers: expect.any(Object), monthlyBudget: expect.any(Object) } });
    // What the document says is what the hub enforces: a field it does not list is refused.
    expect(bodyOf('/users/{name}', 'patch')).toMatchObject({ additionalProperties: false, properties: { name: { type: 'string' }, admin: { type: 'boolean' } } });
    await h.api('POST', '/users', { usernames: ['otto'] });
    const refused = await h.api('PATCH', '/users/otto', { admn: true });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/body: unknown field\(s\) admn/);
    const query = (doc.paths['/users']?.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query).toEqual(expect.arrayContaining(['offset', 'limit']));
  });
});

describe('version and identity', () => {
  it('answers /hub/api and /hub/api/ without auth, with a PEP 440 version header', async () => {
    for (const p of ['', '/']) {
      const res = await h.api('GET', p, undefined, null);
      expect(res.status).toBe(200);
      expect(res.body.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(res.headers.get('x-jupyterhub-version')).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('answers /user with 403 (never 401 or 404) for a bad or missing token', async () => {
    expect((await h.api('GET', '/user', undefined, 'not-a-real-token')).status).toBe(403);
    expect((await h.api('GET', '/user', undefined, null)).status).toBe(403);
  });

  it('tells a service who it is', async () => {
    const res = await h.api('GET', '/user');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'service', name: 'test-admin' });
    expect(res.body.scopes).toEqual(expect.arrayContaining(['admin:users', 'list:users']));
  });

  it('accepts "bearer" as well as "token" and refuses other schemes', async () => {
    const ok = await fetch(`${h.hubOrigin}/hub/api/user`, { headers: { Authorization: 'Bearer admin-service-token-0123456789abcdef' } });
    expect(ok.status).toBe(200);
    const bad = await fetch(`${h.hubOrigin}/hub/api/users`, { headers: { Authorization: 'Basic YWxpY2U6eA==' } });
    expect(bad.status).toBe(403);
  });
});

describe('users', () => {
  it('creates users, refuses duplicates and bad names, and lists them with pagination', async () => {
    const created = await h.api('POST', '/users', { usernames: ['ann', 'ben', 'cat'] });
    expect(created.status).toBe(201);
    expect(created.body.map((u: { name: string }) => u.name).sort()).toEqual(['ann', 'ben', 'cat']);
    expect((await h.api('POST', '/users', { usernames: ['ann'] })).status).toBe(409);
    const bad = await h.api('POST', '/users', { usernames: ['a/b'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('a/b');

    const page = await fetch(`${h.hubOrigin}/hub/api/users?limit=2&name_filter=a`, {
      headers: { Authorization: 'token admin-service-token-0123456789abcdef', Accept: 'application/jupyterhub-pagination+json' },
    });
    const body = (await page.json()) as { items: Array<{ name: string }>; _pagination: { total: number; next: { url: string } | null } };
    // 'admin' (from the config) was created first; the default sort is creation order.
    expect(body.items.map((u) => u.name)).toEqual(['admin', 'ann']);
    expect(body._pagination.total).toBe(3);
    const plain = await h.api('GET', '/users?sort=-name');
    expect(Array.isArray(plain.body)).toBe(true);
    const names = plain.body.map((u: { name: string }) => u.name);
    expect(names).toEqual([...names].sort().reverse());
  });

  it('gives an absolute next URL that works verbatim', async () => {
    const headers = { Authorization: 'token admin-service-token-0123456789abcdef', Accept: 'application/jupyterhub-pagination+json' };
    const first = (await (await fetch(`${h.hubOrigin}/hub/api/users?limit=1`, { headers })).json()) as { items: unknown[]; _pagination: { next: { url: string } } };
    expect(first._pagination.next.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hub\/api\/users\?/);
    const second = (await (await fetch(first._pagination.next.url, { headers })).json()) as { items: Array<{ name: string }>; _pagination: { offset: number } };
    expect(second._pagination.offset).toBe(1);
  });

  it('answers bad input with 400 naming the field, never 500', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/users', { usernames: 'ann' }, 'body.usernames'],
      ['POST', '/users', { usernames: ['x'], admin: 'yes' }, 'body.admin'],
      ['POST', '/users', { usernames: ['x'], extra: 1 }, 'extra'],
      ['GET', '/users?limit=-3', undefined, 'query.limit'],
      ['GET', '/users?state=sleeping', undefined, 'query.state'],
      ['PATCH', '/users/ann', { admin: 'no' }, 'body.admin'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.api(method, path, body);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.message).toContain(field);
    }
    const notJson = await h.api('POST', '/users', '{"usernames": [');
    expect(notJson.status).toBe(400);
    expect(notJson.body.message).toMatch(/JSON/);
  });

  it('patches, 404s unknown users, and deletes', async () => {
    expect((await h.api('PATCH', '/users/ben', { admin: true })).body.admin).toBe(true);
    expect((await h.api('GET', '/users/nobody')).status).toBe(404);
    expect((await h.api('DELETE', '/users/ben')).status).toBe(204);
    expect((await h.api('GET', '/users/ben')).status).toBe(404);
  });
});

describe('servers', () => {
  it('starts a server with monotonic progress, routes it through the proxy, and stops it', async () => {
    await h.api('POST', '/users', { usernames: ['dora'] });
    const events = await startAndWait('dora');
    const progress = events.map((e) => e.progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ progress: 100, ready: true, url: '/user/dora/' });

    const model = await h.api('GET', '/users/dora');
    expect(model.body.servers['']).toMatchObject({ ready: true, pending: null, url: '/user/dora/', stopped: false });
    expect(model.body.server).toBe('/user/dora/');

    const through = await fetch(`${h.origin}/user/dora/api/status`);
    expect(through.status).toBe(200);
    expect(await through.json()).toMatchObject({ fake: 'singleuser', user: 'dora', prefix: '/user/dora/' });

    const routes = await h.api('GET', '/proxy');
    expect(routes.body['/user/dora/']).toMatchObject({ routespec: '/user/dora/', data: { user: 'dora', server_name: '' } });

    expect((await h.api('POST', '/users/dora/server', {})).status).toBe(400); // already running
    expect((await h.api('DELETE', '/users/dora/server')).status).toBe(204);
    expect((await h.api('GET', '/users/dora')).body.servers).toEqual({});
    const stopped = await h.api('GET', '/users/dora?include_stopped_servers');
    expect(stopped.body.servers['']).toMatchObject({ stopped: true, ready: false });
    expect((await h.api('GET', '/proxy')).body['/user/dora/']).toBeUndefined();
  });

  it('runs named servers within the limit and removes them on request', async () => {
    await h.api('POST', '/users', { usernames: ['emil'] });
    expect((await startAndWait('emil', 'gpu')).at(-1)).toMatchObject({ ready: true, url: '/user/emil/gpu/' });
    expect((await fetch(`${h.origin}/user/emil/gpu/api`)).status).toBe(200);
    expect((await h.api('POST', '/users/emil/servers/Bad Name', {})).status).toBe(400);
    expect((await startAndWait('emil', 'two')).at(-1)).toMatchObject({ ready: true });
    const third = await h.api('POST', '/users/emil/servers/three', {});
    expect(third.status).toBe(400);
    expect(third.body.message).toMatch(/limitPerUser/);
    expect((await h.api('DELETE', '/users/emil/servers/gpu', { remove: true })).status).toBe(204);
    expect((await h.api('DELETE', '/users/emil/servers/two', {})).status).toBe(204);
    const model = await h.api('GET', '/users/emil?include_stopped_servers');
    expect(Object.keys(model.body.servers)).toEqual(['two']);
  });

  it('stops a server once when several stops arrive together (one stop event), each answering 204', async () => {
    await h.api('POST', '/users', { usernames: ['gil'] });
    expect((await startAndWait('gil')).at(-1)).toMatchObject({ ready: true });
    const answers = await Promise.all([
      h.api('DELETE', '/users/gil/server', {}),
      h.api('DELETE', '/users/gil/server', {}),
      h.hub.ctx.orchestrator.stop('gil', '', { reason: 'budget spent', event: 'budget-stop' }).then(() => ({ status: 204 })),
      h.api('DELETE', '/users/gil/server', {}),
    ]);
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204, 204]);
    const kinds = (await h.hub.ctx.store.events.list({ user: 'gil' })).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'stop' || k === 'budget-stop')).toHaveLength(1);
    expect((await h.hub.ctx.store.servers.get(JSON.stringify(['gil', ''])))?.state).toBe('stopped');
  });

  it('reports a server that exits at start as failed, with its exit code, and cleans up', async () => {
    const failing = await startHarness({ config: { spawner: { env: { FAKE_SINGLEUSER_EXIT_AT_START: '3' } } } });
    try {
      await failing.api('POST', '/users', { usernames: ['fay'] });
      expect((await failing.api('POST', '/users/fay/server', {})).status).toBe(202);
      const events = await readEvents(`${failing.hubOrigin}/hub/api/users/fay/server/progress`, { Authorization: 'token admin-service-token-0123456789abcdef' }, (e) => Boolean(e.ready || e.failed));
      const last = events.at(-1) as { failed?: boolean; message: string };
      expect(last.failed).toBe(true);
      expect(last.message).toMatch(/3/);
      const model = await failing.api('GET', '/users/fay?include_stopped_servers');
      expect(model.body.servers[''].stop_reason).toMatch(/3/);
      expect((await failing.api('GET', '/proxy')).body['/user/fay/']).toBeUndefined();
      const events2 = (await failing.hub.ctx.store.events.list({ user: 'fay' })).map((e) => e.kind);
      expect(events2).toContain('spawn-failed');
    } finally {
      await failing.close();
    }
  });
});

describe('activity', () => {
  it('accepts reports for a server, is monotonic, and refuses bad reports', async () => {
    await h.api('POST', '/users', { usernames: ['gus'] });
    await startAndWait('gus');
    const t1 = new Date(Date.now() - 60_000).toISOString();
    const t0 = new Date(Date.now() - 120_000).toISOString();
    expect((await h.api('POST', '/users/gus/activity', { servers: { '': { last_activity: t1 } }, last_activity: t1 })).status).toBe(200);
    expect((await h.api('POST', '/users/gus/activity', { servers: { '': { last_activity: t0 } }, last_activity: t0 })).status).toBe(200);
    const model = await h.api('GET', '/users/gus');
    expect(Date.parse(model.body.last_activity)).toBeGreaterThanOrEqual(Date.parse(t1));
    expect(Date.parse(model.body.servers[''].last_activity)).toBeGreaterThanOrEqual(Date.parse(t1));

    const nope = await h.api('POST', '/users/gus/activity', { servers: { nope: { last_activity: t1 } } });
    expect(nope.status).toBe(400);
    expect(nope.body.message).toBe("No such server 'nope' for user gus");
    expect((await h.api('POST', '/users/gus/activity', { servers: { '': {} } })).status).toBe(400);
    expect((await h.api('POST', '/users/gus/activity', { last_activity: 'yesterday' })).status).toBe(400);
    expect((await h.api('POST', '/users/gus/activity', { last_activity: new Date(Date.now() + 2 * 3600_000).toISOString() })).status).toBe(400);
    expect((await h.api('POST', '/users/gus/activity', [])).status).toBe(400);
    expect((await h.api('POST', '/users/nobody/activity', { last_activity: t1 })).status).toBe(404);
    await h.api('DELETE', '/users/gus/server');
  });
});

describe('tokens and scopes', () => {
  it('issues tokens within the owner’s scopes and enforces them (403 missing, 404 filtered)', async () => {
    await h.api('POST', '/users', { usernames: ['hal', 'ida'] });
    const mine = await h.api('POST', '/users/hal/tokens', { note: 'script' });
    expect(mine.status).toBe(201);
    const token = mine.body.token as string;
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect((await h.api('GET', '/user', undefined, token)).body).toMatchObject({ kind: 'user', name: 'hal' });
    expect((await h.api('GET', '/users/hal', undefined, token)).status).toBe(200);
    expect((await h.api('GET', '/users/ida', undefined, token)).status).toBe(404);
    expect((await h.api('GET', '/users', undefined, token)).status).toBe(403);
    expect((await h.api('POST', '/users/ida/server', {}, token)).status).toBe(404);

    const tooMuch = await h.api('POST', '/users/hal/tokens', { scopes: ['admin:users'] }, token);
    expect(tooMuch.status).toBe(403);
    const narrow = await h.api('POST', '/users/hal/tokens', { scopes: ['read:users:name!user=hal'] }, token);
    expect(narrow.status).toBe(201);
    expect((await h.api('GET', '/users/hal', undefined, narrow.body.token)).body).toEqual({ kind: 'user', name: 'hal', admin: false });
    expect((await h.api('POST', '/users/hal/server', {}, narrow.body.token)).status).toBe(403);
    expect((await h.api('POST', '/users/hal/tokens', { scopes: ['no-such-scope'] })).status).toBe(400);

    const listed = await h.api('GET', '/users/hal/tokens', undefined, token);
    expect(listed.body.api_tokens.length).toBe(2);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await h.api('DELETE', `/users/hal/tokens/${mine.body.id}`, undefined, token)).status).toBe(204);
    expect((await h.api('GET', '/user', undefined, token)).status).toBe(403);
  });

  it('stores only token hashes', async () => {
    const created = await h.api('POST', '/users/ida/tokens', {});
    const raw = readFileSync(`${h.dir}/state.json`, 'utf8');
    expect(raw).not.toContain(created.body.token);
  });
});

describe('browser pages', () => {
  it('signs in, starts from the form with CSRF, and refuses a POST without the token', async () => {
    const web = new WebClient(h.origin);
    const login = await web.login('jo');
    expect(login.status).toBe(200);
    expect(login.url).toMatch(/\/hub\/home$/);
    const noToken = await web.request('POST', '/hub/spawn', { form: {} });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toMatch(/CSRF/);
    const started = await web.submit('/hub/spawn', '/hub/spawn');
    expect(started.url).toMatch(/\/hub\/spawn-pending\/jo$/);
    await h.hub.ctx.orchestrator.settled('jo', '');
    const server = await web.get('/user/jo/api/status');
    expect(server.status).toBe(200);
    const home = await web.get('/hub/home');
    expect(home.text).toContain('/user/jo/');
    const stop = await web.submit('/hub/home', '/hub/stop/jo');
    expect(stop.url).toMatch(/\/hub\/home$/);
    const after = await web.get('/user/jo/tree');
    expect(after.status).toBe(424);
    expect(after.text).toMatch(/not running/i);
  });

  it('signs in with open sign-up and no password, and explains a refused name', async () => {
    const web = new WebClient(h.origin);
    const page = await web.get('/hub/login');
    const token = /name="_csrf" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
    const ok = await web.request('POST', '/hub/login', { form: { _csrf: token, username: 'nopass', password: '' } });
    expect(ok.url).toMatch(/\/hub\/home$/);
    const other = new WebClient(h.origin);
    const page2 = await other.get('/hub/login');
    const token2 = /name="_csrf" value="([^"]*)"/.exec(page2.text)?.[1] ?? '';
    const refused = await other.request('POST', '/hub/login', { form: { _csrf: token2, username: 'a/b', password: '' } });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('may not contain');
  });

  it('never redirects after sign-in to another site', async () => {
    const web = new WebClient(h.origin);
    const page = await web.get('/hub/login?next=//evil.example/x');
    const token = /name="_csrf" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
    const res = await web.request('POST', '/hub/login', { form: { _csrf: token, username: 'kim', password: 'x', next: '//evil.example/x' }, maxRedirects: 0 });
    expect(res.status).toBe(303);
    expect(res.hops[0]?.location).toBe('/hub/home');
  });

  it('does not let another signed-in user use the pages of someone else’s server', async () => {
    const web = new WebClient(h.origin);
    await web.login('lee');
    const page = await web.get('/hub/spawn/hal');
    expect(page.status).toBe(404);
  });
});
