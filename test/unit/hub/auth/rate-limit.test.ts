// Sign-in rate limiting in memory: failures per address and per user name, a Retry-After that
// counts down, success clearing the user name, and a broken counter store failing open.
import pino from 'pino';
import { SignInLimiter, redisClientOf } from '../../../../hub/auth/rate-limit';
import type { Store } from '../../../../hub/store/store';

const logger = pino({ level: 'silent' });

describe('SignInLimiter (memory)', () => {
  it('blocks an address after its failures, whatever the user name', async () => {
    const l = new SignInLimiter({ perAddressPerMinute: 3, perUserPerMinute: 100 }, logger);
    for (let i = 0; i < 3; i++) {
      expect(await l.check('10.0.0.1', `u${i}`)).toEqual({ ok: true });
      await l.failed('10.0.0.1', `u${i}`);
    }
    const v = await l.check('10.0.0.1', 'someone-else');
    expect(v).toEqual({ ok: false, by: 'address', retryAfterSeconds: expect.any(Number) });
    if (!v.ok) expect(v.retryAfterSeconds).toBeGreaterThan(0);
    if (!v.ok) expect(v.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await l.check('10.0.0.2', 'u0')).toEqual({ ok: true });
  });

  it('blocks a user name after its failures from any address, until a success clears it', async () => {
    const l = new SignInLimiter({ perAddressPerMinute: 100, perUserPerMinute: 2 }, logger);
    await l.failed('10.0.0.1', 'alice');
    await l.failed('10.0.0.2', 'alice');
    expect(await l.check('10.0.0.3', 'alice')).toMatchObject({ ok: false, by: 'user' });
    expect(await l.check('10.0.0.3', 'bob')).toEqual({ ok: true });
    expect(await l.check('10.0.0.3', null)).toEqual({ ok: true });
    await l.succeeded('alice');
    expect(await l.check('10.0.0.3', 'alice')).toEqual({ ok: true });
  });

  it('keeps counting past the limit without throwing', async () => {
    const l = new SignInLimiter({ perAddressPerMinute: 1, perUserPerMinute: 1 }, logger);
    for (let i = 0; i < 5; i++) await expect(l.failed('a', 'b')).resolves.toBeUndefined();
    expect(l.shared).toBe(false);
  });

  it('counts sign-ins started per address and refuses past the limit, with a Retry-After', async () => {
    const l = new SignInLimiter({ perAddressPerMinute: 100, perUserPerMinute: 100, startsPerAddressPerMinute: 2 }, logger);
    expect(await l.started('10.0.0.1')).toEqual({ ok: true });
    expect(await l.started('10.0.0.1')).toEqual({ ok: true });
    const v = await l.started('10.0.0.1');
    expect(v).toEqual({ ok: false, by: 'address', retryAfterSeconds: expect.any(Number) });
    if (!v.ok) expect(v.retryAfterSeconds).toBeGreaterThan(0);
    expect(await l.started('10.0.0.2')).toEqual({ ok: true });
    // Starts are not failures: the failure counters are untouched.
    expect(await l.check('10.0.0.1', 'alice')).toEqual({ ok: true });
  });

  it('does not limit starts when no start limit is given', async () => {
    const l = new SignInLimiter({ perAddressPerMinute: 1, perUserPerMinute: 1 }, logger);
    for (let i = 0; i < 5; i++) expect(await l.started('10.0.0.1')).toEqual({ ok: true });
  });

  it('fails open when the shared counters are unreachable', async () => {
    const broken = { defineCommand: () => undefined, multi: () => { throw new Error('connection lost'); }, get: () => Promise.reject(new Error('connection lost')) };
    const l = new SignInLimiter({ perAddressPerMinute: 1, perUserPerMinute: 1 }, logger, { redis: broken, keyPrefix: 'x:' });
    expect(l.shared).toBe(true);
    await l.failed('a', 'b');
    expect(await l.check('a', 'b')).toEqual({ ok: true });
    const withStarts = new SignInLimiter({ perAddressPerMinute: 1, perUserPerMinute: 1, startsPerAddressPerMinute: 1 }, logger, { redis: broken, keyPrefix: 'y:' });
    expect(await withStarts.started('a')).toEqual({ ok: true });
    expect(await withStarts.started('a')).toEqual({ ok: true });
  });
});

describe('redisClientOf', () => {
  it('finds the client of a Redis store and nothing in a file store', () => {
    const client = { fake: true };
    expect(redisClientOf({ kind: 'redis', redis: client } as unknown as Store)).toBe(client);
    expect(redisClientOf({ kind: 'file' } as unknown as Store)).toBeNull();
  });
});
