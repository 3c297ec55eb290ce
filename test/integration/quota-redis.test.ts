// Exactly-once accounting across hub processes: two hubs on one real Redis accrue the same
// running servers on fast timers, one of them restarts mid-run, and every user's charged time
// equals their servers' run time as recorded by the hub (start to stop event), with no double count.
import pino from 'pino';
import { startHarness, type Harness } from '../helpers/hub-harness';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { openRedisStore } from '../../hub/store/redis-store';
import { serverKey, type Store } from '../../hub/store/store';

jest.setTimeout(120_000);

let redis: RedisServer;
const hubs: Harness[] = [];
const stores: Store[] = [];
const config = {
  quotas: { defaults: { memoryPerServerGb: 2, cpuPerServer: 1 } },
  pricing: { perGbHour: 1, perCpuHour: 2 },
  usage: { accrualIntervalSeconds: 0.05 },
};

/** A hub process of its own: its own Redis connection (Store), sharing the proxy and spawner dir of `first`. */
async function hub(first?: Harness): Promise<Harness> {
  const store = await openRedisStore(redis.url, `quota-${process.pid}:`, { logger: pino({ level: 'silent' }) });
  stores.push(store);
  return startHarness({ config, overrides: { store }, ...(first ? { restartOf: first } : {}) });
}

beforeAll(async () => {
  redis = await startRedis();
  const first = await hub();
  hubs.push(first, await hub(first));
});
afterAll(async () => {
  for (const h of hubs.slice(1).reverse()) await h.close({ keepState: true }).catch(() => undefined);
  await hubs[0]?.close();
  for (const s of stores) await s.close();
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long the user's server ran (start to stop event) and its size in GB and cores. */
async function runOf(store: Store, user: string): Promise<{ ms: number; gb: number; cpu: number }> {
  const server = await store.servers.get(serverKey(user, ''));
  const stop = (await store.events.list({ user, kind: 'stop', limit: 1 }))[0];
  const { memLimit, cpuLimit } = server!.resources;
  return { ms: Date.parse(stop!.time) - Date.parse(server!.started!), gb: memLimit! / 1024 ** 3, cpu: cpuLimit! };
}

it('two hubs on one Redis, one restarting, charge each server run exactly once', async () => {
  const [a, b] = hubs as [Harness, Harness];
  await a.api('POST', '/users', { usernames: ['erin', 'finn', 'gus'] });
  // Started through different hubs: each hub's accountant charges every server.
  for (const [hub, user] of [[a, 'erin'], [b, 'finn'], [a, 'gus']] as const) {
    expect((await hub.api('POST', `/users/${user}/server`, {})).status).toBe(202);
    await hub.hub.ctx.orchestrator.settled(user, '');
  }
  await sleep(1_500);
  // Hub b restarts mid-run (its accountant stops, a new one starts on the same Redis).
  await b.close({ keepState: true });
  hubs.splice(hubs.indexOf(b), 1);
  const b2 = await hub(a);
  hubs.push(b2);
  await sleep(1_500);
  for (const [hub, user] of [[a, 'erin'], [b2, 'finn'], [b2, 'gus']] as const) {
    expect((await hub.api('DELETE', `/users/${user}/server`)).status).toBe(204);
  }
  const store = a.hub.ctx.store;
  const deadline = Date.now() + 30_000;
  while ((await store.meters.list()).length > 0 && Date.now() < deadline) await sleep(100);
  expect(await store.meters.list()).toEqual([]);
  await sleep(500); // more ticks on both hubs must change nothing

  // Summed over months, in case the run crossed a month end.
  const docs = await store.usage.list();
  for (const user of ['erin', 'finn', 'gus']) {
    const mine = docs.filter((d) => d.user === user);
    const run = await runOf(store, user);
    expect(run.ms).toBeGreaterThan(2_500);
    expect(run.gb).toBeGreaterThan(0);
    const hours = run.ms / 3_600_000;
    for (const doc of mine) expect(Object.keys(doc.runs)).toHaveLength(1);
    const sum = (field: 'gbHours' | 'cpuHours' | 'cost') => mine.reduce((total, d) => total + d[field], 0);
    expect(sum('gbHours')).toBeCloseTo(run.gb * hours, 9);
    expect(sum('cpuHours')).toBeCloseTo(run.cpu * hours, 9);
    expect(sum('cost')).toBeCloseTo(run.gb * hours * 1 + run.cpu * hours * 2, 9);
  }
});
