// The hub's own culler against the real jupyterhub-singleuser: a server left idle is culled and
// its proxy route removed, with a 'cull' event and a stop reason; a server kept busy through the
// proxy is not (its route activity reaches server.lastActivity). Then the warning users see on
// the hub pages before a cull.
import { startHarness, type Harness } from '../helpers/hub-harness';
import { WebClient } from '../helpers/web-client';
import { pollUntil } from '../helpers/poll';

jest.setTimeout(120_000);

const until = <T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000) => pollUntil(what, fn, { timeoutMs, intervalMs: 200 });

describe('idle culling in the hub, with the real single-user server', () => {
  const TIMEOUT_S = 5;
  let h: Harness;
  let stopBusy = false;
  let busyLoop: Promise<number[]> = Promise.resolve([]);

  beforeAll(async () => {
    h = await startHarness({ realSingleuser: true, config: { culler: { timeoutSeconds: TIMEOUT_S, intervalSeconds: 1, warnBeforeSeconds: 0 } } });
    expect((await h.api('POST', '/users', { usernames: ['idle-ida', 'busy-bob'] })).status).toBe(201);
    expect((await h.api('POST', '/users/idle-ida/server')).status).toBe(202);
    expect((await h.api('POST', '/users/busy-bob/server')).status).toBe(202);
    await Promise.all([h.hub.ctx.orchestrator.settled('idle-ida', ''), h.hub.ctx.orchestrator.settled('busy-bob', '')]);
    // Bob works in his server: requests through the proxy, which records the route's activity.
    busyLoop = (async () => {
      const statuses: number[] = [];
      while (!stopBusy) {
        const res = await fetch(`${h.origin}/user/busy-bob/api`).catch(() => null);
        statuses.push(res?.status ?? 0);
        await res?.body?.cancel();
        await new Promise((r) => setTimeout(r, 300));
      }
      return statuses;
    })();
  });

  afterAll(async () => {
    stopBusy = true;
    await busyLoop;
    await h?.close();
  });

  it('starts both servers', async () => {
    const servers = await h.hub.ctx.store.servers.list();
    expect(servers.map((s) => [s.user, s.state]).sort()).toEqual([['busy-bob', 'running'], ['idle-ida', 'running']]);
    expect(h.hub.culler).not.toBeNull();
  });

  it('culls the idle server: route removed, process stopped, event with the reason, reason shown to the user', async () => {
    const routesBefore = await h.hub.ctx.proxy.getRoutes();
    expect(Object.keys(routesBefore)).toEqual(expect.arrayContaining(['/user/idle-ida', '/user/busy-bob']));
    const culled = await until('ida to be culled', async () => {
      const s = (await h.hub.ctx.store.servers.list()).find((x) => x.user === 'idle-ida');
      return s?.state === 'stopped' ? s : null;
    });
    expect(culled.stopReason).toMatch(/^it was idle for \d+ seconds \(the limit is 5 seconds\)\.$/);
    const routes = await h.hub.ctx.proxy.getRoutes();
    expect(routes['/user/idle-ida']).toBeUndefined();
    expect(routes['/user/busy-bob']).toBeDefined();
    const events = await h.hub.ctx.store.events.list({ kind: 'cull' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ user: 'idle-ida', server: '', kind: 'cull', data: { reason: 'idle', limitSeconds: TIMEOUT_S, by: 'hub' } });
    expect(events[0]?.message).toBe(culled.stopReason);
    // The process is gone: the proxy now sends her URL to the hub's not-running page.
    const after = await fetch(`${h.origin}/user/idle-ida/api`, { redirect: 'manual' });
    await after.body?.cancel();
    expect(after.status).not.toBe(200);
    const model = await h.api('GET', '/users/idle-ida?include_stopped_servers');
    expect(model.body.servers[''].stop_reason).toBe(culled.stopReason);
  });

  it('keeps the busy server: its proxy activity reaches server.lastActivity, well past the timeout', async () => {
    const started = Date.parse((await h.hub.ctx.store.servers.list()).find((s) => s.user === 'busy-bob')?.started ?? '');
    // Let the culler run several passes after bob would have been culled had he been idle.
    await until('bob to outlive the timeout', async () => Date.now() > started + (TIMEOUT_S + 3) * 1000, 60_000);
    await h.hub.culler?.runOnce();
    const bob = (await h.hub.ctx.store.servers.list()).find((s) => s.user === 'busy-bob');
    expect(bob?.state).toBe('running');
    expect(Date.parse(bob?.lastActivity ?? '')).toBeGreaterThan(started);
    expect((await h.hub.ctx.store.events.list({ kind: 'cull', user: 'busy-bob' }))).toEqual([]);
    stopBusy = true;
    const statuses = await busyLoop;
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.every((s) => s === 200)).toBe(true);
  });
});

describe('the warning before a cull, on the hub pages', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      config: {
        // Never culled during the test (one check an hour), but always inside the warning window.
        // The catalog's default image (base-notebook) has its own limit; eve's own override wins over it.
        culler: {
          timeoutSeconds: 3600, intervalSeconds: 3600, warnBeforeSeconds: 7200,
          overrides: { users: { 'exempt-eve': { timeoutSeconds: 0 } }, images: { 'base-notebook': { timeoutSeconds: 7200 } } },
        },
      },
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('tells the user, on the home page and other hub pages, when their idle server will be stopped (limit of its image)', async () => {
    const alice = new WebClient(h.origin);
    await alice.login('alice');
    const none = await alice.get('/hub/home');
    expect(none.text).not.toContain('will be stopped');
    await alice.submit('/hub/spawn', '/hub/spawn');
    await h.hub.ctx.orchestrator.settled('alice', '');
    const home = await alice.get('/hub/home');
    expect(home.status).toBe(200);
    expect(home.text).toMatch(/Your server has been idle and will be stopped in about (2 hours|1 hour 59 minutes) unless you use it \(idle limit 2 hours\)\./);
    expect(home.text).toContain('href="/user/alice/">Open it to keep it running</a>');
    const other = await alice.get('/hub/spawn-pending/alice');
    expect(other.text).toContain('will be stopped in about');
  });

  it('does not warn a user whose servers are exempt, nor answer API calls with it', async () => {
    const eve = new WebClient(h.origin);
    await eve.login('exempt-eve');
    await eve.submit('/hub/spawn', '/hub/spawn');
    await h.hub.ctx.orchestrator.settled('exempt-eve', '');
    expect((await eve.get('/hub/home')).text).not.toContain('will be stopped');
    const api = await h.api('GET', '/users/alice');
    expect(JSON.stringify(api.body)).not.toContain('will be stopped');
  });
});
