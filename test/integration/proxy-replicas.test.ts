// Proxy replicas on one real redis-server: each sees the other's routes, a restarted replica
// serves the whole table from its first request, activity from every replica is merged, and with
// Redis gone the replicas keep serving, report it on /_chp_healthz, and catch up when it is back.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { pino } from 'pino';
import { startProxy, type RunningProxy } from '../../proxy/main';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { pollUntil } from '../helpers/poll';

const TOKEN = 'replica-test-token';
const logger = pino({ level: process.env.PROXY_TEST_LOG ?? 'silent' });

interface Reply {
  status: number;
  body: string;
}

function call(port: number, method: string, path: string, body?: string, auth = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = auth ? { Authorization: `token ${TOKEN}` } : {};
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const api = (p: RunningProxy, method: string, path: string, body?: unknown): Promise<Reply> =>
  call(p.apiPort, method, `/api/routes${path}`, body === undefined ? undefined : JSON.stringify(body), true);

const until = async (check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> => {
  await pollUntil(what, check, { timeoutMs, intervalMs: 20 });
};

async function health(p: RunningProxy): Promise<{ status: string; redis: { connected: boolean; since: string } }> {
  return JSON.parse((await call(p.publicPort, 'GET', '/_chp_healthz')).body);
}

describe('proxy replicas sharing Redis', () => {
  let redis: RedisServer | undefined;
  let redisPort: number;
  let alice: EchoBackend;
  let bob: EchoBackend;
  const prefix = `replica-test-${randomBytes(4).toString('hex')}:`;
  const started: RunningProxy[] = [];
  let a: RunningProxy;
  let b: RunningProxy;

  const replica = async (): Promise<RunningProxy> => {
    const p = await startProxy(
      { ip: '127.0.0.1', port: 0, apiPort: 0, authToken: TOKEN, redisUrl: `redis://127.0.0.1:${redisPort}`, redisPrefix: prefix, activityFlushMs: 100 },
      { logger },
    );
    started.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = await startRedis();
    redisPort = redis.port;
    [alice, bob] = await Promise.all([startEchoBackend(), startEchoBackend()]);
    a = await replica();
    b = await replica();
  }, 30_000);
  afterAll(async () => {
    await Promise.all(started.map((p) => p.close()));
    await Promise.all([alice.close(), bob.close()]);
    await redis?.stop();
  });

  it("each replica serves routes added through the other's API", async () => {
    expect((await api(a, 'POST', '/user/alice', { target: alice.url, user: 'alice' })).status).toBe(201);
    await until(async () => (await call(b.publicPort, 'GET', '/user/alice/api/status')).status === 200, 'b to route alice');
    expect(alice.requests.at(-1)?.url).toBe('/user/alice/api/status');
    expect(JSON.parse((await api(b, 'GET', '/user/alice')).body)).toMatchObject({ target: alice.url, user: 'alice' });
    expect((await api(b, 'POST', '/user/bob', { target: bob.url })).status).toBe(201);
    await until(async () => (await call(a.publicPort, 'GET', '/user/bob/x')).status === 200, 'a to route bob');
    expect((await api(b, 'DELETE', '/user/bob')).status).toBe(204);
    await until(async () => (await call(a.publicPort, 'GET', '/user/bob/x')).status === 404, 'a to drop bob');
  }, 30_000);

  it('a restarted replica serves every route from its first request', async () => {
    for (let i = 0; i < 200; i++) expect((await api(a, 'POST', `/user/u${i}`, { target: alice.url })).status).toBe(201);
    await b.close();
    b = await replica();
    expect((await call(b.publicPort, 'GET', '/user/u199/lab')).status).toBe(200);
    expect((await call(b.publicPort, 'GET', '/user/alice/lab')).status).toBe(200);
    expect(Object.keys(JSON.parse((await api(b, 'GET', '')).body))).toHaveLength(201);
  }, 30_000);

  it('merges last_activity from traffic on either replica', async () => {
    const before = JSON.parse((await api(a, 'GET', '/user/alice')).body).last_activity as string;
    await new Promise((r) => setTimeout(r, 5)); // a later millisecond than the last stamp
    expect((await call(b.publicPort, 'GET', '/user/alice/api/contents')).status).toBe(200);
    // b flushes its activity to Redis on its timer; a reads it from there.
    await until(async () => JSON.parse((await api(a, 'GET', '/user/alice')).body).last_activity > before, 'a to see b’s activity');
    const viaA = JSON.parse((await api(a, 'GET', '')).body)['/user/alice'].last_activity as string;
    const viaB = JSON.parse((await api(b, 'GET', '')).body)['/user/alice'].last_activity as string;
    expect(viaA).toBe(viaB);
  }, 30_000);

  it('keeps serving with Redis gone, says so, refuses route changes, and catches up when it is back (empty)', async () => {
    expect((await health(a)).redis.connected).toBe(true);
    await redis?.stop();
    redis = undefined;
    await until(async () => !(await health(a)).redis.connected && !(await health(b)).redis.connected, 'both to report redis down');
    expect((await call(a.publicPort, 'GET', '/user/alice/lab')).status).toBe(200);
    expect((await call(b.publicPort, 'GET', '/user/u7/lab')).status).toBe(200);
    const refused = await api(a, 'POST', '/user/carol', { target: bob.url });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({ status: 503, message: 'Route store unavailable' });
    expect(Object.keys(JSON.parse((await api(b, 'GET', '')).body))).toContain('/user/alice');

    redis = await startRedis({ port: redisPort });
    await until(async () => (await health(a)).redis.connected && (await health(b)).redis.connected, 'both to reconnect');
    expect((await api(a, 'POST', '/user/carol', { target: bob.url })).status).toBe(201);
    await until(async () => (await call(b.publicPort, 'GET', '/user/carol/x')).status === 200, 'b to route carol');
    // What the replicas knew went back into the new (empty) Redis.
    const table = JSON.parse((await api(b, 'GET', '')).body) as Record<string, unknown>;
    expect(Object.keys(table)).toEqual(expect.arrayContaining(['/user/alice', '/user/u0', '/user/u199', '/user/carol']));
  }, 60_000);
});
