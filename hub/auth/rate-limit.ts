// Sign-in rate limiting: failed sign-ins are counted per client address and per user name in
// one-minute windows; past the limit, further attempts get 429 until the window ends. Sign-ins
// started at the IdP (which keep state until they complete) are counted per address too. Counters
// live in memory, or in the store's Redis so that every hub process shares them.
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Store } from '../store/store';

export interface SignInLimits {
  perAddressPerMinute: number;
  perUserPerMinute: number;
  /** Sign-ins started per address (SAML redirects to the IdP); unlimited when absent. */
  startsPerAddressPerMinute?: number;
}

/** The ioredis client of a Redis store, or null (the file store has none). */
export function redisClientOf(store: Store): unknown {
  if (store.kind !== 'redis') return null;
  return (store as unknown as { redis?: unknown }).redis ?? null;
}

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number; by: 'address' | 'user' };

const WINDOW_SECONDS = 60;

export class SignInLimiter {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byUser: RateLimiterAbstract;
  private readonly starts: RateLimiterAbstract | null;

  constructor(private readonly limits: SignInLimits, private readonly logger: Logger, backend: { redis?: unknown; keyPrefix?: string } = {}) {
    const make = (points: number, name: string): RateLimiterAbstract => {
      const keyPrefix = `${backend.keyPrefix ?? ''}signin-${name}`;
      return backend.redis
        ? new RateLimiterRedis({ storeClient: backend.redis, keyPrefix, points, duration: WINDOW_SECONDS })
        : new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
    };
    this.byAddress = make(limits.perAddressPerMinute, 'address');
    this.byUser = make(limits.perUserPerMinute, 'user');
    this.starts = limits.startsPerAddressPerMinute === undefined ? null : make(limits.startsPerAddressPerMinute, 'start');
  }

  get shared(): boolean {
    return this.byAddress instanceof RateLimiterRedis;
  }

  /** Whether another attempt from `address` (for `user`, when known) may proceed now. */
  async check(address: string, user: string | null): Promise<Verdict> {
    const a = await this.blockedFor(this.byAddress, address, this.limits.perAddressPerMinute);
    if (a !== null) return { ok: false, retryAfterSeconds: a, by: 'address' };
    if (user !== null) {
      const u = await this.blockedFor(this.byUser, user, this.limits.perUserPerMinute);
      if (u !== null) return { ok: false, retryAfterSeconds: u, by: 'user' };
    }
    return { ok: true };
  }

  /** Counts a sign-in started from `address`; refused once the address started too many this minute. */
  async started(address: string): Promise<Verdict> {
    if (this.starts === null) return { ok: true };
    try {
      await this.starts.consume(address, 1);
      return { ok: true };
    } catch (err) {
      if (err instanceof Error) {
        // Fail open: a broken counter store must not lock everybody out.
        this.logger.warn({ err: err.message }, 'sign-in rate limiter unavailable; not limiting');
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((err as RateLimiterRes).msBeforeNext / 1000)), by: 'address' };
    }
  }

  /** Counts a failed attempt against the address and (when known) the user name. */
  async failed(address: string, user: string | null): Promise<void> {
    await this.count(this.byAddress, address);
    if (user !== null) await this.count(this.byUser, user);
  }

  /** A successful sign-in clears the user name's failures (not the address's: shared NATs). */
  async succeeded(user: string): Promise<void> {
    try {
      await this.byUser.delete(user);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'sign-in rate limiter unavailable');
    }
  }

  private async blockedFor(limiter: RateLimiterAbstract, key: string, points: number): Promise<number | null> {
    try {
      const res = await limiter.get(key);
      if (!res || res.consumedPoints < points) return null;
      return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    } catch (err) {
      // Fail open: a broken counter store must not lock everybody out.
      this.logger.warn({ err: (err as Error).message }, 'sign-in rate limiter unavailable; not limiting');
      return null;
    }
  }

  private async count(limiter: RateLimiterAbstract, key: string): Promise<void> {
    try {
      await limiter.consume(key, 1);
    } catch (err) {
      if ((err as RateLimiterRes | Error) instanceof Error) this.logger.warn({ err: (err as Error).message }, 'sign-in rate limiter unavailable');
      // otherwise: over the limit already, which check() reports
    }
  }
}
