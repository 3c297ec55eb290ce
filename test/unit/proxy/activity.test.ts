// Activity tracking: newest wins, overlay copies, flush writes and drops what it wrote.
import { ActivityTracker, laterIso } from '../../../proxy/activity';
import { MemoryRouteStore } from '../../../proxy/memory-route-store';

describe('laterIso', () => {
  it('keeps the newer of the two', () => {
    expect(laterIso('2026-01-01T00:00:00.000Z', Date.parse('2026-01-02T00:00:00.000Z'))).toBe('2026-01-02T00:00:00.000Z');
    expect(laterIso('2026-01-03T00:00:00.000Z', Date.parse('2026-01-02T00:00:00.000Z'))).toBe('2026-01-03T00:00:00.000Z');
    expect(laterIso(undefined, 0)).toBe('1970-01-01T00:00:00.000Z');
    expect(laterIso('2026-01-01T00:00:00.000Z', undefined)).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('ActivityTracker', () => {
  it('overlays recorded activity and flushes it to the store', async () => {
    let now = Date.parse('2026-05-01T10:00:00.000Z');
    const tracker = new ActivityTracker(() => now);
    const store = new MemoryRouteStore();
    await store.add('/user/alice', { target: 'http://127.0.0.1:1', last_activity: '2026-05-01T09:00:00.000Z' });
    const stored = await store.get('/user/alice');
    if (stored === undefined) throw new Error('route missing');

    expect(tracker.overlay('/user/alice', stored).last_activity).toBe('2026-05-01T09:00:00.000Z');
    tracker.record('/user/alice');
    tracker.record('/user/gone');
    const overlaid = tracker.overlay('/user/alice', stored);
    expect(overlaid.last_activity).toBe('2026-05-01T10:00:00.000Z');
    expect(overlaid).not.toBe(stored);

    await tracker.flush(store);
    expect((await store.get('/user/alice'))?.last_activity).toBe('2026-05-01T10:00:00.000Z');
    expect(await store.get('/user/gone')).toBeUndefined();

    now += 1000;
    tracker.forget('/user/alice');
    expect(tracker.overlay('/user/alice', stored).last_activity).toBe('2026-05-01T09:00:00.000Z');
  });
});

describe('ActivityTracker across processes and failures', () => {
  it('merges times from elsewhere (newest wins) and hands them over with take()', () => {
    const tracker = new ActivityTracker(() => 1000);
    tracker.record('/a');
    tracker.merge([['/a', 500], ['/b', 2000]]);
    expect(tracker.latest('/a')).toBe(1000);
    expect(tracker.latest('/b')).toBe(2000);
    expect([...tracker.take()].sort()).toEqual([['/a', 1000], ['/b', 2000]]);
    expect(tracker.latest('/a')).toBeUndefined();
  });

  it('keeps what a failed flush could not write, and overlays it meanwhile', async () => {
    const tracker = new ActivityTracker(() => Date.parse('2026-05-01T10:00:00.000Z'));
    tracker.record('/a');
    const failing = new MemoryRouteStore();
    failing.recordActivity = async () => {
      throw new Error('redis away');
    };
    await expect(tracker.flush(failing)).rejects.toThrow('redis away');
    expect(tracker.overlay('/a', { target: 'http://x' }).last_activity).toBe('2026-05-01T10:00:00.000Z');
    const store = new MemoryRouteStore();
    await store.add('/a', { target: 'http://x', last_activity: '2026-05-01T09:00:00.000Z' });
    await tracker.flush(store);
    expect((await store.get('/a'))?.last_activity).toBe('2026-05-01T10:00:00.000Z');
  });
});
