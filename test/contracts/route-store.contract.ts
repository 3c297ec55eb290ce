// Shared RouteStore contract suite; run against every implementation: memory
// (test/unit/proxy/memory-route-store.test.ts) and Redis (test/integration/proxy-redis-store.test.ts).
import type { RouteChange, RouteStore } from '../../proxy/route-store';

export function runRouteStoreContract(name: string, make: () => Promise<RouteStore> | RouteStore, cleanup?: () => Promise<void>): void {
  describe(`RouteStore contract: ${name}`, () => {
    let store: RouteStore;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
      if (cleanup !== undefined) await cleanup();
    });

    it('adds, gets and lists routes under canonical keys', async () => {
      await store.add('/', { target: 'http://hub:8081', hub: true });
      await store.add('/user/alice/', { target: 'http://alice:8888', user: 'alice' });
      expect(await store.get('/user/alice')).toEqual({ target: 'http://alice:8888', user: 'alice' });
      expect(await store.get('/user/alice/')).toEqual({ target: 'http://alice:8888', user: 'alice' });
      expect(await store.getAll()).toEqual({
        '/': { target: 'http://hub:8081', hub: true },
        '/user/alice': { target: 'http://alice:8888', user: 'alice' },
      });
      expect(await store.get('/user/bob')).toBeUndefined();
    });

    it('replaces a route on add', async () => {
      await store.add('/a', { target: 'http://one', extra: 1 });
      await store.add('/a', { target: 'http://two' });
      expect(await store.get('/a')).toEqual({ target: 'http://two' });
    });

    it('updates existing routes only', async () => {
      await store.add('/a', { target: 'http://one', last_activity: '2026-01-01T00:00:00.000Z' });
      expect(await store.update('/a', { last_activity: '2026-02-01T00:00:00.000Z' })).toBe(true);
      expect(await store.get('/a')).toEqual({ target: 'http://one', last_activity: '2026-02-01T00:00:00.000Z' });
      expect(await store.update('/missing', { last_activity: '2026-02-01T00:00:00.000Z' })).toBe(false);
      expect(await store.get('/missing')).toBeUndefined();
    });

    it('removes routes', async () => {
      await store.add('/a', { target: 'http://one' });
      expect(await store.remove('/a/')).toBe(true);
      expect(await store.remove('/a')).toBe(false);
      expect(await store.getAll()).toEqual({});
      expect(await store.getTarget('/a/b')).toBeUndefined();
    });

    it('finds the longest matching prefix on whole segments', async () => {
      await store.add('/', { target: 'http://hub' });
      await store.add('/user/alice', { target: 'http://alice' });
      await store.add('/user/alice/gpu', { target: 'http://alice-gpu' });
      expect(await store.getTarget('/user/alice/gpu/lab')).toMatchObject({ prefix: '/user/alice/gpu', depth: 3, data: { target: 'http://alice-gpu' } });
      expect(await store.getTarget('/user/alice/lab')).toMatchObject({ prefix: '/user/alice', depth: 2, data: { target: 'http://alice' } });
      expect(await store.getTarget('/user/alicex')).toMatchObject({ prefix: '/', depth: 0, data: { target: 'http://hub' } });
      expect(await store.getTarget('/user/zoë')).toMatchObject({ prefix: '/' });
    });

    it('hands out copies from get and getAll', async () => {
      await store.add('/a', { target: 'http://one' });
      const one = await store.get('/a');
      if (one === undefined) throw new Error('route missing');
      one.target = 'http://mutated';
      const all = await store.getAll();
      const entry = all['/a'];
      if (entry === undefined) throw new Error('route missing');
      entry.target = 'http://mutated';
      expect(await store.get('/a')).toEqual({ target: 'http://one' });
    });

    it('keeps unicode keys intact', async () => {
      await store.add('/user/用户', { target: 'http://u' });
      expect(Object.keys(await store.getAll())).toEqual(['/user/用户']);
      expect((await store.getTarget('/user/用户/lab'))?.prefix).toBe('/user/用户');
    });

    it('answers lookups synchronously from the local copy, writes visible at once', async () => {
      await store.add('/', { target: 'http://hub' });
      await store.add('/user/alice/', { target: 'http://alice' });
      expect(store.lookup('/user/alice/lab')).toMatchObject({ prefix: '/user/alice', depth: 2, data: { target: 'http://alice' } });
      expect(store.lookup('/user/alicex')).toMatchObject({ prefix: '/', depth: 0 });
      await store.remove('/user/alice');
      expect(store.lookup('/user/alice/lab')?.prefix).toBe('/');
      expect(await store.getTarget('/user/alice/lab')).toMatchObject({ prefix: '/' });
    });

    it('hands out a synchronous snapshot of copies', async () => {
      await store.add('/a', { target: 'http://one', last_activity: '2026-01-01T00:00:00.000Z' });
      const snap = store.snapshot();
      expect(snap).toEqual({ '/a': { target: 'http://one', last_activity: '2026-01-01T00:00:00.000Z' } });
      (snap['/a'] as { target: string }).target = 'http://mutated';
      expect(store.snapshot()['/a']?.target).toBe('http://one');
    });

    it('merges recorded activity: most recent wins, never lowered, unknown routes ignored', async () => {
      await store.add('/a', { target: 'http://one', last_activity: '2026-01-01T00:00:00.000Z' });
      await store.add('/b', { target: 'http://two', last_activity: '2026-03-01T00:00:00.000Z' });
      await store.recordActivity(new Map([
        ['/a', Date.parse('2026-02-01T00:00:00.000Z')],
        ['/b', Date.parse('2026-02-01T00:00:00.000Z')],
        ['/missing', Date.parse('2026-02-01T00:00:00.000Z')],
      ]));
      expect((await store.get('/a'))?.last_activity).toBe('2026-02-01T00:00:00.000Z');
      expect((await store.get('/b'))?.last_activity).toBe('2026-03-01T00:00:00.000Z');
      expect(await store.get('/missing')).toBeUndefined();
      const all = await store.getAll();
      expect(all['/a']?.last_activity).toBe('2026-02-01T00:00:00.000Z');
    });

    it('tells listeners about its changes until they unsubscribe', async () => {
      const seen: RouteChange[] = [];
      const off = store.onChange((c) => seen.push(c));
      await store.add('/a/', { target: 'http://one' });
      await store.update('/a', { extra: 1 });
      await store.remove('/a');
      off();
      await store.add('/b', { target: 'http://two' });
      const summary = seen.map((c) => (c.op === 'reset' ? 'reset' : `${c.op} ${c.path}`));
      expect(summary).toEqual(['set /a', 'set /a', 'delete /a']);
      expect(seen[1]).toMatchObject({ data: { target: 'http://one', extra: 1 } });
    });

    it('reports its status', () => {
      const status = store.status();
      expect(['memory', 'redis']).toContain(status.kind);
      if (status.kind === 'redis') expect(status.connected).toBe(true);
    });
  });
}
