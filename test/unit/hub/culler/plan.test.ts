// planCulls (which servers, with which resolved limit) and mapLimit (bounded concurrency).
import { CullerConfigSchema } from '../../../../hub/culler/config';
import { mapLimit, planCulls, type CullCandidate } from '../../../../hub/culler/plan';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function candidate(user: string, over: Partial<CullCandidate> = {}): CullCandidate {
  return { user, name: '', state: 'running', started: iso(T0), lastActivity: iso(T0), image: null, imageId: null, groups: [], ...over };
}

describe('planCulls', () => {
  const config = CullerConfigSchema.parse({
    timeoutSeconds: 600,
    overrides: { groups: { staff: { timeoutSeconds: 3600 } }, images: { gpu: { timeoutSeconds: 300 } }, users: { zoe: { maxAgeSeconds: 60 } } },
  });

  it('lists the servers due now, each with the limit and where it came from', () => {
    const now = T0 + 600_000;
    const planned = planCulls([
      candidate('alice'),
      candidate('bob', { groups: ['staff'] }),
      candidate('carol', { image: 'gpu:2', groups: ['staff'] }),
      candidate('dave', { state: 'pending' }),
      candidate('erin', { lastActivity: iso(now - 1000) }),
      candidate('zoe', { name: 'x', lastActivity: iso(now) }),
    ], now, config);
    expect(planned).toEqual([
      { user: 'alice', name: '', reason: 'idle', limitSeconds: 600, elapsedSeconds: 600, message: 'it was idle for 10 minutes (the limit is 10 minutes).', source: 'default' },
      { user: 'carol', name: '', reason: 'idle', limitSeconds: 300, elapsedSeconds: 600, message: 'it was idle for 10 minutes (the limit is 5 minutes).', source: 'image:gpu' },
      { user: 'zoe', name: 'x', reason: 'max-age', limitSeconds: 60, elapsedSeconds: 600, message: 'it had run for 10 minutes, the most allowed is 1 minute.', source: 'user:zoe' },
    ]);
  });

  it('plans nothing when the culler is disabled', () => {
    const off = CullerConfigSchema.parse({ enabled: false, timeoutSeconds: 1 });
    expect(planCulls([candidate('alice')], T0 + 1e9, off)).toEqual([]);
  });
});

describe('mapLimit', () => {
  it('never runs more than `limit` at once, keeps the order of results, and returns failures', async () => {
    let running = 0;
    let peak = 0;
    const items = Array.from({ length: 25 }, (_, i) => i);
    const results = await mapLimit(items, 4, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (i * 7) % 5));
      running--;
      if (i % 10 === 3) throw new Error(`boom ${i}`);
      return i * 2;
    });
    expect(peak).toBe(4);
    expect(results).toHaveLength(25);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 0 });
    expect(results[24]).toEqual({ status: 'fulfilled', value: 48 });
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.message)).toEqual(['boom 3', 'boom 13', 'boom 23']);
  });

  it('handles no items and a limit above the item count', async () => {
    expect(await mapLimit([], 3, async () => 1)).toEqual([]);
    expect(await mapLimit([1, 2], 10, async (x) => x + 1)).toEqual([{ status: 'fulfilled', value: 2 }, { status: 'fulfilled', value: 3 }]);
  });
});
