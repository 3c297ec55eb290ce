// Several hub processes on one Redis: each runs the culler timer, yet each idle server is stopped
// once and has one 'cull' event (the claim running → stopping is one atomic store update).
import { startHarness, type Harness } from '../helpers/hub-harness';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import pino from 'pino';
import { openRedisStore } from '../../hub/store/redis-store';
import type { Store } from '../../hub/store/store';

jest.setTimeout(120_000);

let redis: RedisServer;
let first: Harness;
let second: Harness;
const stores: Store[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const logger = pino({ level: 'silent' });
  // Each hub process has its own connection to the same Redis.
  const open = async () => {
    const store = await openRedisStore(redis.url, `culler-test-${process.pid}:`, { logger });
    stores.push(store);
    return store;
  };
  // The timers are slow on purpose: the test runs both hubs' passes at the same moment.
  const config = { culler: { timeoutSeconds: 2, intervalSeconds: 3600, concurrency: 4 } };
  first = await startHarness({ config, overrides: { store: await open() } });
  // A second hub process on the same Redis, proxy and spawner directory.
  second = await startHarness({ config, overrides: { store: await open() }, restartOf: first });
});

afterAll(async () => {
  await second?.close({ keepState: true });
  await first?.close();
  for (const s of stores) await s.close();
  await redis?.stop();
});

it('two hubs culling the same idle servers stop each once, with one event each', async () => {
  const users = ['r-ann', 'r-ben', 'r-cat', 'r-dov', 'r-eve', 'r-fox'];
  expect((await first.api('POST', '/users', { usernames: users })).status).toBe(201);
  for (const [i, u] of users.entries()) {
    const h = i % 2 === 0 ? first : second;
    expect((await h.api('POST', `/users/${u}/server`)).status).toBe(202);
    await h.hub.ctx.orchestrator.settled(u, '');
  }
  expect(first.hub.culler).not.toBeNull();
  expect(second.hub.culler).not.toBeNull();
  // Let them all become idle past the timeout, then both hubs run a pass at once.
  await new Promise((r) => setTimeout(r, 2500));
  const reports = await Promise.all([first.hub.culler?.runOnce(), second.hub.culler?.runOnce()]);
  expect((reports[0]?.culled ?? 0) + (reports[1]?.culled ?? 0)).toBe(users.length);
  const servers = (await first.hub.ctx.store.servers.list()).filter((s) => users.includes(s.user));
  expect(servers.map((s) => s.state)).toEqual(users.map(() => 'stopped'));
  // Later passes find nothing more to do.
  await Promise.all([first.hub.culler?.runOnce(), second.hub.culler?.runOnce()]);
  const culls = await first.hub.ctx.store.events.list({ kind: 'cull' });
  expect(culls.map((e) => e.user).sort()).toEqual(users);
  const stops = (await first.hub.ctx.store.events.list()).filter((e) => e.kind === 'stop' || e.kind === 'server-gone');
  expect(stops).toEqual([]);
  const routes = await first.hub.ctx.proxy.getRoutes();
  for (const u of users) expect(routes[`/user/${u}`]).toBeUndefined();
});
