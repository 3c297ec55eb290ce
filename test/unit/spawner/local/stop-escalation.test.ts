// TERM → KILL escalation decided against a scripted process and a manual clock.
import { escalateStop, waitUntilGone, type StopTarget } from '../../../../spawner/local/stop-escalation';
import { ManualClock } from '../manual-clock';

/** A process that dies `termDiesAfterMs` after SIGTERM (never if null) and on SIGKILL unless stubborn. */
function scripted(clock: ManualClock, opts: { alive?: boolean; termDiesAfterMs?: number | null; survivesKill?: boolean }) {
  const signals: { name: string; at: number }[] = [];
  let diesAt = opts.alive === false ? 0 : Infinity;
  const target: StopTarget = {
    signal(name) {
      signals.push({ name, at: clock.now() });
      if (name === 'SIGTERM' && opts.termDiesAfterMs != null) diesAt = Math.min(diesAt, clock.now() + opts.termDiesAfterMs);
      if (name === 'SIGKILL' && !opts.survivesKill) diesAt = Math.min(diesAt, clock.now());
    },
    isAlive: () => clock.now() < diesAt,
  };
  return { target, signals };
}

describe('escalateStop', () => {
  test('a process that is already gone gets no signal', async () => {
    const clock = new ManualClock();
    const p = scripted(clock, { alive: false });
    expect(await escalateStop(p.target, { now: false, graceMs: 5000 }, clock)).toBe('already-gone');
    expect(p.signals).toEqual([]);
  });

  test('a process that honours SIGTERM within the grace time is never killed', async () => {
    const clock = new ManualClock();
    const p = scripted(clock, { termDiesAfterMs: 300 });
    expect(await escalateStop(p.target, { now: false, graceMs: 5000, pollMs: 100 }, clock)).toBe('terminated');
    expect(p.signals.map((s) => s.name)).toEqual(['SIGTERM']);
    expect(clock.now()).toBe(300);
  });

  test('a process ignoring SIGTERM is killed once the grace time has passed', async () => {
    const clock = new ManualClock();
    const p = scripted(clock, { termDiesAfterMs: null });
    expect(await escalateStop(p.target, { now: false, graceMs: 2000, pollMs: 300 }, clock)).toBe('killed');
    expect(p.signals).toEqual([{ name: 'SIGTERM', at: 0 }, { name: 'SIGKILL', at: 2000 }]);
    // The last wait is cut short so the kill lands exactly at the end of the grace time.
    expect(clock.sleeps).toEqual([300, 300, 300, 300, 300, 300, 200]);
  });

  test('now skips SIGTERM', async () => {
    const clock = new ManualClock();
    const p = scripted(clock, { termDiesAfterMs: 0 });
    expect(await escalateStop(p.target, { now: true, graceMs: 5000 }, clock)).toBe('killed');
    expect(p.signals.map((s) => s.name)).toEqual(['SIGKILL']);
  });

  test('a grace time of zero kills right after the TERM', async () => {
    const clock = new ManualClock();
    const p = scripted(clock, { termDiesAfterMs: 10 });
    expect(await escalateStop(p.target, { now: false, graceMs: 0 }, clock)).toBe('killed');
    expect(p.signals).toEqual([{ name: 'SIGTERM', at: 0 }, { name: 'SIGKILL', at: 0 }]);
  });

  test('a process surviving SIGKILL is reported, not waited on forever', async () => {
    const clock = new ManualClock();
    const p = scripted(clock, { termDiesAfterMs: null, survivesKill: true });
    expect(await escalateStop(p.target, { now: false, graceMs: 1000, killWaitMs: 500 }, clock)).toBe('survived-kill');
    expect(clock.now()).toBe(1500);
  });
});

describe('waitUntilGone', () => {
  test('reports false when the deadline passes first', async () => {
    const clock = new ManualClock(1000);
    expect(await waitUntilGone({ signal: () => undefined, isAlive: () => true }, 250, 100, clock)).toBe(false);
    expect(clock.now()).toBe(1250);
  });
});
