// The Store contract suite: every Store implementation (file, redis) runs exactly these tests.
// A backend supplies fresh fixtures; the suite never looks at how data is kept.
import { NO_RESOURCES } from '../../spawner/types';
import { COLLECTION_NAMES, type CollectionName } from '../../hub/store/collections';
import { serverKey, type Collection, type HubEvent, type Store, type Workshop } from '../../hub/store/store';

export interface StoreFixture {
  /** The open store on a fresh, empty backend. */
  store: Store;
  /** Close `store` if open, open the same backend again, and make that the fixture's store. */
  reopen(): Promise<Store>;
  /** A second live instance on the same backend (only when the backend is shared). */
  openSecond(): Promise<Store>;
  /** Make users[key] invalid (admin: "yes") behind the store's back; may close `store`. */
  corruptUser(key: string): Promise<void>;
  /** Close every store opened through the fixture and remove its data. */
  cleanup(): Promise<void>;
}

export interface StoreBackend {
  open(options?: { eventCapacity?: number }): Promise<StoreFixture>;
  /** Whether several live Store instances (hub processes) may share one backend. */
  shared: boolean;
}

const ISO = '2024-05-01T12:00:00.000Z';

/** A valid value for each collection; `tag` makes values distinguishable. */
export function sampleValue(collection: CollectionName, tag: string): unknown {
  switch (collection) {
    case 'users':
      return { name: tag, admin: false, groups: ['g1'], created: ISO, lastActivity: null };
    case 'servers':
      return {
        user: tag, name: '', state: 'running', image: null, resources: NO_RESOURCES, url: 'http://127.0.0.1:9',
        started: ISO, lastActivity: null, spawnerState: { pid: 42 }, userOptions: { size: 'small' }, tokenId: null, stopReason: null,
      };
    case 'groups':
      return { name: tag, properties: { quota: 2 }, created: ISO };
    case 'tokens':
      return {
        id: tag, hash: 'ab'.repeat(32), kind: 'api', user: tag, service: null, scopes: ['self'], note: 'n',
        created: ISO, expiresAt: null, lastActivity: null, clientId: null, sessionId: null,
      };
    case 'oauthClients':
      return { id: tag, secretTokenId: 't1', redirectUri: '/user/x/oauth_callback', description: '', allowedScopes: [], user: tag, serverName: '' };
    case 'oauthCodes':
      return {
        clientId: 'c', user: tag, scopes: [], redirectUri: '/cb', sessionId: null, codeChallenge: null, codeChallengeMethod: null, expiresAt: ISO,
      };
    case 'sessions':
      return { cookie: { maxAge: 1000, path: '/' }, passport: { user: tag } };
    case 'secrets':
      return `secret-${tag}`;
    case 'workshops':
      return {
        id: 'AbCdEfGhIjKlMnOp', name: `Workshop ${tag}`, image: 'astro', size: 'small', group: `ws-${tag}`, organiser: tag, created: ISO,
        expiresAt: ISO, maxAttendees: 30, revokedAt: null, attendees: [{ user: 'ann', joined: ISO }],
      };
    case 'quotas':
      return { subject: 'group', name: tag, limits: { memoryPerServerGb: 4, maxServers: null, monthlyBudget: 12.5 }, updated: ISO, updatedBy: 'admin' };
    case 'usage':
      return {
        user: tag, month: '2024-05', gbHours: 1.5, cpuHours: 0.75, cost: 0.1, updated: ISO,
        runs: { '["",1]': { server: '', started: ISO, accruedTo: ISO, memGb: 2, cpu: 1, priceClass: null } },
      };
    case 'meters':
      return { user: tag, server: 'gpu', started: ISO, memGb: 2, cpu: 0.5, priceClass: 'gpu' };
    case 'samlState':
      return { kind: 'request', value: `2024-01-01T00:00:00Z-${tag}`, createdAt: 1_704_067_200_000 };
  }
}

function coll(store: Store, name: CollectionName): Collection<unknown> {
  return store[name] as Collection<unknown>;
}

function event(i: number, user: string | null, kind: string): HubEvent {
  return { id: `e${i}`, time: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(), kind, user, server: null, message: `m${i}`, data: { i } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const increment = (v: string) => String(Number(v) + 1);

export function runStoreContract(name: string, backend: StoreBackend): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;
    beforeEach(async () => {
      fx = await backend.open();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    test('get, list, create, put, update and delete on every collection', async () => {
      for (const c of COLLECTION_NAMES) {
        const col = coll(fx.store, c);
        const [a, b] = [sampleValue(c, 'alice'), sampleValue(c, 'bob')];
        expect(await col.get('k1')).toBeUndefined();
        expect(await col.create('k1', a)).toBe(true);
        expect(await col.create('k2', b)).toBe(true);
        expect(await col.get('k1')).toEqual(a);
        expect(await col.list()).toEqual(expect.arrayContaining([a, b]));
        expect(await col.list()).toHaveLength(2);
        await col.put('k1', b);
        expect(await col.get('k1')).toEqual(b);
        expect(await col.update('k1', () => a)).toEqual(a);
        expect(await col.get('k1')).toEqual(a);
        expect(await col.delete('k1')).toBe(true);
        expect(await col.get('k1')).toBeUndefined();
        expect(await col.delete('k1')).toBe(false);
        expect(await col.list()).toEqual([b]);
      }
    });

    test('create refuses an existing key and leaves its value alone', async () => {
      await fx.store.secrets.put('k', 'first');
      expect(await fx.store.secrets.create('k', 'second')).toBe(false);
      expect(await fx.store.secrets.get('k')).toBe('first');
    });

    test('update of a missing key returns undefined without calling fn; undefined from fn keeps the value', async () => {
      const fn = jest.fn((v: string) => v + '!');
      expect(await fx.store.secrets.update('missing', fn)).toBeUndefined();
      expect(fn).not.toHaveBeenCalled();
      expect(await fx.store.secrets.get('missing')).toBeUndefined();
      await fx.store.secrets.put('k', 'v');
      expect(await fx.store.secrets.update('k', () => undefined)).toBe('v');
      expect(await fx.store.secrets.get('k')).toBe('v');
    });

    test('50 concurrent updates are all counted', async () => {
      await fx.store.secrets.put('counter', '0');
      const results = await Promise.all(Array.from({ length: 50 }, () => fx.store.secrets.update('counter', increment)));
      expect(await fx.store.secrets.get('counter')).toBe('50');
      // Each update saw a distinct value: none was lost or applied twice.
      expect(new Set(results).size).toBe(50);
    });

    test('concurrent workshop joins never exceed the places (update re-checks the limit)', async () => {
      const w = { ...(sampleValue('workshops', 'org') as Workshop), attendees: [], maxAttendees: 7 };
      await fx.store.workshops.put(w.id, w);
      const join = (user: string) => fx.store.workshops.update(w.id, (cur) =>
        cur.attendees.length >= cur.maxAttendees || cur.attendees.some((a) => a.user === user)
          ? undefined : { ...cur, attendees: [...cur.attendees, { user, joined: ISO }] });
      await Promise.all(Array.from({ length: 20 }, (_, i) => join(`u${i % 10}`)));
      const after = await fx.store.workshops.get(w.id);
      expect(after?.attendees).toHaveLength(7);
      expect(new Set(after?.attendees.map((a) => a.user)).size).toBe(7);
    });

    if (backend.shared) {
      test('concurrent updates from two store instances are all counted', async () => {
        const second = await fx.openSecond();
        await fx.store.groups.put('g', { name: 'g', properties: { n: 0 }, created: ISO });
        const bump = (s: Store) =>
          s.groups.update('g', (g) => ({ ...g, properties: { n: (g.properties.n as number) + 1 } }));
        await Promise.all(Array.from({ length: 30 }, (_, i) => bump(i % 2 === 0 ? fx.store : second)));
        expect((await second.groups.get('g'))?.properties.n).toBe(30);
        expect((await fx.store.groups.get('g'))?.properties.n).toBe(30);
      });
    }

    test('take returns the value exactly once under concurrency', async () => {
      const code = sampleValue('oauthCodes', 'alice');
      await fx.store.oauthCodes.put('code', code as never);
      const taken = await Promise.all(Array.from({ length: 20 }, () => fx.store.oauthCodes.take('code')));
      expect(taken.filter((t) => t !== undefined)).toEqual([code]);
      expect(await fx.store.oauthCodes.get('code')).toBeUndefined();
      expect(await fx.store.oauthCodes.take('code')).toBeUndefined();
      expect(await fx.store.oauthCodes.list()).toEqual([]);
    });

    test('TTL entries expire from get, list, take and create; update keeps the TTL; put without TTL clears it', async () => {
      const s = fx.store.sessions;
      await s.put('short', { n: 1 }, { ttlSeconds: 1 });
      await s.create('updated', { n: 1 }, { ttlSeconds: 1 });
      await s.put('taken', { n: 1 }, { ttlSeconds: 1 });
      await s.put('cleared', { n: 1 }, { ttlSeconds: 1 });
      await s.put('cleared', { n: 2 });
      await s.put('long', { n: 3 }, { ttlSeconds: 3600 });
      await s.put('forever', { n: 4 });
      expect(await s.get('short')).toEqual({ n: 1 });
      expect(await s.update('updated', () => ({ n: 2 }))).toEqual({ n: 2 });
      expect(await s.list()).toHaveLength(6);
      await sleep(1_500);
      expect(await s.get('short')).toBeUndefined();
      expect(await s.get('updated')).toBeUndefined();
      expect(await s.take('taken')).toBeUndefined();
      expect(await s.update('short', () => ({ n: 9 }))).toBeUndefined();
      expect(await s.list()).toEqual(expect.arrayContaining([{ n: 2 }, { n: 3 }, { n: 4 }]));
      expect(await s.list()).toHaveLength(3);
      expect(await s.create('short', { n: 5 })).toBe(true);
      expect(await s.get('short')).toEqual({ n: 5 });
    });

    test('keys with unicode, slashes, colons, quotes and prototype names are distinct and round-trip', async () => {
      const keys = ['alice', 'ünïcødé-名前-🚀', 'a/b/c', 'a:b', 'v:users:alice', 'say "hi"', "it's", ' spaced ', 'back\\slash',
        '__proto__', 'constructor', 'toString', '[1,2]', '*', 'x\ny'];
      for (const [i, key] of keys.entries()) await fx.store.secrets.put(key, `value-${i}`);
      for (const [i, key] of keys.entries()) expect(await fx.store.secrets.get(key)).toBe(`value-${i}`);
      expect((await fx.store.secrets.list()).sort()).toEqual(keys.map((_, i) => `value-${i}`).sort());
      const reopened = await fx.reopen();
      for (const [i, key] of keys.entries()) expect(await reopened.secrets.get(key)).toBe(`value-${i}`);
      expect(await reopened.secrets.take('__proto__')).toBe(`value-${keys.indexOf('__proto__')}`);
      expect(await reopened.secrets.get('__proto__')).toBeUndefined();
    });

    test('serverKey is unambiguous and round-trips through the servers collection', async () => {
      const pairs: [string, string][] = [['a', ''], ['a', 'b'], ['a:b', ''], ['a', ':b'], ['a","b', ''], ['ü/x', 'gpu 1']];
      expect(new Set(pairs.map(([u, n]) => serverKey(u, n))).size).toBe(pairs.length);
      for (const [u, n] of pairs) {
        expect(JSON.parse(serverKey(u, n))).toEqual([u, n]);
        await fx.store.servers.put(serverKey(u, n), { ...(sampleValue('servers', u) as object), name: n } as never);
      }
      for (const [u, n] of pairs) expect(await fx.store.servers.get(serverKey(u, n))).toMatchObject({ user: u, name: n });
    });

    test('events come newest first, filtered by user and kind, limited', async () => {
      const events = [event(1, 'alice', 'spawn'), event(2, 'bob', 'spawn'), event(3, 'alice', 'stop'), event(4, null, 'cull'), event(5, 'alice', 'spawn')];
      for (const e of events) await fx.store.events.append(e);
      expect((await fx.store.events.list()).map((e) => e.id)).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
      expect(await fx.store.events.list({ limit: 2 })).toEqual([events[4], events[3]]);
      expect((await fx.store.events.list({ user: 'alice' })).map((e) => e.id)).toEqual(['e5', 'e3', 'e1']);
      expect((await fx.store.events.list({ kind: 'spawn' })).map((e) => e.id)).toEqual(['e5', 'e2', 'e1']);
      expect((await fx.store.events.list({ user: 'alice', kind: 'spawn', limit: 1 })).map((e) => e.id)).toEqual(['e5']);
      expect(await fx.store.events.list({ user: 'nobody' })).toEqual([]);
      expect(await fx.store.events.list({ limit: 0 })).toEqual([]);
    });

    test('the event log keeps only its capacity, dropping the oldest', async () => {
      const small = await backend.open({ eventCapacity: 5 });
      try {
        for (let i = 1; i <= 12; i++) await small.store.events.append(event(i, 'u', 'k'));
        expect((await small.store.events.list()).map((e) => e.id)).toEqual(['e12', 'e11', 'e10', 'e9', 'e8']);
      } finally {
        await small.cleanup();
      }
    });

    test('everything persists across close and reopen', async () => {
      for (const c of COLLECTION_NAMES) await coll(fx.store, c).put('key', sampleValue(c, 'alice'));
      await fx.store.sessions.put('ttl', { a: 1 }, { ttlSeconds: 3600 });
      await fx.store.events.append(event(1, 'alice', 'login'));
      const reopened = await fx.reopen();
      for (const c of COLLECTION_NAMES) expect(await coll(reopened, c).get('key')).toEqual(sampleValue(c, 'alice'));
      expect(await reopened.sessions.get('ttl')).toEqual({ a: 1 });
      expect(await reopened.events.list()).toEqual([event(1, 'alice', 'login')]);
    });

    test('invalid stored data is reported with the key and the bad field', async () => {
      await fx.store.users.put('mallory', sampleValue('users', 'mallory') as never);
      await fx.corruptUser('mallory');
      const read = async () => {
        const store = await fx.reopen();
        return store.users.get('mallory');
      };
      await expect(read()).rejects.toThrow(/mallory[\s\S]*admin/);
    });

    test('invalid values, keys and options are refused on write', async () => {
      await expect(fx.store.users.put('u', { ...(sampleValue('users', 'u') as object), admin: 'yes' } as never)).rejects.toThrow(/users.*admin/);
      await expect(fx.store.users.put('', sampleValue('users', 'u') as never)).rejects.toThrow(/non-empty/);
      await expect(fx.store.sessions.put('s', {}, { ttlSeconds: -1 })).rejects.toThrow(/ttlSeconds/);
      await expect(fx.store.events.append({ ...event(1, null, 'k'), time: 'yesterday' })).rejects.toThrow(/time/);
      await fx.store.secrets.put('k', 'v');
      await expect(fx.store.secrets.update('k', () => 42 as never)).rejects.toThrow(/secrets/);
      expect(await fx.store.secrets.get('k')).toBe('v');
      expect(await fx.store.users.list()).toEqual([]);
    });

    test('quota, usage and meter entries are validated on write, naming the field', async () => {
      const usage = sampleValue('usage', 'u') as Record<string, unknown>;
      await expect(fx.store.usage.put('u', { ...usage, month: '2024-13' } as never)).rejects.toThrow(/usage.*month/);
      await expect(fx.store.usage.put('u', { ...usage, cost: -1 } as never)).rejects.toThrow(/usage.*cost/);
      const quota = sampleValue('quotas', 'g') as Record<string, unknown>;
      await expect(fx.store.quotas.put('q', { ...quota, limits: { maxServers: 1.5 } } as never)).rejects.toThrow(/quotas.*maxServers/);
      await expect(fx.store.quotas.put('q', { ...quota, limits: { memory: 4 } } as never)).rejects.toThrow(/quotas.*memory/);
      await expect(fx.store.meters.put('m', { ...(sampleValue('meters', 'u') as object), started: 'now' } as never)).rejects.toThrow(/meters.*started/);
      expect(await fx.store.usage.list()).toEqual([]);
      expect(await fx.store.quotas.list()).toEqual([]);
    });

    if (backend.shared) {
      test('usage accrued from two store instances at once moves the watermark once per stretch', async () => {
        const second = await fx.openSecond();
        const base = sampleValue('usage', 'u') as { runs: Record<string, { accruedTo: string }> };
        const key = Object.keys(base.runs)[0]!;
        await fx.store.usage.put('u', { ...(base as object), gbHours: 0, runs: { [key]: { ...base.runs[key]!, accruedTo: ISO } } } as never);
        // Each store charges up to minute i (1 GB-hour per minute) unless the watermark is there already.
        const charge = (s: Store, minute: number) => s.usage.update('u', (doc) => {
          const run = doc.runs[key]!;
          const to = Date.parse(ISO) + minute * 60_000;
          if (Date.parse(run.accruedTo) >= to) return undefined;
          const minutes = (to - Date.parse(run.accruedTo)) / 60_000;
          return { ...doc, gbHours: doc.gbHours + minutes, runs: { ...doc.runs, [key]: { ...run, accruedTo: new Date(to).toISOString() } } };
        });
        await Promise.all(Array.from({ length: 40 }, (_, i) => charge(i % 2 === 0 ? fx.store : second, 1 + Math.floor(i / 2))));
        expect((await second.usage.get('u'))?.gbHours).toBe(20);
      });
    }

    test('returned values are copies (get) or read-only snapshots (list): changing them does not change the store', async () => {
      await fx.store.users.put('u', sampleValue('users', 'u') as never);
      const got = await fx.store.users.get('u');
      got!.groups.push('sneaky');
      const listed = (await fx.store.users.list())[0]!;
      // A shared snapshot is frozen, so the change throws; a fresh copy simply takes it.
      try { listed.groups.push('sneaky'); } catch (err) { expect((err as Error).name).toBe('TypeError'); }
      expect((await fx.store.users.get('u'))?.groups).toEqual(['g1']);
      expect((await fx.store.users.list())[0]?.groups).toEqual(['g1']);
    });

    test('list returns every one of 2,000 entries', async () => {
      await Promise.all(Array.from({ length: 2000 }, (_, i) => fx.store.users.put(`user${i}`, sampleValue('users', `user${i}`) as never)));
      const names = (await fx.store.users.list()).map((u) => u.name);
      expect(new Set(names).size).toBe(2000);
    });

    test('a closed store refuses further use', async () => {
      await fx.store.close();
      await expect(fx.store.users.get('x')).rejects.toThrow(/closed/);
    });
  });
}
