// Cull decisions at their edges, with `now` injected: exactly at the timeout, max age, pending
// and stopping servers, the warning window, and the duration wording users read.
import { cullDue, cullMessage, cullWarning, decideCull, formatDuration, idleSince, isDue, type CullSubject } from '../../../../hub/culler/decide';
import type { CullPolicy } from '../../../../hub/culler/policy';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const S = 1000;

function server(over: Partial<CullSubject> = {}): CullSubject {
  return { user: 'alice', name: '', state: 'running', started: iso(T0), lastActivity: iso(T0), ...over };
}

function policy(over: Partial<CullPolicy> = {}): CullPolicy {
  return { enabled: true, timeoutSeconds: 3600, maxAgeSeconds: 0, warnBeforeSeconds: 600, source: { timeout: 'default', maxAge: 'default' }, ...over };
}

describe('decideCull', () => {
  it('keeps a server 1 ms before the idle timeout and culls it exactly at the timeout', () => {
    expect(decideCull(server(), T0 + 3600 * S - 1, policy())).toMatchObject({ cull: false, why: 'not-yet', due: { reason: 'idle', at: T0 + 3600 * S } });
    expect(decideCull(server(), T0 + 3600 * S, policy())).toEqual({
      cull: true, reason: 'idle', elapsedSeconds: 3600, limitSeconds: 3600,
      message: 'it was idle for 1 hour (the limit is 1 hour).',
    });
  });

  it('counts idleness from the later of last activity and start (a restarted server keeps old activity)', () => {
    const restarted = server({ lastActivity: iso(T0 - 5 * 3600 * S), started: iso(T0) });
    expect(idleSince(restarted)).toBe(T0);
    expect(decideCull(restarted, T0 + 10 * S, policy()).cull).toBe(false);
    const active = server({ lastActivity: iso(T0 + 1800 * S) });
    expect(decideCull(active, T0 + 3600 * S, policy())).toMatchObject({ cull: false, due: { at: T0 + 5400 * S } });
    expect(decideCull(server({ lastActivity: null }), T0 + 3600 * S, policy()).cull).toBe(true);
  });

  it.each(['pending', 'stopping', 'stopped', 'failed'] as const)('never culls a %s server, however old', (state) => {
    expect(decideCull(server({ state }), T0 + 100 * 3600 * S, policy({ maxAgeSeconds: 60 }))).toEqual({ cull: false, why: 'not-running', due: null });
  });

  it('culls at the maximum age even when active, inclusive, and says so', () => {
    const busy = (now: number) => server({ lastActivity: iso(now) });
    const p = policy({ timeoutSeconds: 3600, maxAgeSeconds: 8 * 3600 });
    expect(decideCull(busy(T0 + 8 * 3600 * S - 1), T0 + 8 * 3600 * S - 1, p).cull).toBe(false);
    expect(decideCull(busy(T0 + 8 * 3600 * S), T0 + 8 * 3600 * S, p)).toMatchObject({
      cull: true, reason: 'max-age', elapsedSeconds: 8 * 3600, limitSeconds: 8 * 3600,
      message: 'it had run for 8 hours, the most allowed is 8 hours.',
    });
  });

  it('picks the limit that falls due first; on a tie the reason is idle', () => {
    expect(cullDue(server(), policy({ timeoutSeconds: 600, maxAgeSeconds: 300 }))).toEqual({ reason: 'max-age', at: T0 + 300 * S, limitSeconds: 300 });
    expect(cullDue(server(), policy({ timeoutSeconds: 300, maxAgeSeconds: 600 }))).toEqual({ reason: 'idle', at: T0 + 300 * S, limitSeconds: 300 });
    expect(cullDue(server(), policy({ timeoutSeconds: 300, maxAgeSeconds: 300 }))?.reason).toBe('idle');
  });

  it('treats 0 as "no limit" and a disabled culler as keeping everything', () => {
    const never = policy({ timeoutSeconds: 0, maxAgeSeconds: 0 });
    expect(decideCull(server(), T0 + 1e9, never)).toEqual({ cull: false, why: 'no-limit', due: null });
    expect(decideCull(server(), T0 + 1e9, policy({ enabled: false }))).toEqual({ cull: false, why: 'disabled', due: null });
  });

  it('has no idle basis for a server with neither start nor activity (kept), and ignores unparseable times', () => {
    expect(decideCull(server({ started: null, lastActivity: null }), T0 + 1e9, policy()).cull).toBe(false);
    expect(idleSince(server({ lastActivity: 'not a time' }))).toBe(T0);
  });
});

describe('isDue (the hub re-checks a requested cull on fresh data)', () => {
  it('agrees with decideCull at the edge and refuses non-running servers and non-positive limits', () => {
    expect(isDue(server(), 'idle', 3600, T0 + 3600 * S - 1)).toBe(false);
    expect(isDue(server(), 'idle', 3600, T0 + 3600 * S)).toBe(true);
    expect(isDue(server({ lastActivity: iso(T0 + 60 * S) }), 'idle', 3600, T0 + 3600 * S)).toBe(false);
    expect(isDue(server(), 'max-age', 60, T0 + 60 * S)).toBe(true);
    expect(isDue(server({ state: 'pending' }), 'idle', 1, T0 + 1e9)).toBe(false);
    expect(isDue(server(), 'idle', 0, T0 + 1e9)).toBe(false);
  });
});

describe('cullWarning', () => {
  const due = T0 + 3600 * S;

  it('starts exactly warnBeforeSeconds before the cull, with the time left', () => {
    expect(cullWarning(server(), due - 600 * S - 1, policy())).toBeNull();
    expect(cullWarning(server(), due - 600 * S, policy())).toEqual({
      reason: 'idle', cullAt: iso(due), secondsLeft: 600,
      message: 'Your server has been idle and will be stopped in about 10 minutes unless you use it (idle limit 1 hour).',
    });
    expect(cullWarning(server(), due - 90 * S, policy())?.secondsLeft).toBe(90);
  });

  it('rounds the time left up to whole seconds, and says "shortly" once past due (before the next pass)', () => {
    expect(cullWarning(server(), due - 1, policy())?.secondsLeft).toBe(1);
    const late = cullWarning(server(), due + 30 * S, policy());
    expect(late).toMatchObject({ secondsLeft: 0 });
    expect(late?.message).toMatch(/will be stopped shortly unless you use it/);
  });

  it('names a named server and explains a maximum age (using it does not help)', () => {
    const w = cullWarning(server({ name: 'gpu' }), T0 + 7.9 * 3600 * S, policy({ timeoutSeconds: 0, maxAgeSeconds: 8 * 3600 }));
    expect(w).toMatchObject({ reason: 'max-age', secondsLeft: 360 });
    expect(w?.message).toBe('Your server “gpu” will be stopped in about 6 minutes: servers may run for at most 8 hours. Save your work.');
  });

  it('warns nobody when the window is 0, the culler is off, no limit applies or the server is not running', () => {
    expect(cullWarning(server(), due - 1, policy({ warnBeforeSeconds: 0 }))).toBeNull();
    expect(cullWarning(server(), due - 1, policy({ enabled: false }))).toBeNull();
    expect(cullWarning(server(), due - 1, policy({ timeoutSeconds: 0 }))).toBeNull();
    expect(cullWarning(server({ state: 'pending' }), due - 1, policy())).toBeNull();
  });
});

describe('wording', () => {
  it.each<[number, string]>([
    [0, '0 seconds'], [1, '1 second'], [59, '59 seconds'], [60, '1 minute'], [89, '1 minute'], [90, '2 minutes'],
    [3599, '1 hour'], [3600, '1 hour'], [3660, '1 hour 1 minute'], [7170, '2 hours'], [86_399, '1 day'],
    [86_400, '1 day'], [90_000, '1 day 1 hour'], [3 * 86_400 + 5 * 3600, '3 days 5 hours'],
  ])('formatDuration(%i) = %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('reads well after "Your server stopped: "', () => {
    expect(cullMessage('idle', 3725, 3600)).toBe('it was idle for 1 hour 2 minutes (the limit is 1 hour).');
    expect(cullMessage('max-age', 45, 30)).toBe('it had run for 45 seconds, the most allowed is 30 seconds.');
  });
});
