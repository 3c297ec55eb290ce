// The Redis route store on a real redis-server: the shared RouteStore contract, then what only
// replicas need: changes reaching the other replica, ordering, a fresh replica loading the table,
// activity merged across replicas, and Redis going away and coming back empty.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { RedisRouteStore } from '../../proxy/redis-route-store';
import { runRouteStoreContract } from '../contracts/route-store.contract';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { pollUntil } from '../helpers/poll';

const logger = pino({ level: process.env.PROXY_TEST_LOG ?? 'silent' });

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

const uniquePrefix = (): string => `store-test-${randomBytes(4).toString('hex')}:`;
const connect = (prefix: string): Promise<RedisRouteStore> =>
  RedisRouteStore.connect({ url: redis.url, prefix, logger, connectTimeoutMs: 10_000 });

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => {
  await pollUntil(what, check, { timeoutMs, intervalMs: 10 });
};

runRouteStoreContract('redis', () => connect(uniquePrefix()));

describe('Redis route store replicas', () => {
  const opened: RedisRouteStore[] = [];
  const open = async (prefix: string): Promise<RedisRouteStore> => {
    const store = await connect(prefix);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it("sees the other replica's adds, updates and removes through the change feed", async () => {
    const prefix = uniquePrefix();
    const [a, b] = [await open(prefix), await open(prefix)];
    await a.add('/user/alice', { target: 'http://alice:8888', user: 'alice' });
    await until(() => b.lookup('/user/alice/lab')?.data.target === 'http://alice:8888', 'the add to reach b');
    await b.update('/user/alice', { target: 'http://alice:9999' });
    await until(() => a.lookup('/user/alice/lab')?.data.target === 'http://alice:9999', 'the update to reach a');
    await a.remove('/user/alice');
    await until(() => b.lookup('/user/alice/lab') === undefined, 'the remove to reach b');
    expect(await b.get('/user/alice')).toBeUndefined();
  }, 30_000);

  it('ends in the same state on both replicas after interleaved writes', async () => {
    const prefix = uniquePrefix();
    const [a, b] = [await open(prefix), await open(prefix)];
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      const who = i % 2 === 0 ? a : b;
      const path = `/user/u${i % 7}`;
      writes.push(i % 5 === 4 ? who.remove(path) : who.add(path, { target: `http://t${i}` }));
    }
    await Promise.all(writes);
    const truth = await a.getAll();
    const strip = (routes: Record<string, { target: string }>): string => JSON.stringify(Object.entries(routes).map(([k, v]) => [k, v.target]).sort());
    await until(() => strip(a.snapshot()) === strip(truth) && strip(b.snapshot()) === strip(truth), 'both copies to match redis');
  }, 30_000);

  it('a replica started later (or restarted) loads the whole table before it answers', async () => {
    const prefix = uniquePrefix();
    const a = await open(prefix);
    for (let i = 0; i < 500; i++) await a.add(`/user/u${i}`, { target: `http://t${i}` });
    const late = await open(prefix);
    expect(late.lookup('/user/u499/lab')?.data.target).toBe('http://t499');
    expect(Object.keys(late.snapshot())).toHaveLength(500);
  }, 30_000);

  it("merges activity from every replica: the most recent wins", async () => {
    const prefix = uniquePrefix();
    const [a, b] = [await open(prefix), await open(prefix)];
    await a.add('/user/alice', { target: 'http://a', last_activity: '2026-01-01T00:00:00.000Z' });
    await a.recordActivity(new Map([['/user/alice', Date.parse('2026-01-03T00:00:00.000Z')]]));
    await b.recordActivity(new Map([['/user/alice', Date.parse('2026-01-02T00:00:00.000Z')]]));
    expect((await a.get('/user/alice'))?.last_activity).toBe('2026-01-03T00:00:00.000Z');
    expect((await b.getAll())['/user/alice']?.last_activity).toBe('2026-01-03T00:00:00.000Z');
  });

  it('refuses to start when Redis does not answer, naming it without the password', async () => {
    await expect(RedisRouteStore.connect({ url: 'redis://:hunter2@127.0.0.1:1/', prefix: 'x:', logger, connectTimeoutMs: 500 }))
      .rejects.toThrow(/redis:\/\/:\*\*\*@127\.0\.0\.1:1\/ did not answer within 500 ms/);
    // ioredis keeps a 2 s guard timer after disconnecting a socket that never connected; let it pass.
    await new Promise((r) => setTimeout(r, 2_100));
  }, 10_000);
});

describe('Redis going away and coming back', () => {
  it('keeps serving known routes, says so, refuses writes, then catches up, restoring a Redis that came back empty', async () => {
    const own = await startRedis();
    const port = own.port;
    let current: RedisServer | undefined = own;
    const prefix = uniquePrefix();
    const mk = () => RedisRouteStore.connect({ url: `redis://127.0.0.1:${port}`, prefix, logger, connectTimeoutMs: 10_000 });
    const a = await mk();
    const b = await mk();
    try {
      await a.add('/user/alice', { target: 'http://alice', last_activity: '2026-01-01T00:00:00.000Z' });
      await until(() => b.lookup('/user/alice') !== undefined, 'b to see alice');

      await current.stop();
      current = undefined;
      await until(() => a.status().kind === 'redis' && !(a.status() as { connected: boolean }).connected, 'a to notice');
      await until(() => !(b.status() as { connected: boolean }).connected, 'b to notice');
      expect(b.lookup('/user/alice/lab')?.data.target).toBe('http://alice');
      expect((await b.getAll())['/user/alice']?.target).toBe('http://alice');
      await expect(a.add('/user/bob', { target: 'http://bob' })).rejects.toThrow();

      current = await startRedis({ port }); // empty: no persistence
      await until(() => (a.status() as { connected: boolean }).connected && (b.status() as { connected: boolean }).connected, 'both to reconnect');
      // The table came back from the replicas, not from nowhere.
      await until(async () => (await a.get('/user/alice'))?.target === 'http://alice', 'redis to hold alice again');
      expect(b.lookup('/user/alice/lab')?.data.target).toBe('http://alice');
      await a.add('/user/bob', { target: 'http://bob' });
      await until(() => b.lookup('/user/bob/x')?.data.target === 'http://bob', 'b to see a write made after the outage');
      expect(Object.keys(await b.getAll()).sort()).toEqual(['/user/alice', '/user/bob']);
    } finally {
      await a.close();
      await b.close();
      await current?.stop();
    }
  }, 60_000);
});
