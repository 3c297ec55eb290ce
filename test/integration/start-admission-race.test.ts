// Starts racing for a user's last slot, on the Redis store (real I/O between admission's count and
// the start's claim, where the race lives): exactly one of them starts, the others are refused
// with the limit, for the quota's servers-at-once and for the named-server limit.
import { startHarness, type Harness } from '../helpers/hub-harness';
import { startRedis, type RedisServer } from '../helpers/redis-server';

jest.setTimeout(60_000);

let redis: RedisServer;
let h: Harness;

beforeAll(async () => {
  redis = await startRedis();
  // The store from the config (the hub opens and closes it), as a deployment gives it.
  h = await startHarness({
    config: {
      store: { kind: 'redis', url: redis.url, prefix: `race-${process.pid}:` },
      hub: { namedServers: { enabled: true, limitPerUser: 2 } },
      quotas: { defaults: { maxServers: 1 }, groups: { many: { maxServers: 10 } } },
    },
  });
  expect(h.hub.ctx.store.kind).toBe('redis');
  expect((await h.api('POST', '/users', { usernames: ['bob', 'cleo'] })).status).toBe(201);
  expect((await h.api('POST', '/groups/many', { users: ['cleo'] })).status).toBe(201);
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

/** Six starts of different named servers of `user` at the same moment; statuses in order. */
async function race(user: string): Promise<{ names: string[]; statuses: number[]; messages: string[] }> {
  const names = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
  const answers = await Promise.all(names.map((n) => h.api('POST', `/users/${user}/servers/${n}`, {})));
  for (const n of names) await h.hub.ctx.orchestrator.settled(user, n);
  return { names, statuses: answers.map((a) => a.status), messages: answers.map((a) => String(a.body?.message ?? '')) };
}

async function activeNames(user: string): Promise<string[]> {
  return (await h.hub.ctx.store.servers.list()).filter((s) => s.user === user && (s.state === 'running' || s.state === 'pending')).map((s) => s.name).sort();
}

it('servers at once (quota): one start wins the last slot, the rest get 403 naming the limit', async () => {
  const { names, statuses, messages } = await race('bob');
  expect(statuses.filter((s) => s === 202)).toHaveLength(1);
  expect(statuses.filter((s) => s === 403)).toHaveLength(5);
  for (const m of messages.filter((_, i) => statuses[i] === 403)) expect(m).toMatch(/Servers at once are limited to 1/);
  expect(await activeNames('bob')).toEqual(names.filter((_, i) => statuses[i] === 202));
});

it('named servers per user: two starts win the two slots, the rest get 400 naming the limit', async () => {
  const { names, statuses, messages } = await race('cleo');
  expect(statuses.filter((s) => s === 202)).toHaveLength(2);
  expect(statuses.filter((s) => s === 400)).toHaveLength(4);
  for (const m of messages.filter((_, i) => statuses[i] === 400)) expect(m).toMatch(/the most allowed \(hub\.namedServers\.limitPerUser\)/);
  expect(await activeNames('cleo')).toEqual(names.filter((_, i) => statuses[i] === 202));
});
