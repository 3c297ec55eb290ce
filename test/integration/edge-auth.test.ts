// Edge authentication end to end: a started hub (test/helpers/hub-harness.ts) with the edge-auth
// endpoint, and a proxy with the same secret sharing the hub proxy's route table. A server that
// does no auth of its own (the fast stand-in singleuser) is reachable only with a cookie the hub
// issued for its owner, to users allowed to use it; a cookie for alice never opens bob's or
// alice2's prefix. Also the pure checks of `next`.
import { pino } from 'pino';
import { startProxy, type RunningProxy } from '../../proxy/main';
import { signEdgeToken } from '../../proxy/edge-token';
import { parseEdgeNext } from '../../hub/web/edge-auth-routes';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { readEvents, WebClient } from '../helpers/web-client';

const SECRET = 'edge-auth-secret-shared-by-hub-and-proxy-0123';
const ADMIN = { Authorization: 'token admin-service-token-0123456789abcdef' };

describe('parseEdgeNext', () => {
  it.each([
    ['/user/alice/lab?x=1', { owner: 'alice', cookiePath: '/user/alice/', redirect: '/user/alice/lab?x=1' }],
    ['/user/alice', { owner: 'alice', cookiePath: '/user/alice/', redirect: '/user/alice/' }],
    ['/user/alice?x=1', { owner: 'alice', cookiePath: '/user/alice/', redirect: '/user/alice/?x=1' }],
    ['/user/al%40ice/tree', { owner: 'al@ice', cookiePath: '/user/al%40ice/', redirect: '/user/al%40ice/tree' }],
    ['/user/alice/gpu/api/status', { owner: 'alice', cookiePath: '/user/alice/' }],
  ])('%s is fine', (next, expected) => {
    expect(parseEdgeNext(next, '/')).toMatchObject({ ok: true, ...expected });
  });

  it('honours the base URL', () => {
    expect(parseEdgeNext('/jhub/user/alice/x', '/jhub/')).toMatchObject({ ok: true, owner: 'alice', cookiePath: '/jhub/user/alice/' });
    expect(parseEdgeNext('/user/alice/x', '/jhub/')).toMatchObject({ ok: false });
  });

  it.each([
    undefined, '', 'https://evil.example/user/alice/', '//evil.example/user/alice/', '/hub/admin', '/user/', '/user//x',
    '/user/alice/../bob/', '/user/alice/%2e%2e/bob/', '/user/al%2Fice/', '/user/al%5Cice/', '/user/alice/\\evil', '/user/alice/#frag',
    '/user/alice/%zz', '/user/a;b/', '/user/alice/ x', ['/user/alice/'],
  ])('refuses %j', (next) => {
    expect(parseEdgeNext(next, '/')).toMatchObject({ ok: false, message: expect.any(String) });
  });
});

describe('edge authentication through a started hub', () => {
  let h: Harness;
  let edge: RunningProxy;

  async function startServer(user: string): Promise<void> {
    expect((await h.api('POST', `/users/${user}`)).status).toBe(201);
    expect((await h.api('POST', `/users/${user}/server`, {})).status).toBe(202);
    const events = await readEvents(`${h.hubOrigin}/hub/api/users/${user}/server/progress`, ADMIN, (e) => Boolean(e.ready || e.failed));
    expect(events.at(-1)).toMatchObject({ ready: true });
  }

  beforeAll(async () => {
    h = await startHarness({ config: { proxy: { edgeAuthSecret: SECRET } } });
    // The same route table as the harness proxy (which the hub keeps), served with edge auth on.
    edge = await startProxy(
      { ip: '127.0.0.1', port: 0, apiPort: 0, authToken: 'edge-test-proxy-token', edgeAuthSecret: SECRET },
      { routes: h.proxy.routes, logger: pino({ level: 'silent' }) },
    );
    await startServer('alice');
    await startServer('alice2');
  }, 60_000);
  afterAll(async () => {
    await edge.close();
    await h.close();
  });

  const origin = (): string => `http://127.0.0.1:${edge.publicPort}`;

  it('takes a signed-in owner to her server through the hub, with a cookie for her prefix only', async () => {
    const alice = new WebClient(origin());
    await alice.login('alice');
    const reply = await alice.get('/user/alice/api/status?check=1');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ fake: 'singleuser', user: 'alice', path: '/user/alice/api/status' });
    expect(reply.hops.map((hop) => [hop.status, hop.url])).toEqual([
      [302, '/user/alice/api/status?check=1'],
      [302, '/hub/edge-auth?next=%2Fuser%2Falice%2Fapi%2Fstatus%3Fcheck%3D1'],
      [200, '/user/alice/api/status?check=1'],
    ]);
    const issued = await alice.request('GET', '/hub/edge-auth?next=%2Fuser%2Falice%2F', { maxRedirects: 0 });
    const setCookie = issued.headers.getSetCookie().find((c) => c.startsWith('sciencehub-edge='));
    expect(setCookie).toMatch(/^sciencehub-edge=v1\.[\w-]+\.[\w-]+; Path=\/user\/alice\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    // alice's cookie is not sent to /user/alice2/, and would not open it if it were.
    const other = await alice.request('GET', '/user/alice2/api/status', { maxRedirects: 0 });
    expect(other.status).toBe(302);
    const token = /^sciencehub-edge=([^;]+)/.exec(setCookie as string)?.[1] as string;
    const forced = await fetch(`${origin()}/user/alice2/api/status`, { redirect: 'manual', headers: { cookie: `sciencehub-edge=${token}` } });
    expect(forced.status).toBe(302);
  });

  it("refuses another user the owner's cookie, and a cookie of their own never opens the owner's prefix", async () => {
    const bob = new WebClient(origin());
    await bob.login('bob');
    const tried = await bob.get('/user/alice/api/status');
    expect(tried.status).toBe(403);
    expect(tried.hops.at(-1)?.url).toBe('/hub/edge-auth?next=%2Fuser%2Falice%2Fapi%2Fstatus');
    const own = await bob.request('GET', '/hub/edge-auth?next=%2Fuser%2Fbob%2F', { maxRedirects: 0 });
    expect(own.status).toBe(302);
    const bobToken = /^sciencehub-edge=([^;]+)/.exec(own.headers.getSetCookie()[0] ?? '')?.[1] as string;
    const forced = await fetch(`${origin()}/user/alice/api/status`, { redirect: 'manual', headers: { cookie: `sciencehub-edge=${bobToken}` } });
    expect(forced.status).toBe(302);
    const now = Math.floor(Date.now() / 1000);
    const forged = signEdgeToken({ owner: 'alice', viewer: 'bob', issuedAt: now, expiresAt: now + 600 }, 'a-guessed-secret-that-is-long-enough-xx');
    expect((await fetch(`${origin()}/user/alice/x`, { redirect: 'manual', headers: { cookie: `sciencehub-edge=${forged}` } })).status).toBe(302);
    expect((await fetch(`${origin()}/user/alice/x`, { method: 'POST', redirect: 'manual', headers: { cookie: `sciencehub-edge=${bobToken}` } })).status).toBe(401);
  });

  it("lets an admin (access:servers on everyone) use alice's server", async () => {
    const admin = new WebClient(origin());
    await admin.login('admin');
    const reply = await admin.get('/user/alice/api/status');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ user: 'alice' });
  });

  it('sends a visitor who is not signed in to the login page, then back', async () => {
    const visitor = new WebClient(origin());
    const reply = await visitor.get('/user/alice/tree');
    expect(reply.hops.map((hop) => hop.url)).toEqual(['/user/alice/tree', '/hub/edge-auth?next=%2Fuser%2Falice%2Ftree', '/hub/login?next=%2Fhub%2Fedge-auth%3Fnext%3D%252Fuser%252Falice%252Ftree']);
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('name="username"');
  });

  it('answers a bad next with a 400 naming the problem', async () => {
    const alice = new WebClient(origin());
    await alice.login('alice');
    for (const next of ['https://evil.example/user/alice/', '/hub/admin', '/user/alice/../bob/', '//evil/user/alice/']) {
      const reply = await alice.request('GET', `/hub/edge-auth?next=${encodeURIComponent(next)}`, { maxRedirects: 0 });
      expect(reply.status).toBe(400);
      expect(reply.headers.getSetCookie().some((c) => c.startsWith('sciencehub-edge='))).toBe(false);
    }
  });
});
