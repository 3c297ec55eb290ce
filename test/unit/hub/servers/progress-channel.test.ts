// ProgressChannel: monotonic progress, replay for late subscribers, done after ready/failed.
import { ProgressChannel, type HubProgressEvent } from '../../../../hub/servers/progress-channel';

function collect(ch: ProgressChannel): { events: HubProgressEvent[]; stop: () => void } {
  const events: HubProgressEvent[] = [];
  const stop = ch.subscribe((e) => events.push(e));
  return { events, stop };
}

describe('ProgressChannel', () => {
  it('delivers live events to subscribers', () => {
    const ch = new ProgressChannel();
    const a = collect(ch);
    ch.publish({ progress: 10, message: 'requested' });
    ch.publish({ progress: 50, message: 'pulling' });
    expect(a.events).toEqual([{ progress: 10, message: 'requested' }, { progress: 50, message: 'pulling' }]);
  });

  it('never goes backwards, rounds, and caps at 100', () => {
    const ch = new ProgressChannel();
    const a = collect(ch);
    for (const p of [20, 10, 33.4, 33.6, 250, 90]) ch.publish({ progress: p, message: String(p) });
    expect(a.events.map((e) => e.progress)).toEqual([20, 20, 33, 34, 100, 100]);
    expect(a.events.map((e) => e.message)).toEqual(['20', '10', '33.4', '33.6', '250', '90']);
  });

  it('negative progress becomes 0', () => {
    const ch = new ProgressChannel();
    const a = collect(ch);
    ch.publish({ progress: -5, message: 'x' });
    expect(a.events[0]?.progress).toBe(0);
  });

  // FAILS today: Math.round(NaN) is NaN and Math.max(last, NaN) is NaN, so one bad event from a
  // spawner makes `last` NaN and every later event reports NaN.
  it('a non-finite progress does not poison later events', () => {
    const ch = new ProgressChannel();
    const a = collect(ch);
    ch.publish({ progress: 40, message: 'a' });
    ch.publish({ progress: Number.NaN, message: 'b' });
    ch.publish({ progress: 60, message: 'c' });
    expect(a.events.map((e) => e.progress)).toEqual([40, 40, 60]);
  });

  it('replays the whole story to a late subscriber, then goes live', () => {
    const ch = new ProgressChannel();
    ch.publish({ progress: 10, message: 'a' });
    ch.publish({ progress: 30, message: 'b' });
    const late = collect(ch);
    expect(late.events.map((e) => e.message)).toEqual(['a', 'b']);
    ch.publish({ progress: 40, message: 'c' });
    expect(late.events.map((e) => e.message)).toEqual(['a', 'b', 'c']);
  });

  it.each<[string, Partial<HubProgressEvent>]>([
    ['ready', { ready: true, url: '/user/alice/' }],
    ['failed', { failed: true }],
  ])('is done after %s, and nothing is published after that', (_name, last) => {
    const ch = new ProgressChannel();
    const a = collect(ch);
    ch.publish({ progress: 50, message: 'working' });
    expect(ch.done).toBe(false);
    ch.publish({ progress: 100, message: 'end', ...last });
    expect(ch.done).toBe(true);
    ch.publish({ progress: 100, message: 'after' });
    ch.publish({ progress: 100, message: 'again', ready: true });
    expect(a.events.map((e) => e.message)).toEqual(['working', 'end']);
    expect(a.events[1]).toMatchObject(last);
  });

  it('a subscriber after done gets the full replay and a harmless unsubscribe', () => {
    const ch = new ProgressChannel();
    ch.publish({ progress: 10, message: 'a' });
    ch.publish({ progress: 100, message: 'ready', ready: true, url: '/user/alice/' });
    const late = collect(ch);
    expect(late.events).toEqual([{ progress: 10, message: 'a' }, { progress: 100, message: 'ready', ready: true, url: '/user/alice/' }]);
    expect(() => late.stop()).not.toThrow();
  });

  it('unsubscribe stops delivery to that listener only', () => {
    const ch = new ProgressChannel();
    const a = collect(ch);
    const b = collect(ch);
    ch.publish({ progress: 10, message: '1' });
    a.stop();
    ch.publish({ progress: 20, message: '2' });
    expect(a.events.map((e) => e.message)).toEqual(['1']);
    expect(b.events.map((e) => e.message)).toEqual(['1', '2']);
  });

  it('publish does not modify the caller\'s event', () => {
    const ch = new ProgressChannel();
    const original = { progress: 33.6, message: 'mine' };
    ch.publish(original);
    expect(original).toEqual({ progress: 33.6, message: 'mine' });
  });
});
