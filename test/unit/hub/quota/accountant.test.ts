// The accountant with an injected clock on a real (file) store: charges running servers, splits
// at month ends in the configured zone, survives restarts and a second accountant without
// losing or doubling time, closes stopped runs at their stop event, and enforces budgets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Accountant, missingEventGraceMs } from '../../../../hub/quota/accountant';
import { PricingSectionSchema, QuotasSectionSchema, UsageSectionSchema } from '../../../../hub/quota/config';
import { openFileStore } from '../../../../hub/store/file-store';
import { quotaKey, serverKey, usageKey, type Server, type Store } from '../../../../hub/store/store';
import { NO_RESOURCES } from '../../../../spawner/types';

const GB = 1024 ** 3;
const HOUR = 3_600_000;
const logger = pino({ level: 'silent' });
const t = (iso: string) => Date.parse(iso);

let dir: string;
let store: Store;
let now: number;
const clock = { now: () => now, sleep: async () => undefined };
const stops: Array<{ user: string; server: string; reason: string }> = [];

function accountant(over: { timeZone?: string } = {}): Accountant {
  return new Accountant({
    store, clock, logger,
    quotas: QuotasSectionSchema.parse({ groups: { poor: { monthlyBudget: 1 } } }),
    pricing: PricingSectionSchema.parse({ perGbHour: 1, perCpuHour: 0 }),
    usage: UsageSectionSchema.parse({ timeZone: over.timeZone ?? 'UTC' }),
    stopServer: async (user, server, reason) => {
      stops.push({ user, server, reason });
      await store.servers.update(serverKey(user, server), (s) => ({ ...s, state: 'stopped' }));
      await store.events.append({ id: `e${now}`, time: new Date(now).toISOString(), kind: 'budget-stop', user, server, message: reason, data: {} });
    },
  });
}

async function run(user: string, name: string, started: number, memGb = 2): Promise<void> {
  await store.users.create(user, { name: user, admin: false, groups: user === 'pauper' ? ['poor'] : [], created: new Date(0).toISOString(), lastActivity: null });
  const server: Server = {
    user, name, state: 'running', image: null, resources: { ...NO_RESOURCES, memLimit: memGb * GB, cpuLimit: 1 },
    url: 'http://127.0.0.1:9', started: new Date(started).toISOString(), lastActivity: null, spawnerState: {}, userOptions: {}, tokenId: null, stopReason: null,
  };
  await store.servers.put(serverKey(user, name), server);
}

async function stop(user: string, name: string, at: number, record = true): Promise<void> {
  await store.servers.update(serverKey(user, name), (s) => ({ ...s, state: 'stopped' }));
  if (record) await store.events.append({ id: `stop${at}`, time: new Date(at).toISOString(), kind: 'stop', user, server: name, message: 'stopped', data: {} });
}

const gbHours = async (user: string, month: string) => (await store.usage.get(usageKey(user, month)))?.gbHours ?? 0;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sciencehub-accountant-'));
  store = await openFileStore(join(dir, 'state.json'), { logger });
  stops.length = 0;
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('charges a running server for its time, tick after tick', async () => {
  const start = t('2024-05-10T10:00:00Z');
  await run('alice', '', start);
  const a = accountant();
  for (let minutes = 1; minutes <= 90; minutes += 7) {
    now = start + minutes * 60_000;
    await a.tick();
  }
  now = start + 90 * 60_000;
  await a.tick();
  expect(await gbHours('alice', '2024-05')).toBeCloseTo(2 * 1.5, 9);
  expect(await store.meters.get(serverKey('alice', ''))).toMatchObject({ user: 'alice', memGb: 2 });
});

it('splits at the month end in the configured zone', async () => {
  // 23:00 to 01:00 Berlin time (summer: UTC+2), across 31 May / 1 June.
  await run('alice', 'gpu', t('2024-05-31T21:00:00Z'));
  const a = accountant({ timeZone: 'Europe/Berlin' });
  now = t('2024-05-31T21:30:00Z');
  await a.tick();
  now = t('2024-05-31T23:00:00Z');
  await a.tick();
  expect(await gbHours('alice', '2024-05')).toBeCloseTo(2 * 1, 9);
  expect(await gbHours('alice', '2024-06')).toBeCloseTo(2 * 1, 9);
});

it('charges a run that spans several months in each of them, resuming where it left off', async () => {
  await run('alice', '', t('2024-01-31T12:00:00Z'), 1);
  const a = accountant();
  now = t('2024-04-01T12:00:00Z');
  await a.tick();
  expect(await gbHours('alice', '2024-01')).toBeCloseTo(12, 9);
  expect(await gbHours('alice', '2024-02')).toBeCloseTo(29 * 24, 9);
  expect(await gbHours('alice', '2024-03')).toBeCloseTo(31 * 24, 9);
  expect(await gbHours('alice', '2024-04')).toBeCloseTo(12, 9);
  now = t('2024-04-01T13:00:00Z');
  await a.tick();
  expect(await gbHours('alice', '2024-04')).toBeCloseTo(13, 9);
  expect(await gbHours('alice', '2024-01')).toBeCloseTo(12, 9);
});

it('neither loses nor doubles time across a hub restart', async () => {
  const start = t('2024-05-10T10:00:00Z');
  await run('alice', '', start);
  now = start + 20 * 60_000;
  await accountant().tick();
  // The hub stops; the server keeps running; a new hub process opens the same state.
  await store.close();
  store = await openFileStore(join(dir, 'state.json'), { logger });
  now = start + 65 * 60_000;
  await accountant().tick();
  expect(await gbHours('alice', '2024-05')).toBeCloseTo(2 * 65 / 60, 9);
});

it('two accountants ticking at once, with clocks a little apart, charge every minute once', async () => {
  const start = t('2024-05-10T10:00:00Z');
  await run('alice', '', start);
  await run('bob', 'x', start, 4);
  const [a, b] = [accountant(), accountant()];
  for (let minutes = 1; minutes <= 30; minutes++) {
    now = start + minutes * 60_000;
    const first = a.tick();
    now += 1_500; // b's clock is 1.5 s ahead
    await Promise.all([first, b.tick()]);
    now -= 1_500;
  }
  now = start + 31 * 60_000;
  await Promise.all([a.tick(), b.tick()]);
  expect(await gbHours('alice', '2024-05')).toBeCloseTo(2 * 31 / 60, 9);
  expect(await gbHours('bob', '2024-05')).toBeCloseTo(4 * 31 / 60, 9);
});

it('closes a stopped run at its stop event, then charges the next run from its own start', async () => {
  const start = t('2024-05-10T10:00:00Z');
  await run('alice', '', start);
  const a = accountant();
  now = start + 10 * 60_000;
  await a.tick();
  await stop('alice', '', start + 25 * 60_000);
  now = start + 40 * 60_000;
  await a.tick();
  expect(await gbHours('alice', '2024-05')).toBeCloseTo(2 * 25 / 60, 9);
  expect(await store.meters.get(serverKey('alice', ''))).toBeUndefined();
  // Restarted before the accountant noticed the second stop: both runs are charged correctly.
  await run('alice', '', start + 60 * 60_000);
  now = start + 70 * 60_000;
  await a.tick();
  await stop('alice', '', start + 75 * 60_000);
  await run('alice', '', start + 80 * 60_000);
  now = start + 90 * 60_000;
  await a.tick();
  now = start + 90 * 60_000;
  await a.tick();
  expect(await gbHours('alice', '2024-05')).toBeCloseTo(2 * (25 + 15 + 10) / 60, 9);
});

it('waits a little for a stop event recorded just after the server was marked stopped', async () => {
  const start = t('2024-05-10T10:00:00Z');
  await run('alice', '', start);
  const a = accountant();
  now = start + 10 * 60_000;
  await a.tick();
  await stop('alice', '', start + 12 * 60_000, false);
  now = start + 13 * 60_000;
  expect((await a.tick()).closed).toBe(0);
  await store.events.append({ id: 'late', time: new Date(start + 12 * 60_000).toISOString(), kind: 'stop', user: 'alice', server: '', message: 'stopped', data: {} });
  now += 1_000;
  expect((await a.tick()).closed).toBe(1);
  expect(await gbHours('alice', '2024-05')).toBeCloseTo(2 * 12 / 60, 9);
});

it('charges a run whose stop event never comes up to its last accrual, after a grace period', async () => {
  const start = t('2024-05-10T10:00:00Z');
  await run('alice', '', start);
  const a = accountant();
  now = start + 10 * 60_000;
  await a.tick();
  await stop('alice', '', start + 12 * 60_000, false);
  now = start + 60 * 60_000;
  await a.tick();
  expect(await store.meters.list()).toHaveLength(1);
  now += missingEventGraceMs(UsageSectionSchema.parse({})) - 1;
  expect((await a.tick()).closed).toBe(0);
  now += 1;
  expect((await a.tick()).closed).toBe(1);
  expect(await gbHours('alice', '2024-05')).toBeCloseTo(2 * 10 / 60, 9);
  expect(await store.meters.list()).toEqual([]);
});

it('stops the servers of a user whose budget is used up, and only theirs', async () => {
  const start = t('2024-05-10T10:00:00Z');
  await run('pauper', '', start, 0.25); // €0.25 per hour against a €1 budget (group poor)
  await run('pauper', 'second', start, 0.25);
  await run('alice', '', start, 8); // no budget at all
  const a = accountant();
  now = start + HOUR;
  await a.tick();
  expect(stops).toEqual([]);
  now = start + 2 * HOUR;
  await a.tick();
  expect(stops.map((s) => `${s.user}/${s.server}`).sort()).toEqual(['pauper/', 'pauper/second']);
  expect(stops[0]?.reason).toMatch(/monthly budget for this month is used up: €1\.00 of €1\.00/);
  // The stop events close the runs; an admin raising the budget lets a new run go on.
  now = start + 3 * HOUR;
  await a.tick();
  expect(await gbHours('pauper', '2024-05')).toBeCloseTo(1, 9);
  await store.quotas.put(quotaKey('user', 'pauper'), { subject: 'user', name: 'pauper', limits: { monthlyBudget: 5 }, updated: new Date(now).toISOString(), updatedBy: 'admin' });
  await run('pauper', '', now, 0.25);
  now += HOUR;
  await a.tick();
  expect(stops).toHaveLength(2);
});
