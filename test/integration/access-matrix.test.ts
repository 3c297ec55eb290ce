// Access control, route by route: every API route the hub registered (read from its route
// registry at run time) × {anonymous, user, other user, organiser, admin, token with fewer
// scopes} against an explicit table of expected statuses. A registered route without a row
// fails the test, and so does a row for a route that no longer exists.
// Every request targets alice's resources (user alice, server gpu, group staff, alice's spare
// token); the state is reset before every single request, so the cells do not depend on order.
import { startHarness, type Harness } from '../helpers/hub-harness';
import { NO_RESOURCES } from '../../spawner/types';
import { quotaKey, serverKey, type Server, type User } from '../../hub/store/store';

jest.setTimeout(300_000);

const PRINCIPALS = ['anonymous', 'user', 'other', 'organiser', 'admin', 'limited'] as const;
type PrincipalName = (typeof PRINCIPALS)[number];
/** Statuses in PRINCIPALS order. */
type Row = { expect: [number, number, number, number, number, number]; body?: unknown; query?: string };

/** Fixed token secrets, re-issued by reset(). */
const SECRETS: Record<Exclude<PrincipalName, 'anonymous'>, { user: string; scopes: string[]; secret: string }> = {
  user: { user: 'alice', scopes: ['inherit'], secret: 'matrix-alice-0123456789abcdef0123456789' },
  other: { user: 'bob', scopes: ['inherit'], secret: 'matrix-bob-0123456789abcdef0123456789ab' },
  organiser: { user: 'olga', scopes: ['inherit'], secret: 'matrix-olga-0123456789abcdef0123456789a' },
  admin: { user: 'admin', scopes: ['inherit'], secret: 'matrix-admin-0123456789abcdef0123456789' },
  // alice's read-only token: fewer scopes than alice holds.
  limited: { user: 'alice', scopes: ['read:users!user=alice', 'read:servers!user=alice'], secret: 'matrix-limited-0123456789abcdef01234567' },
};
const SPARE_SECRET = 'matrix-spare-0123456789abcdef0123456789a';

//                                                        anon user other organiser admin limited
const MATRIX: Record<string, Row> = {
  // OAuth endpoints: public in the table; authorize wants a browser session (tokens are not
  // one), its POST form a CSRF token; the token endpoint checks the client secret.
  'GET /api/oauth2/authorize': { expect: [302, 302, 302, 302, 302, 302] },
  'POST /api/oauth2/authorize': { expect: [403, 403, 403, 403, 403, 403] },
  'POST /api/oauth2/token': { expect: [400, 400, 400, 400, 400, 400] },
  'GET /api/': { expect: [200, 200, 200, 200, 200, 200] },
  'GET /api/openapi.json': { expect: [200, 200, 200, 200, 200, 200] },
  'GET /api/info': { expect: [403, 403, 403, 403, 200, 403] },
  'GET /api/user': { expect: [403, 200, 200, 200, 200, 200] },
  'GET /api/proxy': { expect: [403, 403, 403, 403, 200, 403] },
  'POST /api/proxy': { expect: [403, 403, 403, 403, 200, 403] },
  'GET /api/users': { expect: [403, 403, 403, 403, 200, 403] },
  'POST /api/users': { body: { usernames: ['newcomer'] }, expect: [403, 403, 403, 403, 201, 403] },
  // A filtered scope that does not match (bob's or olga's read:users!user=...) is a 404.
  'GET /api/users/:name': { expect: [403, 200, 404, 404, 200, 200] },
  'POST /api/users/:name': { expect: [403, 403, 403, 403, 409, 403] },
  'PATCH /api/users/:name': { body: { admin: false }, expect: [403, 403, 403, 403, 200, 403] },
  'DELETE /api/users/:name': { expect: [403, 403, 403, 403, 204, 403] },
  'POST /api/users/:name/server': { body: {}, expect: [403, 202, 404, 404, 202, 403] },
  'POST /api/users/:name/servers/:server': { body: {}, expect: [403, 202, 404, 404, 202, 403] },
  'DELETE /api/users/:name/server': { expect: [403, 204, 404, 404, 204, 403] },
  'DELETE /api/users/:name/servers/:server': { expect: [403, 204, 404, 404, 204, 403] },
  'GET /api/users/:name/server/progress': { expect: [403, 200, 404, 404, 200, 200] },
  'GET /api/users/:name/servers/:server/progress': { expect: [403, 200, 404, 404, 200, 200] },
  'POST /api/users/:name/activity': { body: { last_activity: '2024-05-01T12:00:00Z' }, expect: [403, 200, 404, 404, 200, 403] },
  'GET /api/users/:name/tokens': { expect: [403, 200, 404, 404, 200, 403] },
  'POST /api/users/:name/tokens': { body: { scopes: ['read:users!user=alice'] }, expect: [403, 201, 404, 404, 201, 403] },
  'GET /api/users/:name/tokens/:id': { expect: [403, 200, 404, 404, 200, 403] },
  'DELETE /api/users/:name/tokens/:id': { expect: [403, 204, 404, 404, 204, 403] },
  'GET /api/groups': { expect: [403, 403, 403, 403, 200, 403] },
  // Members read their groups' names through read:groups:name!user=<self>, which does not
  // name the group: a 404 for everyone but admins (as JupyterHub's filters work).
  'GET /api/groups/:group': { expect: [403, 404, 404, 404, 200, 403] },
  'POST /api/groups/:group': { expect: [403, 403, 403, 403, 409, 403] },
  'DELETE /api/groups/:group': { expect: [403, 403, 403, 403, 204, 403] },
  'POST /api/groups/:group/users': { body: { users: ['bob'] }, expect: [403, 403, 403, 403, 200, 403] },
  'DELETE /api/groups/:group/users': { body: { users: ['alice'] }, expect: [403, 403, 403, 403, 200, 403] },
  // The catalog as the caller sees it: each user asks about themselves.
  'GET /api/images': { expect: [403, 200, 200, 200, 200, 200] },
  'GET /api/images?user': { query: 'user=alice', expect: [403, 200, 404, 404, 200, 200] },
  // Workshop links: organisers and admins only (an empty body is a 400 once allowed in).
  'GET /api/workshops': { expect: [403, 403, 403, 200, 200, 403] },
  'POST /api/workshops': { body: {}, expect: [403, 403, 403, 400, 400, 403] },
  'GET /api/workshops/:id': { expect: [403, 403, 403, 404, 404, 403] },
  'DELETE /api/workshops/:id': { expect: [403, 403, 403, 404, 404, 403] },
  'POST /api/workshops/:id/stop': { expect: [403, 403, 403, 404, 404, 403] },
  'GET /api/users/:name/quota': { expect: [403, 200, 404, 404, 200, 200] },
  'PUT /api/users/:name/quota': { body: { maxServers: 3 }, expect: [403, 403, 403, 403, 200, 403] },
  'GET /api/groups/:group/quota': { expect: [403, 403, 403, 403, 200, 403] },
  'PUT /api/groups/:group/quota': { body: { maxServers: 3 }, expect: [403, 403, 403, 403, 200, 403] },
  'GET /api/users/:name/usage': { expect: [403, 200, 404, 404, 200, 200] },
  'GET /api/usage': { expect: [403, 403, 403, 403, 200, 403] },
  'GET /api/usage.csv': { expect: [403, 403, 403, 403, 200, 403] },
  // Culling a stopped server: allowed callers get the body check (400), then the state check.
  'POST /api/users/:name/server/cull': { body: {}, expect: [403, 400, 404, 404, 400, 403] },
  'POST /api/users/:name/servers/:server/cull': { body: {}, expect: [403, 400, 404, 404, 400, 403] },
};

let h: Harness;
let spareTokenId = '';

beforeAll(async () => {
  h = await startHarness({
    config: { hub: { namedServers: { enabled: true } }, auth: { admins: ['admin'], organiserGroups: ['organisers'] } },
  });
});
afterAll(async () => {
  await h?.close();
});

const iso = '2024-01-01T00:00:00.000Z';
const user = (name: string, groups: string[], admin = false): User => ({ name, admin, groups, created: iso, lastActivity: null });
const stopped = (owner: string, name: string): Server => ({
  user: owner, name, state: 'stopped', image: null, resources: NO_RESOURCES, url: null, started: null, lastActivity: null,
  spawnerState: null, userOptions: {}, tokenId: null, stopReason: null,
});
const BASE_USERS = [user('alice', ['staff']), user('bob', []), user('olga', ['organisers']), user('admin', [], true)];

/** Back to the known state: four users, two groups, alice's two stopped servers, fresh tokens. */
async function reset(): Promise<void> {
  const { store, orchestrator, tokens } = h.hub.ctx;
  for (const s of await store.servers.list()) {
    if (s.state !== 'stopped' && s.state !== 'failed') await orchestrator.stop(s.user, s.name, { reason: 'matrix reset' }).catch(() => undefined);
    await store.servers.delete(serverKey(s.user, s.name));
  }
  const base = new Set(BASE_USERS.map((u) => u.name));
  for (const u of await store.users.list()) if (!base.has(u.name)) await store.users.delete(u.name);
  for (const u of BASE_USERS) await store.users.put(u.name, u);
  for (const g of await store.groups.list()) await store.groups.delete(g.name);
  for (const name of ['staff', 'organisers']) await store.groups.put(name, { name, properties: {}, created: iso });
  // The only quotas the cells set.
  for (const key of [quotaKey('user', 'alice'), quotaKey('group', 'staff')]) await store.quotas.delete(key);
  await store.servers.put(serverKey('alice', ''), stopped('alice', ''));
  await store.servers.put(serverKey('alice', 'gpu'), stopped('alice', 'gpu'));
  await tokens.revokeWhere((t) => t.kind === 'api' && t.user !== null);
  for (const p of Object.values(SECRETS)) await tokens.issue({ kind: 'api', user: p.user, scopes: p.scopes, secret: p.secret });
  spareTokenId = (await tokens.issue({ kind: 'api', user: 'alice', scopes: ['read:users!user=alice'], secret: SPARE_SECRET, note: 'spare' })).token.id;
}

function concretePath(route: string, query?: string): string {
  const path = route.replace(/^[A-Z]+ /, '').replace(/\?.*$/, '')
    .replace(':name', 'alice').replace(':server', 'gpu').replace(':group', 'staff')
    .replace(':id', route.includes('/tokens/') ? spareTokenId : 'no-such-workshop');
  return `/hub${path}${query ? `?${query}` : ''}`;
}

async function call(route: string, row: Row, principal: PrincipalName): Promise<number> {
  const method = route.split(' ')[0] as string;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (principal !== 'anonymous') headers.authorization = `token ${SECRETS[principal].secret}`;
  if (row.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.hubOrigin}${concretePath(route, row.query)}`, {
    method, headers, redirect: 'manual', body: row.body === undefined ? undefined : JSON.stringify(row.body),
    signal: AbortSignal.timeout(60_000),
  });
  await res.body?.cancel();
  return res.status;
}

it('has a row for every registered API route, and no row for a route that is gone', () => {
  const registered = h.hub.routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
  const rows = Object.keys(MATRIX).map((k) => k.replace(/\?.*$/, ''));
  expect(registered.filter((r) => !rows.includes(r))).toEqual([]);
  expect([...new Set(rows)].filter((r) => !registered.includes(r))).toEqual([]);
  expect(registered.length).toBeGreaterThanOrEqual(30);
});

it('answers every route × principal as the table says', async () => {
  const mismatches: string[] = [];
  for (const [route, row] of Object.entries(MATRIX)) {
    for (const [i, principal] of PRINCIPALS.entries()) {
      await reset();
      const status = await call(route, row, principal);
      if (status !== row.expect[i]) mismatches.push(`${route} as ${principal}: expected ${row.expect[i]}, got ${status}`);
    }
  }
  expect(mismatches).toEqual([]);
});

it('a token never holds more than its owner: asking for more is refused, and a demoted owner\'s token shrinks', async () => {
  await reset();
  const asAlice = { authorization: `token ${SECRETS.user.secret}`, 'content-type': 'application/json' };
  const more = await fetch(`${h.hubOrigin}/hub/api/users/alice/tokens`, { method: 'POST', headers: asAlice, body: JSON.stringify({ scopes: ['admin:users'] }) });
  expect(more.status).toBe(403);
  const limitedMore = await fetch(`${h.hubOrigin}/hub/api/users/alice/tokens`, {
    method: 'POST', headers: { authorization: `token ${SECRETS.limited.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ scopes: ['read:users!user=alice'] }),
  });
  expect(limitedMore.status).toBe(403);
  const olgaWorkshops = await fetch(`${h.hubOrigin}/hub/api/users/olga/tokens`, {
    method: 'POST', headers: { authorization: `token ${SECRETS.organiser.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ scopes: ['workshops'] }),
  });
  expect(olgaWorkshops.status).toBe(201);
  const olgaToken = ((await olgaWorkshops.json()) as { token: string }).token;
  const list = () => fetch(`${h.hubOrigin}/hub/api/workshops`, { headers: { authorization: `token ${olgaToken}` } });
  expect((await list()).status).toBe(200);
  // Olga leaves the organisers group: the token she made keeps its scopes on paper, but not their use.
  await h.hub.ctx.store.users.put('olga', user('olga', []));
  expect((await list()).status).toBe(403);
  const me = await fetch(`${h.hubOrigin}/hub/api/user`, { headers: { authorization: `token ${olgaToken}` } });
  expect(((await me.json()) as { scopes: string[] }).scopes).toEqual([]);
});
