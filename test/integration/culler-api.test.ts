// Culling over the REST API with a token holding only the idle culler's scopes: the calls
// jupyterhub-idle-culler makes work against this hub; the cull endpoint re-checks and records the
// reason; and `sciencehub culler` (built, run as its own process) culls, or refuses a weak token.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startHarness, ADMIN_SCOPES, ADMIN_TOKEN, type Harness } from '../helpers/hub-harness';
import { pollUntil } from '../helpers/poll';

jest.setTimeout(120_000);

const CULLER_TOKEN = 'culler-token-0123456789abcdef0123';
const WEAK_TOKEN = 'weak-culler-token-0123456789abcdef';
const CULLER_SCOPES = ['list:users', 'read:users:activity', 'read:servers', 'delete:servers'];
const CLI = path.join(__dirname, '..', '..', 'dist', 'hub', 'cli.js');

let h: Harness;

const until = <T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000) => pollUntil(what, fn, { timeoutMs, intervalMs: 200 });

async function startServer(user: string): Promise<void> {
  await h.api('POST', '/users', { usernames: [user] });
  expect((await h.api('POST', `/users/${user}/server`)).status).toBe(202);
  await h.hub.ctx.orchestrator.settled(user, '');
  expect((await h.hub.ctx.store.servers.list()).find((s) => s.user === user)?.state).toBe('running');
}

const stateOf = async (user: string) => (await h.hub.ctx.store.servers.list()).find((s) => s.user === user)?.state;

beforeAll(async () => {
  h = await startHarness({
    config: {
      culler: { runInHub: false },
      services: [
        { name: 'test-admin', token: ADMIN_TOKEN, scopes: ADMIN_SCOPES },
        { name: 'culler', token: CULLER_TOKEN, scopes: CULLER_SCOPES },
        { name: 'weak-culler', token: WEAK_TOKEN, scopes: ['list:users', 'read:users:activity', 'read:servers'] },
      ],
    },
  });
});

afterAll(async () => {
  await h?.close();
});

describe('what jupyterhub-idle-culler reads and calls, with its scopes only', () => {
  beforeAll(async () => {
    await startServer('jh-alice');
    await startServer('jh-bob');
    await h.api('POST', '/users', { usernames: ['jh-nobody'] });
  });

  it('lists ready users page by page with servers, activity and start times, and a fetchable absolute next URL', async () => {
    const root = await h.api('GET', '/', undefined, CULLER_TOKEN);
    expect(root.body.version).toMatch(/^\d+\.\d+\.\d+$/);
    const headers = { Authorization: `token ${CULLER_TOKEN}`, Accept: 'application/jupyterhub-pagination+json' };
    // JSON bodies are read field by field, as the harness's api() does.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const first = await (await fetch(`${h.hub.url}/hub/api/users?limit=1&state=ready`, { headers })).json() as Record<string, any>;
    expect(first._pagination).toMatchObject({ offset: 0, limit: 1, total: 2 });
    const next = first._pagination.next;
    expect(next.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hub\/api\/users\?/);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const second = await (await fetch(next.url, { headers })).json() as Record<string, any>;
    expect(second._pagination.next).toBeNull();
    const users = [...first.items, ...second.items];
    expect(users.map((u) => u.name).sort()).toEqual(['jh-alice', 'jh-bob']);
    for (const u of users) {
      expect(u).toHaveProperty('last_activity');
      const s = u.servers[''];
      expect(s).toMatchObject({ name: '', ready: true, pending: null, url: `/user/${u.name}/` });
      expect(Date.parse(s.started)).not.toBeNaN();
      expect(s).toHaveProperty('last_activity');
    }
  });

  it('stops a server with DELETE .../server (204)', async () => {
    const res = await h.api('DELETE', '/users/jh-bob/server', undefined, CULLER_TOKEN);
    expect(res.status).toBe(204);
    expect(await stateOf('jh-bob')).toBe('stopped');
    const ready = await h.api('GET', '/users?state=ready', undefined, CULLER_TOKEN);
    expect(ready.body.map((u: { name: string }) => u.name)).toEqual(['jh-alice']);
  });

  it('is refused without delete:servers, and cannot act on users or tokens', async () => {
    expect((await h.api('DELETE', '/users/jh-alice/server', undefined, WEAK_TOKEN)).status).toBe(403);
    expect((await h.api('DELETE', '/users/jh-nobody', undefined, CULLER_TOKEN)).status).toBe(403);
    expect((await h.api('POST', '/users', { usernames: ['x'] }, CULLER_TOKEN)).status).toBe(403);
    expect(await stateOf('jh-alice')).toBe('running');
  });
});

describe('POST /hub/api/users/{name}/server/cull', () => {
  beforeAll(async () => {
    await startServer('api-carol');
  });

  it('refuses a token without delete:servers with 403 naming the scope', async () => {
    const res = await h.api('POST', '/users/api-carol/server/cull', { reason: 'idle', limit_seconds: 1 }, WEAK_TOKEN);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/requires any of \[delete:servers\]/);
    expect(await stateOf('api-carol')).toBe('running');
  });

  it.each<[unknown, RegExp]>([
    [{ reason: 'bored', limit_seconds: 1 }, /body\.reason/],
    [{ reason: 'idle', limit_seconds: 0 }, /body\.limit_seconds/],
    [{ reason: 'idle', limit_seconds: 1, extra: true }, /unknown field\(s\) extra/],
    [{}, /body\.reason.*body\.limit_seconds|body\.limit_seconds.*body\.reason/],
    ['not json', /not valid JSON/],
  ])('answers 400 to %j naming the field', async (body, message) => {
    const res = await h.api('POST', '/users/api-carol/server/cull', body, CULLER_TOKEN);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('answers 404 for unknown users and servers', async () => {
    expect((await h.api('POST', '/users/nobody-here/server/cull', { reason: 'idle', limit_seconds: 1 }, CULLER_TOKEN)).status).toBe(404);
    expect((await h.api('POST', '/users/api-carol/servers/nope/cull', { reason: 'idle', limit_seconds: 1 }, CULLER_TOKEN)).status).toBe(404);
  });

  it('refuses with 409 what the hub does not find due, then culls when it is, once', async () => {
    const early = await h.api('POST', '/users/api-carol/server/cull', { reason: 'idle', limit_seconds: 3600 }, CULLER_TOKEN);
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/not due/);
    expect(await stateOf('api-carol')).toBe('running');
    await new Promise((r) => setTimeout(r, 1100));
    const res = await h.api('POST', '/users/api-carol/server/cull', { reason: 'idle', limit_seconds: 1 }, CULLER_TOKEN);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ culled: true, message: expect.stringMatching(/^it was idle for \d+ seconds? \(the limit is 1 second\)\.$/) });
    expect(await stateOf('api-carol')).toBe('stopped');
    expect((await h.hub.ctx.proxy.getRoutes())['/user/api-carol']).toBeUndefined();
    const events = await h.hub.ctx.store.events.list({ kind: 'cull', user: 'api-carol' });
    expect(events).toEqual([expect.objectContaining({ message: res.body.message, data: expect.objectContaining({ reason: 'idle', limitSeconds: 1, by: 'culler' }) })]);
    const again = await h.api('POST', '/users/api-carol/server/cull', { reason: 'idle', limit_seconds: 1 }, CULLER_TOKEN);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/not running/);
  });
});

describe('sciencehub culler (its own process)', () => {
  const children: ChildProcess[] = [];

  function runCli(args: string[], token: string | null): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
    let out = '';
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(token ? { JUPYTERHUB_API_TOKEN: token } : {}) };
    const child = spawn(process.execPath, [CLI, 'culler', '--url', `${h.hub.url}/hub/api`, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => out, exit };
  }

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('refuses to start with a token that lacks delete:servers, naming the scope, and culls nothing', async () => {
    await startServer('cli-dan');
    const run = runCli(['--timeout', '1', '--once'], WEAK_TOKEN);
    expect(await run.exit).toBe(2);
    expect(run.output()).toMatch(/the token lacks scope delete:servers/);
    expect(run.output()).not.toContain(WEAK_TOKEN);
    expect(await stateOf('cli-dan')).toBe('running');
  });

  it('refuses to start without a token, with an invalid one, or with a bad flag', async () => {
    const none = runCli(['--once'], null);
    expect(await none.exit).toBe(2);
    expect(none.output()).toMatch(/JUPYTERHUB_API_TOKEN/);
    const bad = runCli(['--once'], 'not-a-valid-token-at-all-0123456789');
    expect(await bad.exit).toBe(2);
    expect(bad.output()).toMatch(/the hub refused the token/);
    const flag = runCli(['--timeout', 'soon'], CULLER_TOKEN);
    expect(await flag.exit).toBe(2);
    expect(flag.output()).toMatch(/--timeout expects a whole number of seconds, got "soon"/);
  });

  it('culls an idle server through the API and keeps running until SIGTERM', async () => {
    await startServer('cli-erin');
    const run = runCli(['--timeout', '2', '--cull-every', '0.5'], CULLER_TOKEN);
    await until('erin to be culled by the culler process', async () => (await stateOf('cli-erin')) === 'stopped');
    const events = await h.hub.ctx.store.events.list({ kind: 'cull', user: 'cli-erin' });
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ reason: 'idle', limitSeconds: 2, by: 'culler' });
    expect((await h.hub.ctx.proxy.getRoutes())['/user/cli-erin']).toBeUndefined();
    expect(run.child.exitCode).toBeNull();
    await until('the culler to log the cull', async () => run.output().includes('"msg":"culled server"'));
    expect(run.output()).not.toContain(CULLER_TOKEN);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });
});
